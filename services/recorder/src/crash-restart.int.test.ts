import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { experimentSubjects, galileoSubjects, type GalileoCatalogue } from '@galileo/events';
import type { PublishItem } from '@galileo/bus';
import {
  exportVictoriaSeries,
  startPrivateVictoriaMetrics,
  waitFor,
  type PrivateVictoriaMetrics,
} from '@galileo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recorderFixture, testTrace, type RecorderFixture } from './test-support/recorder-fixture.js';

// VictoriaMetrics with deduplication on stands in for InfluxDB (a point written again with the
// same series key and timestamp is one point); the shared one keeps every copy.
let vm: PrivateVictoriaMetrics;
let f: RecorderFixture;
beforeAll(async () => {
  vm = await startPrivateVictoriaMetrics({ dedupMs: 1 });
  f = await recorderFixture({
    driver: 'mixed',
    influxUrl: vm.url,
    env: { galileo_recorder_consumer: 'crash-test', galileo_recorder_batch_size: '500' },
  });
});
afterAll(async () => {
  await f?.cleanup();
  await vm?.destroy();
});

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

function startRecorderProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, ...f.env, galileo_logging_level: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

describe('recorder killed mid-batch', () => {
  it('records every trace exactly once in SQL and in the time-series store after a SIGKILL and a restart', async () => {
    const exp = `crash-${Math.random().toString(36).slice(2, 10)}`;
    const total = 8_000;
    await f.bus.publish(experimentSubjects.lifecycle(exp, 'ExperimentStarted'), {
      type: 'ExperimentStarted',
      data: { id: exp, start: Date.now() / 1000 - 10, daemon: 'd' },
    });
    const base = Date.now() / 1000 - 5;
    const items: PublishItem<GalileoCatalogue>[] = Array.from({ length: total }, (_, i) => ({
      subject: galileoSubjects.traces('svc'),
      draft: { type: 'TraceRecorded', data: testTrace(exp, i, base - i * 0.001) },
    }));
    const db = f.db!;
    const first = startRecorderProcess();
    let killedAt = -1;
    try {
      // publish while it records; kill it once part of the traces are stored
      const publishing = (async () => {
        for (let i = 0; i < total; i += 500) await f.bus.publishBatch(items.slice(i, i + 500));
      })();
      await waitFor(async () => (await db.traces.count({ experimentId: exp })) >= 1_500, {
        what: 'the first recorder storing traces',
        timeoutMs: 60_000,
        intervalMs: 5,
      });
      first.kill('SIGKILL');
      await exited(first);
      killedAt = await db.traces.count({ experimentId: exp });
      console.log(`killed the recorder with ${killedAt} of ${total} traces stored`);
      await publishing;
    } finally {
      first.kill('SIGKILL');
    }
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(total); // it died with work left: some of it pending, unacknowledged

    const second = startRecorderProcess();
    try {
      await waitFor(async () => (await db.traces.count({ experimentId: exp })) === total, {
        what: `${total} traces in MariaDB after the restart`,
        timeoutMs: 90_000,
        intervalMs: 200,
      });
      const points = async () =>
        (await exportVictoriaSeries(vm.url, `traces_done{exp_id="${exp}"}`)).reduce(
          (n, s) => n + s.values.length,
          0,
        );
      await waitFor(async () => (await points()) >= total, {
        what: `${total} trace points`,
        timeoutMs: 30_000,
        intervalMs: 300,
      });
      // acknowledged, and nothing more arrives
      await waitFor(
        async () => {
          const groups = (await f.t.redis.xinfo('GROUPS', `${f.t.prefix}bus:galileo.traces`)) as unknown[][];
          const g = groups.find((row) => row[1] === 'recorder-traces')!;
          return Number(g[g.indexOf('pending') + 1]) === 0;
        },
        { what: 'every trace acknowledged', timeoutMs: 30_000 },
      );
      await new Promise((r) => setTimeout(r, 1000));
      expect(await db.traces.count({ experimentId: exp })).toBe(total);
      expect(await points()).toBe(total);
      const rows = await db.traces.list({ experimentId: exp, limit: total });
      expect(new Set(rows.map((r) => r.requestId)).size).toBe(total);
    } finally {
      second.kill('SIGTERM');
      await exited(second);
    }
  }, 150_000);
});
