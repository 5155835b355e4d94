import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { experimentSubjects, galileoSubjects, type GalileoCatalogue } from '@galileo/events';
import type { PublishItem } from '@galileo/bus';
import {
  exportVictoriaSeries,
  startPrivateVictoriaMetrics,
  waitFor,
  type PrivateVictoriaMetrics,
} from '@galileo/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recorderFixture, testTrace, type RecorderFixture } from './test-support/recorder-fixture.js';

// VictoriaMetrics stands in for InfluxDB's write API. A private one with deduplication on behaves
// like InfluxDB for a point written twice (same series key and timestamp: one point), so the test
// can tell "stored once" from "stored twice and overwritten".
let vm: PrivateVictoriaMetrics;
beforeAll(async () => {
  vm = await startPrivateVictoriaMetrics({ dedupMs: 1 });
});
afterAll(() => vm.destroy());

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const rand = () => Math.random().toString(36).slice(2, 10);

async function fixture(
  driver: 'mixed' | 'sqlite',
  env: Record<string, string> = {},
): Promise<RecorderFixture> {
  const f = await recorderFixture({ driver, influxUrl: vm.url, env });
  cleanups.push(() => f.cleanup());
  return f;
}

async function startExperiment(f: RecorderFixture, id: string, start: number) {
  await f.bus.publish(experimentSubjects.lifecycle(id, 'ExperimentQueued'), {
    type: 'ExperimentQueued',
    data: {
      experiment: { id, name: `name-${id}`, creator: 'test', created: start - 1 },
      instructions: 'sleep 1',
      form: 'instructions',
      daemon: 'd1',
    },
    correlationId: id,
  });
  await f.bus.publish(experimentSubjects.lifecycle(id, 'ExperimentStarted'), {
    type: 'ExperimentStarted',
    data: { id, start, daemon: 'd1' },
    correlationId: id,
  });
}

async function vmCount(match: string): Promise<number> {
  const series = await exportVictoriaSeries(vm.url, match);
  return series.reduce((n, s) => n + s.values.length, 0);
}

describe('recorder: the bus into MariaDB and InfluxDB (mixed)', () => {
  it('records traces, telemetry, events, node infos and metadata, attributed to the experiment, once', async () => {
    const f = await fixture('mixed', { galileo_recorder_ingest_pubsub: 'true' });
    const exp = `exp-${rand()}`;
    const node = `node-${rand()}`;
    await f.t.redis.hset(`${f.t.prefix}telemd.info:${node}`, { arch: 'amd64', cpus: '2', ram: '1000' });
    const start = Date.now() / 1000 - 5;
    await startExperiment(f, exp, start);
    const r = await f.recorder();
    cleanups.push(() => r.close());
    await r.recorder.start();

    const traces = Array.from({ length: 600 }, (_, i) => testTrace(i % 2 ? exp : null, i));
    const items: PublishItem<GalileoCatalogue>[] = traces.map((t) => ({
      subject: galileoSubjects.traces(t.service),
      draft: { type: 'TraceRecorded', data: t, correlationId: exp },
    }));
    await f.bus.publishBatch(items);
    await f.bus.publishBatch(items.slice(0, 200)); // delivered again (a producer retry): no second row or point
    const now = Date.now() / 1000;
    await f.bus.publishBatch(
      Array.from({ length: 50 }, (_, i) => ({
        subject: galileoSubjects.telemetry(node, 'cpu'),
        draft: {
          type: 'TelemetryReported' as const,
          data: {
            node,
            metric: 'cpu',
            subsystem: i % 2 ? null : 'c0',
            timestamp: now - 1 + i * 0.01,
            value: i,
          },
        },
      })),
    );
    await f.bus.publish(galileoSubjects.events('scale_schedule'), {
      type: 'GalileoEvent',
      data: { name: 'scale_schedule', value: { fn: 'resnet' }, timestamp: now },
      correlationId: exp,
    });
    // an outside producer (galileo's exp.event) on pub/sub, attributed by time
    const eventName = `mark_${rand()}`;
    await f.t.redis.publish('galileo/events', `${now} ${eventName} hello world`);

    const db = f.db!;
    await waitFor(async () => (await db.traces.count({ experimentId: exp })) === 600, {
      what: '600 traces in MariaDB',
      timeoutMs: 20_000,
    });
    await waitFor(async () => (await db.telemetry.count({ experimentId: exp, node })) === 50, {
      what: 'telemetry',
    });
    await waitFor(async () => (await db.events.list({ experimentId: exp })).length === 2, {
      what: 'two events',
    });
    const events = await db.events.list({ experimentId: exp });
    expect(events.map((e) => [e.name, e.value]).sort()).toEqual(
      [
        [eventName, 'hello world'],
        ['scale_schedule', '{"fn":"resnet"}'],
      ].sort(),
    );
    expect(await db.nodeinfo.list(exp)).toEqual([
      { experimentId: exp, node, info: { arch: 'amd64', cpus: '2', ram: '1000' } },
    ]);
    expect(await db.metadata.get(exp)).toMatchObject({ name: `name-${exp}`, creator: 'test', exp_id: exp });

    const [first] = await db.traces.list({ experimentId: exp, limit: 1 });
    expect(first).toMatchObject({
      requestId: traces[0]!.request_id,
      experimentId: exp,
      status: 200,
      server: 'host1:8080',
    });

    await waitFor(async () => (await vmCount(`traces_done{exp_id="${exp}"}`)) === 600, {
      what: '600 trace points',
      timeoutMs: 20_000,
    });
    await waitFor(async () => (await vmCount(`telemetry_value{exp_id="${exp}",node="${node}"}`)) === 50, {
      what: '50 telemetry points',
    });
    await waitFor(async () => (await vmCount(`events_ts{exp_id="${exp}"}`)) === 2, {
      what: '2 event points',
    });
    // and nothing more arrives later
    await new Promise((res) => setTimeout(res, 500));
    expect(await db.traces.count({ experimentId: exp })).toBe(600);
    expect(await vmCount(`traces_done{exp_id="${exp}"}`)).toBe(600);
    expect((await r.recorder.lag()).pending).toBe(0);
  });
});

describe("recorder: TraceBatchRecorded (the worker's form)", () => {
  it('stores every trace of batch events once, batches split where a store batch fills, redelivery included', async () => {
    // store batches of 64 traces: events of 50 straddle them
    const f = await fixture('mixed', { galileo_recorder_batch_size: '64' });
    const exp = `exp-${rand()}`;
    await startExperiment(f, exp, Date.now() / 1000 - 5);
    const r = await f.recorder();
    cleanups.push(() => r.close());
    await r.recorder.start();
    const base = Date.now() / 1000;
    const events = (from: number) =>
      Array.from({ length: 10 }, (_, e) => ({
        subject: galileoSubjects.traces('svc'),
        draft: {
          type: 'TraceBatchRecorded' as const,
          data: { traces: Array.from({ length: 50 }, (_, i) => testTrace(exp, from + e * 50 + i, base)) },
          correlationId: exp,
        },
      }));
    await f.bus.publishBatch(events(0));
    // the same traces again (a worker's publish retried): no second row or point
    await f.bus.publishBatch(events(0));
    await f.bus.publishBatch(events(500));
    const db = f.db!;
    await waitFor(async () => (await db.traces.count({ experimentId: exp })) === 1000, {
      what: '1,000 traces in MariaDB',
    });
    await waitFor(async () => (await vmCount(`traces_done{exp_id="${exp}"}`)) === 1000, {
      what: '1,000 trace points',
      timeoutMs: 20_000,
    });
    await waitFor(async () => (await r.recorder.lag()).pending === 0, { what: 'every event acknowledged' });
    await new Promise((res) => setTimeout(res, 300));
    expect(await db.traces.count({ experimentId: exp })).toBe(1000);
    expect(await vmCount(`traces_done{exp_id="${exp}"}`)).toBe(1000);
    expect(r.recorder.stats().stored.sql!.traces).toBe(1500);
  });
});

describe('recorder: embedded mode (SQLite, the same code path)', () => {
  it('stores traces, telemetry, events and node infos in SQLite', async () => {
    const f = await fixture('sqlite');
    const exp = `exp-${rand()}`;
    await f.t.redis.hset(`${f.t.prefix}telemd.info:n1`, { arch: 'arm64' });
    await startExperiment(f, exp, Date.now() / 1000 - 5);
    const r = await f.recorder();
    cleanups.push(() => r.close());
    await r.recorder.start();
    await f.bus.publishBatch(
      Array.from({ length: 100 }, (_, i) => ({
        subject: galileoSubjects.traces('svc'),
        draft: { type: 'TraceRecorded' as const, data: testTrace(exp, i) },
      })),
    );
    await f.bus.publish(galileoSubjects.telemetry('n1', 'ram'), {
      type: 'TelemetryReported',
      data: { node: 'n1', metric: 'ram', subsystem: null, timestamp: Date.now() / 1000, value: 512 },
    });
    await f.bus.publish(galileoSubjects.events('note'), {
      type: 'GalileoEvent',
      data: { name: 'note', value: 'x', timestamp: Date.now() / 1000 },
    });
    const db = f.db!;
    await waitFor(async () => (await db.traces.count({ experimentId: exp })) === 100, {
      what: 'traces in SQLite',
    });
    await waitFor(async () => (await db.telemetry.count({ experimentId: exp })) === 1, {
      what: 'telemetry in SQLite',
    });
    await waitFor(async () => (await db.events.list({ experimentId: exp })).length === 1, {
      what: 'event in SQLite',
    });
    expect(await db.nodeinfo.list(exp)).toEqual([{ experimentId: exp, node: 'n1', info: { arch: 'arm64' } }]);
    expect(r.recorder.stats().stored.influx).toBeUndefined();
  });
});

describe('recorder: malformed input', () => {
  it('counts and logs 1,000 malformed lines (and undecodable bus entries) and keeps recording', async () => {
    const f = await fixture('mixed', {
      galileo_recorder_ingest_trace_lines: 'true',
      galileo_recorder_ingest_pubsub: 'true',
    });
    const exp = `exp-${rand()}`;
    await startExperiment(f, exp, Date.now() / 1000 - 5);
    const r = await f.recorder();
    cleanups.push(() => r.close());
    await r.recorder.start();
    const node = `bad-${rand()}`;
    const pub = f.t.connect();
    const p = pub.pipeline();
    for (let i = 0; i < 400; i++)
      p.publish(`telem/${node}/cpu`, i % 2 ? 'garbage' : `${Date.now() / 1000} not-a-number`);
    for (let i = 0; i < 300; i++)
      p.publish(
        `${f.t.prefix}galileo/results/traces`,
        i % 2 ? 'a,b,c' : `r${i},c,svc,x,1,2,200,h,None,None,None`,
      );
    for (let i = 0; i < 300; i++) p.publish('galileo/events', i % 2 ? 'not-a-timestamp name value' : '');
    await p.exec();
    for (let i = 0; i < 50; i++) {
      await f.t.redis.xadd(
        `${f.t.prefix}bus:galileo.traces`,
        '*',
        's',
        'galileo.traces.svc',
        'e',
        i % 2 ? '{broken' : '{"type":"TraceRecorded","data":{}}',
      );
    }
    await waitFor(() => r.recorder.stats().malformed >= 1050, {
      what: '1,050 malformed counted',
      timeoutMs: 20_000,
    });
    // still alive and recording
    await f.bus.publish(galileoSubjects.traces('svc'), { type: 'TraceRecorded', data: testTrace(exp, 1) });
    await f.t.redis.publish(
      `${f.t.prefix}galileo/results/traces`,
      `${exp}:line,w1:svc:0,svc,${Date.now() / 1000},${Date.now() / 1000},${Date.now() / 1000 + 0.1},200,h:1,${exp},{"a": "b"| "c": "d"},line1\\nline2`,
    );
    await waitFor(async () => (await f.db!.traces.count({ experimentId: exp })) === 2, {
      what: 'valid traces after the garbage',
    });
    const [line] = await f
      .db!.traces.list({ experimentId: exp, service: 'svc', limit: 2 })
      .then((l) => l.filter((t) => t.requestId.endsWith(':line')));
    expect(line).toMatchObject({ headers: '{"a": "b", "c": "d"}', response: 'line1\nline2' });
  });
});

describe('recorder: one bucket per experiment (driver influxdb)', () => {
  // An HTTP double of InfluxDB's buckets API (VictoriaMetrics has none), declared as such: it
  // answers GET/POST /api/v2/buckets itself and passes /api/v2/write on to VictoriaMetrics,
  // noting the bucket each write names.
  it('creates the bucket through /api/v2/buckets when the experiment starts and writes its points there', async () => {
    const buckets = new Set<string>();
    const created: string[] = [];
    const writtenTo = new Set<string>();
    const double = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url!, 'http://double');
        const body = Buffer.concat(chunks);
        if (url.pathname === '/api/v2/buckets' && req.method === 'GET') {
          const name = url.searchParams.get('name')!;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ buckets: buckets.has(name) ? [{ name }] : [] }));
        } else if (url.pathname === '/api/v2/buckets' && req.method === 'POST') {
          const { name } = JSON.parse(body.toString()) as { name: string };
          buckets.add(name);
          created.push(name);
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ name }));
        } else if (url.pathname === '/api/v2/write') {
          const bucket = url.searchParams.get('bucket')!;
          if (!buckets.has(bucket)) return void res.writeHead(404).end(`bucket "${bucket}" not found`);
          writtenTo.add(bucket);
          fetch(`${vm.url}${req.url}`, { method: 'POST', body }).then(
            (r) => res.writeHead(r.status).end(),
            () => res.writeHead(502).end(),
          );
        } else res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => double.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => double.close(() => r())));
    const f = await recorderFixture({
      driver: 'influxdb',
      influxUrl: `http://127.0.0.1:${(double.address() as AddressInfo).port}`,
    });
    cleanups.push(() => f.cleanup());
    const exp = `bucket-${rand()}`;
    await startExperiment(f, exp, Date.now() / 1000 - 5);
    const r = await f.recorder();
    cleanups.push(() => r.close());
    await r.recorder.start();
    await waitFor(() => created.includes(exp), { what: 'the bucket created at the start' });
    await f.bus.publishBatch(
      Array.from({ length: 20 }, (_, i) => ({
        subject: galileoSubjects.traces('svc'),
        draft: { type: 'TraceRecorded' as const, data: testTrace(exp, i) },
      })),
    );
    await waitFor(async () => (await vmCount(`traces_done{exp_id="${exp}"}`)) === 20, { what: '20 points' });
    expect([...writtenTo]).toEqual([exp]);
    expect(created).toEqual([exp]); // once
    expect(r.recorder.stats().stored).toEqual({ influx: { traces: 20, telemetry: 0, events: 0 } });
  });
});
