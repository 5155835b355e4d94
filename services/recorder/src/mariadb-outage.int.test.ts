import { randomBytes } from 'node:crypto';
import { galileoSubjects, experimentSubjects, type GalileoCatalogue } from '@galileo/events';
import type { PublishItem } from '@galileo/bus';
import { mariadbTestDatabase, testMariadbServer, waitFor } from '@galileo/testing';
import { createConnection } from 'mariadb';
import { describe, expect, it } from 'vitest';
import { recorderFixture, testTrace } from './test-support/recorder-fixture.js';

// MariaDB "goes away" for the recorder without touching the shared server: the recorder connects
// as a user of this test's own; its grants are revoked and its connections killed for ~10 s, then
// the grants come back.
async function asRoot<T>(
  fn: (q: (sql: string, values?: unknown[]) => Promise<unknown>) => Promise<T>,
): Promise<T> {
  const c = await createConnection({ ...testMariadbServer(), connectTimeout: 5000 });
  try {
    return await fn((sql, values) => c.query(sql, values));
  } finally {
    await c.end();
  }
}

describe('recorder while MariaDB is unavailable', () => {
  it('acknowledges nothing while it is down, and stores everything once when it is back', async () => {
    const m = await mariadbTestDatabase('outage');
    const user = `grec_${randomBytes(3).toString('hex')}`;
    const password = randomBytes(8).toString('hex');
    const hosts = ['%', 'localhost', '127.0.0.1'];
    const grant = (q: (sql: string) => Promise<unknown>) =>
      Promise.all(hosts.map((h) => q(`GRANT ALL PRIVILEGES ON \`${m.database}\`.* TO '${user}'@'${h}'`)));
    await asRoot(async (q) => {
      for (const h of hosts) await q(`CREATE USER '${user}'@'${h}' IDENTIFIED BY '${password}'`);
      await grant(q);
    });
    const f = await recorderFixture({
      driver: 'mixed',
      mariadb: { ...m, user, password, drop: m.drop },
      env: { galileo_recorder_batch_size: '500' },
    });
    const r = await f.recorder();
    try {
      const exp = `outage-${randomBytes(4).toString('hex')}`;
      await f.bus.publish(experimentSubjects.lifecycle(exp, 'ExperimentStarted'), {
        type: 'ExperimentStarted',
        data: { id: exp, start: Date.now() / 1000 - 10, daemon: 'd' },
      });
      await r.recorder.start();
      const traces = Array.from({ length: 3000 }, (_, i) => testTrace(exp, i));
      const items = (from: number, to: number): PublishItem<GalileoCatalogue>[] =>
        traces.slice(from, to).map((t) => ({
          subject: galileoSubjects.traces('svc'),
          draft: { type: 'TraceRecorded', data: t },
        }));
      await f.bus.publishBatch(items(0, 1000));
      await waitFor(async () => (await f.db!.traces.count({ experimentId: exp })) === 1000, {
        what: 'the first 1000 traces',
      });

      const downAt = Date.now();
      await asRoot(async (q) => {
        for (const h of hosts) await q(`REVOKE ALL PRIVILEGES ON \`${m.database}\`.* FROM '${user}'@'${h}'`);
        const ids = (await q('SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?', [user])) as {
          ID: number;
        }[];
        for (const { ID } of ids) await q(`KILL CONNECTION ${ID}`).catch(() => undefined);
      });
      for (let i = 1000; i < 3000; i += 500) await f.bus.publishBatch(items(i, i + 500));
      // The first failing write may wait in the driver's pool for its acquire timeout (10 s), longer
      // on a loaded machine; then the breaker opens (and is half-open during each trial).
      await waitFor(
        () => r.recorder.stats().breakerOpenings.sql! >= 1 || r.recorder.stats().breakers.sql !== 'closed',
        { what: 'the SQL breaker to open', timeoutMs: 60_000, intervalMs: 50 },
      );
      // InfluxDB is up and takes the batches in hand (two of 500); they stay unacknowledged for
      // MariaDB, and the rest is not even read: the backlog waits in the stream.
      await waitFor(() => r.recorder.stats().stored.influx!.traces >= 2000, {
        what: 'the batches in hand in InfluxDB',
      });
      const lag = await r.recorder.lag();
      expect(lag.pending + lag.behind).toBeGreaterThanOrEqual(2000);
      expect(r.recorder.stats().stored.sql!.traces).toBe(1000);

      await new Promise((res) => setTimeout(res, Math.max(0, 10_000 - (Date.now() - downAt))));
      await asRoot(grant);
      await waitFor(async () => (await f.db!.traces.count({ experimentId: exp }).catch(() => -1)) === 3000, {
        what: 'all 3000 traces in MariaDB after it came back',
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      await waitFor(async () => (await r.recorder.lag()).pending === 0, { what: 'everything acknowledged' });
      expect(r.recorder.stats().breakers.sql).toBe('closed');
      expect(r.recorder.stats().stored.influx!.traces).toBe(3000); // written once: no retry of a store that took it
    } finally {
      await r.close();
      await f.cleanup();
      await asRoot(async (q) => {
        for (const h of hosts) await q(`DROP USER IF EXISTS '${user}'@'${h}'`);
      });
      await m.drop();
    }
  }, 180_000);
});
