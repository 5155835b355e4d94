import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './open-database.js';
import { dialects, testTarget, type TestTarget } from './test-support/targets.js';
import type { ExperimentRecord, GalileoDatabase, TelemetryRecord, TraceRecord } from './types.js';

// The same repository suite against the real MariaDB (a fresh database) and a real SQLite file.
const uid = () => randomBytes(4).toString('hex');

function experiment(id: string, overrides: Partial<ExperimentRecord> = {}): ExperimentRecord {
  return {
    id,
    name: `name-${id}`,
    creator: 'tester',
    start: null,
    end: null,
    created: 1_700_000_000.25,
    status: 'QUEUED',
    ...overrides,
  };
}

function trace(
  requestId: string,
  experimentId: string | null,
  created: number,
  overrides: Partial<TraceRecord> = {},
): TraceRecord {
  return {
    requestId,
    client: 'w1:squeezenet:0',
    service: 'squeezenet',
    created,
    sent: created + 0.0001234,
    done: created + 0.0201234,
    status: 200,
    server: 'host1:8080',
    experimentId,
    headers: '{"Content-Type": "application/json"}',
    response: '{"ok": true}',
    ...overrides,
  };
}

for (const dialect of dialects) {
  describe(`libs/db repositories on ${dialect}`, () => {
    let target: TestTarget;
    let db: GalileoDatabase;

    beforeAll(async () => {
      target = await testTarget(dialect, `repos_${dialect}`);
      db = await openDatabase(target.target);
    });
    afterAll(async () => {
      await db?.close();
      await target?.cleanup();
    });

    it('reports its dialect and answers ping', async () => {
      expect(db.dialect).toBe(dialect);
      expect(await db.ping()).toBe(true);
    });

    describe('experiments', () => {
      it('upserts, gets, and replaces the whole row', async () => {
        const id = `exp-${uid()}`;
        await db.experiments.upsert(experiment(id));
        expect(await db.experiments.get(id)).toEqual(experiment(id));
        await db.experiments.upsert(
          experiment(id, { name: null, status: 'IN_PROGRESS', start: 1_700_000_001.5 }),
        );
        expect(await db.experiments.get(id)).toEqual(
          experiment(id, { name: null, status: 'IN_PROGRESS', start: 1_700_000_001.5 }),
        );
        expect(await db.experiments.get(`missing-${uid()}`)).toBeUndefined();
      });

      it('keeps epoch seconds as floats', async () => {
        const id = `exp-${uid()}`;
        const created = 1_603_020_000.1234567;
        await db.experiments.upsert(experiment(id, { created }));
        expect((await db.experiments.get(id))?.created).toBe(created);
      });

      it('lists newest first and filters by status', async () => {
        const tag = uid();
        const ids = [0, 1, 2].map((i) => `list-${tag}-${i}`);
        await db.experiments.upsert(experiment(ids[0]!, { created: 100, status: 'FINISHED' }));
        await db.experiments.upsert(experiment(ids[1]!, { created: 300, status: 'QUEUED' }));
        await db.experiments.upsert(experiment(ids[2]!, { created: 200, status: 'FAILED' }));
        const all = (await db.experiments.list()).filter((e) => e.id.startsWith(`list-${tag}`));
        expect(all.map((e) => e.id)).toEqual([ids[1], ids[2], ids[0]]);
        const done = (await db.experiments.list({ status: ['FINISHED', 'FAILED'] })).filter((e) =>
          e.id.startsWith(`list-${tag}`),
        );
        expect(done.map((e) => e.id)).toEqual([ids[2], ids[0]]);
        const queued = await db.experiments.list({ status: 'QUEUED' });
        expect(queued.every((e) => e.status === 'QUEUED')).toBe(true);
        expect(await db.experiments.list({ limit: 1 })).toHaveLength(1);
      });

      it('sets status, start and end', async () => {
        const id = `exp-${uid()}`;
        await db.experiments.upsert(experiment(id));
        expect(await db.experiments.setStarted(id, 10.5)).toBe(true);
        expect(await db.experiments.get(id)).toMatchObject({ start: 10.5, status: 'IN_PROGRESS' });
        expect(await db.experiments.setEnded(id, 20.25, 'CANCELLED')).toBe(true);
        expect(await db.experiments.get(id)).toMatchObject({ start: 10.5, end: 20.25, status: 'CANCELLED' });
        expect(await db.experiments.setStatus(id, 'FAILED')).toBe(true);
        expect(await db.experiments.update(id, { name: 'renamed', creator: null })).toBe(true);
        expect(await db.experiments.get(id)).toMatchObject({
          name: 'renamed',
          creator: null,
          status: 'FAILED',
        });
        expect(await db.experiments.setStatus(`missing-${uid()}`, 'FAILED')).toBe(false);
      });

      it('deletes the row with its metadata, instructions and node infos, keeping traces', async () => {
        const id = `exp-${uid()}`;
        await db.experiments.upsert(experiment(id));
        await db.metadata.save(id, { a: 1 });
        await db.instructions.save({ experimentId: id, instructions: 'sleep 1', configuration: null });
        await db.nodeinfo.save({ experimentId: id, node: 'n1', info: { cpus: '4' } });
        await db.traces.insertMany([trace(`d${uid()}:1`, id, 5)]);
        expect(await db.experiments.delete(id)).toBe(true);
        expect(await db.experiments.get(id)).toBeUndefined();
        expect(await db.metadata.get(id)).toBeUndefined();
        expect(await db.instructions.get(id)).toBeUndefined();
        expect(await db.nodeinfo.list(id)).toEqual([]);
        expect(await db.traces.count({ experimentId: id })).toBe(1);
        expect(await db.experiments.delete(id)).toBe(false);
      });

      it('rejects an id longer than galileo column', async () => {
        await expect(db.experiments.upsert(experiment('x'.repeat(101)))).rejects.toThrow(/1-100 characters/);
      });
    });

    describe('instructions', () => {
      it('saves and replaces the text and the configuration', async () => {
        const id = `exp-${uid()}`;
        const text = 'spawn exphost squeezenet 1\nsleep 2\nrps exphost squeezenet 1';
        await db.instructions.save({ experimentId: id, instructions: text, configuration: null });
        expect(await db.instructions.get(id)).toEqual({
          experimentId: id,
          instructions: text,
          configuration: null,
        });
        const configuration = {
          duration: '10s',
          interval: '2s',
          workloads: [{ service: 'squeezenet', ticks: [1, 2, 3] }],
        };
        await db.instructions.save({ experimentId: id, instructions: 'sleep 1', configuration });
        expect(await db.instructions.get(id)).toEqual({
          experimentId: id,
          instructions: 'sleep 1',
          configuration,
        });
        expect(await db.instructions.delete(id)).toBe(true);
        expect(await db.instructions.get(id)).toBeUndefined();
      });

      it('holds a 1 MiB instruction text', async () => {
        const id = `exp-${uid()}`;
        const text = 'sleep 1\n'.repeat(131_072);
        await db.instructions.save({ experimentId: id, instructions: text, configuration: null });
        expect((await db.instructions.get(id))?.instructions).toBe(text);
      });
    });

    describe('traces', () => {
      it('stores each request id once however often it is delivered', async () => {
        const exp = `exp-${uid()}`;
        const rows = Array.from({ length: 2500 }, (_, i) => trace(`${uid()}:${i}`, exp, 1000 + i / 100));
        expect(await db.traces.insertMany(rows)).toEqual({ inserted: 2500, duplicates: 0, rejected: [] });
        expect(await db.traces.insertMany(rows)).toEqual({ inserted: 0, duplicates: 2500, rejected: [] });
        // Redelivery in parallel and with duplicates inside one call.
        const again = await Promise.all([
          db.traces.insertMany(rows.slice(0, 700)),
          db.traces.insertMany([...rows.slice(600, 900), ...rows.slice(600, 900)]),
        ]);
        expect(again.map((r) => r.inserted)).toEqual([0, 0]);
        const fresh = trace(`${uid()}:x`, exp, 2000);
        expect(await db.traces.insertMany([fresh, fresh, rows[0]!])).toMatchObject({
          inserted: 1,
          duplicates: 2,
        });
        expect(await db.traces.count({ experimentId: exp })).toBe(2501);
      });

      it('round-trips every field, in created order', async () => {
        const exp = `exp-${uid()}`;
        const a = trace(`${uid()}:1`, exp, 1_603_020_000.1234567, {
          status: -1,
          server: null,
          headers: null,
          response: null,
          sent: -1,
        });
        const b = trace(`${uid()}:2`, exp, 1_603_019_999.5, { response: 'line1\nline2, with comma' });
        await db.traces.insertMany([a, b]);
        expect(await db.traces.list({ experimentId: exp })).toEqual([b, a]);
        expect(await db.traces.list({ experimentId: exp, from: 1_603_020_000 })).toEqual([a]);
        expect(await db.traces.list({ experimentId: exp, to: 1_603_020_000 })).toEqual([b]);
        expect(await db.traces.list({ experimentId: exp, limit: 1, offset: 1 })).toEqual([a]);
        expect(await db.traces.count({ experimentId: exp, service: 'other' })).toBe(0);
      });

      it('rejects rows it cannot store without failing the others, and cuts long text to fit', async () => {
        const exp = `exp-${uid()}`;
        const huge = 'ä'.repeat(40_000); // 80,000 bytes of UTF-8: more than TEXT holds
        const result = await db.traces.insertMany([
          trace('x'.repeat(37), exp, 1),
          trace(`${uid()}:ok`, exp, 2, { response: huge, client: 'c'.repeat(80) }),
          trace(`${uid()}:nan`, exp, Number.NaN),
          trace(`${uid()}:st`, exp, 3, { status: 1.5 }),
        ]);
        expect(result.inserted).toBe(1);
        expect(result.rejected.map((r) => r.index)).toEqual([0, 2, 3]);
        expect(result.rejected[0]?.reason).toMatch(/requestId must be at most 36 characters/);
        const [stored] = await db.traces.list({ experimentId: exp });
        expect(Buffer.byteLength(stored!.response!)).toBeLessThanOrEqual(65_535);
        expect(stored!.response!.length).toBe(32_767);
        expect(stored!.client).toBe('c'.repeat(50));
      });

      it('touches unattributed traces of a time window only', async () => {
        const exp = `exp-${uid()}`;
        const other = `exp-${uid()}`;
        const base = 5_000_000 + Math.floor(Math.random() * 1_000_000);
        await db.traces.insertMany([
          trace(`${uid()}:a`, null, base + 1),
          trace(`${uid()}:b`, other, base + 2),
          trace(`${uid()}:c`, null, base + 100),
        ]);
        expect(await db.traces.touch(exp, base, base + 10)).toBe(1);
        expect(await db.traces.count({ experimentId: exp })).toBe(1);
        expect(await db.traces.count({ experimentId: other })).toBe(1);
      });
    });

    describe('telemetry', () => {
      const point = (exp: string, ts: number, over: Partial<TelemetryRecord> = {}): TelemetryRecord => ({
        experimentId: exp,
        timestamp: ts,
        metric: 'cpu',
        node: 'n1',
        value: 12.5,
        subsystem: null,
        ...over,
      });

      it('stores a point once, also when its subsystem is null', async () => {
        const exp = `exp-${uid()}`;
        const points = [
          point(exp, 1.5),
          point(exp, 1.5, { subsystem: '0' }),
          point(exp, 1.5, { subsystem: '1' }),
          point(exp, 1.5, { node: 'n2' }),
          point(exp, 2.5),
        ];
        expect(await db.telemetry.insertMany(points)).toEqual({ inserted: 5, duplicates: 0, rejected: [] });
        expect(await db.telemetry.insertMany([...points, point(exp, 1.5, { value: 99 })])).toMatchObject({
          inserted: 0,
          duplicates: 6,
        });
        expect(await db.telemetry.count({ experimentId: exp })).toBe(5);
        // The same reading recorded for a second experiment is that experiment's row.
        expect((await db.telemetry.insertMany([point(`exp-${uid()}`, 1.5)])).inserted).toBe(1);
      });

      it('queries by time window, node and metric', async () => {
        const exp = `exp-${uid()}`;
        await db.telemetry.insertMany([
          point(exp, 10, { subsystem: 'eth0', metric: 'rx' }),
          point(exp, 20),
          point(exp, 30, { node: 'n2' }),
        ]);
        expect(await db.telemetry.list({ experimentId: exp, from: 15 })).toEqual([
          point(exp, 20),
          point(exp, 30, { node: 'n2' }),
        ]);
        expect(await db.telemetry.list({ experimentId: exp, to: 15 })).toEqual([
          point(exp, 10, { subsystem: 'eth0', metric: 'rx' }),
        ]);
        expect(await db.telemetry.list({ experimentId: exp, node: 'n2' })).toHaveLength(1);
        expect(await db.telemetry.count({ experimentId: exp, metric: 'cpu' })).toBe(2);
        expect(await db.telemetry.list({ experimentId: exp, limit: 2 })).toHaveLength(2);
      });
    });

    describe('events', () => {
      it('stores an event id once; events without one are stored as given', async () => {
        const exp = `exp-${uid()}`;
        const id = `01J${uid().toUpperCase()}`;
        const e = {
          experimentId: exp,
          timestamp: 1_700_000_000.5,
          name: 'experiment_start',
          value: exp,
          eventId: id,
        };
        expect(await db.events.insertMany([e, e])).toMatchObject({ inserted: 1, duplicates: 1 });
        expect(await db.events.insertMany([e])).toMatchObject({ inserted: 0, duplicates: 1 });
        // The same bus event recorded for a second, concurrent experiment is that experiment's row.
        const otherExp = `exp-${uid()}`;
        expect(await db.events.insertMany([{ ...e, experimentId: otherExp }])).toMatchObject({ inserted: 1 });
        expect(await db.events.list({ experimentId: otherExp })).toHaveLength(1);
        const anonymous = {
          experimentId: exp,
          timestamp: 1_700_000_001,
          name: 'scale_schedule',
          value: '{"a": 1}',
        };
        await db.events.insertMany([anonymous, anonymous]);
        expect(await db.events.list({ experimentId: exp })).toEqual([
          e,
          { ...anonymous, eventId: null },
          { ...anonymous, eventId: null },
        ]);
        expect(await db.events.list({ experimentId: exp, name: 'experiment_start' })).toEqual([e]);
        expect(await db.events.list({ experimentId: exp, from: 1_700_000_000.9 })).toHaveLength(2);
      });
    });

    describe('nodeinfo and metadata', () => {
      it('stores one row per info key and replaces a node on save', async () => {
        const exp = `exp-${uid()}`;
        await db.nodeinfo.saveMany([
          { experimentId: exp, node: 'b', info: { cpus: '4', arch: 'arm64' } },
          { experimentId: exp, node: 'a', info: { cpus: '8' } },
        ]);
        await db.nodeinfo.save({ experimentId: exp, node: 'b', info: { cpus: '2' } });
        expect(await db.nodeinfo.list(exp)).toEqual([
          { experimentId: exp, node: 'a', info: { cpus: '8' } },
          { experimentId: exp, node: 'b', info: { cpus: '2' } },
        ]);
      });

      it('stores metadata with an added exp_id key', async () => {
        const exp = `exp-${uid()}`;
        await db.metadata.save(exp, { workload: 'squeezenet', params: [1, 2] });
        expect(await db.metadata.get(exp)).toEqual({ workload: 'squeezenet', params: [1, 2], exp_id: exp });
        await db.metadata.save(exp, {});
        expect(await db.metadata.get(exp)).toEqual({ exp_id: exp });
      });
    });

    describe('processed events and transactions', () => {
      it('marks ids once and says which were new', async () => {
        const p = `proj-${uid()}`;
        expect(await db.processed.markProcessed(p, ['a', 'b', 'a'])).toEqual(['a', 'b']);
        expect(await db.processed.markProcessed(p, ['b', 'c'])).toEqual(['c']);
        expect(await db.processed.wasProcessed(p, 'a')).toBe(true);
        expect(await db.processed.wasProcessed(p, 'z')).toBe(false);
        expect(await db.processed.wasProcessed(`other-${uid()}`, 'a')).toBe(false);
        expect(await db.processed.reset(p)).toBe(3);
        expect(await db.processed.markProcessed(p, ['a'])).toEqual(['a']);
      });

      it('commits the ledger and the projection together, or neither', async () => {
        const p = `proj-${uid()}`;
        const id = `exp-${uid()}`;
        await db.experiments.upsert(experiment(id));
        await expect(
          db.transaction(async (tx) => {
            expect(await tx.processed.markProcessed(p, ['e1'])).toEqual(['e1']);
            await tx.experiments.setStarted(id, 5);
            await tx.traces.insertMany([trace(`${uid()}:tx`, id, 1)]);
            throw new Error('projection failed');
          }),
        ).rejects.toThrow('projection failed');
        expect(await db.processed.wasProcessed(p, 'e1')).toBe(false);
        expect(await db.experiments.get(id)).toMatchObject({ status: 'QUEUED', start: null });
        expect(await db.traces.count({ experimentId: id })).toBe(0);

        const fresh = await db.transaction(async (tx) => {
          const ids = await tx.processed.markProcessed(p, ['e1']);
          if (ids.length > 0) await tx.experiments.setStarted(id, 5);
          return ids;
        });
        expect(fresh).toEqual(['e1']);
        expect(await db.experiments.get(id)).toMatchObject({ status: 'IN_PROGRESS', start: 5 });
      });

      it('bulk-inserts inside a transaction too, idempotently', async () => {
        const exp = `exp-${uid()}`;
        const rows = Array.from({ length: 1200 }, (_, i) => trace(`${uid()}:t${i}`, exp, i));
        const result = await db.transaction(async (tx) => {
          const first = await tx.traces.insertMany(rows);
          const second = await tx.traces.insertMany(rows.slice(0, 100));
          return [first.inserted, second.duplicates];
        });
        expect(result).toEqual([1200, 100]);
        expect(await db.traces.count({ experimentId: exp })).toBe(1200);
      });

      it('applies a redelivered event once when consumers race', async () => {
        const p = `proj-${uid()}`;
        const ids = Array.from({ length: 20 }, (_, i) => `ev-${i}`);
        const results = await Promise.all(
          [0, 1, 2].map(() => db.transaction((tx) => tx.processed.markProcessed(p, ids))),
        );
        expect(results.flat().sort()).toEqual([...ids].sort());
      });
    });
  });
}
