import { InvalidEventError, RemoteError } from '@galileo/bus';
import { galileoSubjects } from '@galileo/events';
import { createSampleApp } from '@galileo/sample-app';
import { delay, freePort, waitFor } from '@galileo/testing';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HEARTBEAT_TTL_INTERVALS } from './heartbeat.js';
import { parseTraceLine } from './trace-line.js';
import { startSlowServer } from './test-support/slow-server.js';
import { tracesArrived, workerFixture, type WorkerFixture } from './test-support/worker-fixture.js';
import { workerKeys } from '@galileo/workers';

const appsDir = fileURLToPath(new URL('../apps', import.meta.url));

let fx: WorkerFixture;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  await fx?.cleanup();
});

describe('worker registration', () => {
  it('registers in galileo:workers with its labels (never a secret), a heartbeat, and answers ping', async () => {
    fx = await workerFixture('worker-registration');
    const events = await fx.collectWorkerEvents();
    await fx.startWorker({
      env: {
        galileo_zone: 'A',
        galileo_redis_password: 'hunter2',
        galileo_expdb_influxdb_token: 'hunter2',
        galileo_redis_url: 'redis://:hunter2@127.0.0.1:6379',
        galileo_worker_heartbeat_interval: '1s',
      },
    });
    const keys = workerKeys(fx.ctx.prefix);
    expect(await fx.ctx.redis.smembers(keys.workers)).toEqual(['w1']);
    const labels = await fx.ctx.redis.hgetall(keys.labels('w1'));
    expect(labels).toMatchObject({ galileo_zone: 'A', galileo_worker_name: 'w1' });
    expect(JSON.stringify(labels)).not.toContain('hunter2');
    const ttl = await fx.ctx.redis.pttl(keys.heartbeat('w1'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(HEARTBEAT_TTL_INTERVALS * 1_000);

    expect(await fx.client.ping('w1')).toMatchObject({ name: 'w1', tracing: true, groups: 0 });
    const all = await fx.client.pingAll({ timeoutMs: 500 });
    expect(all).toEqual([{ ok: true, result: expect.objectContaining({ name: 'w1' }) }]);
    await waitFor(() => events.some((e) => e.type === 'WorkerRegistered'), { what: 'WorkerRegistered' });
    const registered = events.find((e) => e.type === 'WorkerRegistered');
    expect(JSON.stringify(registered)).not.toContain('hunter2');
  });
});

describe('client groups and traces', () => {
  it('sends exactly n requests per client and turns each into an 11-field trace of the experiment', async () => {
    fx = await workerFixture('worker-exactly-n');
    await fx.startWorker();
    const collected = await fx.collectTraces();
    const events = await fx.collectWorkerEvents();
    const group = await fx.client.spawn('w1', { service: 'svc', clients: 2 }, { experimentId: 'exp-42' });
    expect(group).toMatchObject({ groupId: 'w1:svc:g0', clientIds: ['w1:svc:0', 'w1:svc:1'], state: 'idle' });
    const keys = workerKeys(fx.ctx.prefix);
    expect((await fx.ctx.redis.smembers(keys.clients('w1'))).sort()).toEqual(['w1:svc:0', 'w1:svc:1']);
    expect(JSON.parse((await fx.ctx.redis.get(keys.client('w1:svc:0')))!)).toEqual([
      'w1:svc:0',
      'w1',
      ['svc', null, null, null],
    ]);

    await fx.client.setWorkload(group, { rate: 200, n: 7 }, { experimentId: 'exp-42' });
    await waitFor(() => events.some((e) => e.type === 'WorkloadDone'), { what: 'WorkloadDone' });
    // WorkloadDone is published after the traces were flushed
    expect(collected.traces.length).toBe(14);
    await delay(100);
    expect(collected.traces.length).toBe(14); // exactly n, not n − 1 or n + 1
    const done = events.find((e) => e.type === 'WorkloadDone');
    expect(done).toMatchObject({
      correlationId: 'exp-42',
      data: { worker: 'w1', groupId: 'w1:svc:g0', service: 'svc', requests: 14 },
    });

    for (const { trace, correlationId } of collected.traces) {
      expect(Object.keys(trace)).toEqual([
        'request_id',
        'client',
        'service',
        'created',
        'sent',
        'done',
        'status',
        'server',
        'exp_id',
        'headers',
        'response',
      ]);
      expect(trace.request_id).toMatch(/^[0-9a-f]{10}:[1-7]$/);
      expect(trace).toMatchObject({ service: 'svc', status: 200, server: fx.appHost, exp_id: 'exp-42' });
      expect(correlationId).toBe('exp-42');
      expect(trace.sent).toBeGreaterThanOrEqual(trace.created - 0.001);
      expect(trace.done).toBeGreaterThan(trace.sent);
      expect(JSON.parse(trace.headers!)).toMatchObject({ 'x-sample-app': 'sample-app' });
      expect(JSON.parse(trace.response!)).toMatchObject({ method: 'GET', path: '/' });
    }
    for (const client of ['w1:svc:0', 'w1:svc:1']) {
      const counters = collected.traces
        .filter((t) => t.trace.client === client)
        .map((t) => Number(t.trace.request_id.split(':')[1]))
        .sort();
      expect(counters).toEqual([1, 2, 3, 4, 5, 6, 7]);
    }

    const [info] = (await fx.client.info('w1', group.groupId)).groups;
    expect(info).toMatchObject({ state: 'done', requests: 14, failures: 0, inFlight: 0, dropped: 0 });
    expect(info!.latencyMs.serviceTime.count).toBe(14);
    expect(info!.latencyMs.responseTime.p50).toBeGreaterThanOrEqual(info!.latencyMs.serviceTime.p50);

    const closed = await fx.client.close(group);
    expect(closed.state).toBe('closed');
    expect(await fx.ctx.redis.exists(keys.clients('w1'), keys.client('w1:svc:0'))).toBe(0);
    await expect(fx.client.info('w1', group.groupId)).rejects.toThrow(/No client group/);
  });

  it('records a request to a service without a routing record as a trace with status −1 and the reason', async () => {
    fx = await workerFixture('worker-no-route');
    await fx.startWorker();
    const collected = await fx.collectTraces();
    const group = await fx.client.spawn('w1', { service: 'nosuch' }, { experimentId: 'exp-spawned' });
    await fx.client.setWorkload(group, { rate: 500, n: 3 }); // no experiment of its own: the spawn's
    const traces = await tracesArrived(collected, 3);
    for (const { trace } of traces) {
      expect(trace).toMatchObject({
        exp_id: 'exp-spawned',
        service: 'nosuch',
        status: -1,
        sent: -1,
        server: null,
        headers: null,
        response: "No routing record found for service 'nosuch'",
      });
    }
    const [info] = (await fx.client.info('w1', group.groupId)).groups;
    expect(info).toMatchObject({ requests: 3, failures: 3 });
  });

  it('picks up a routing table update within 100 ms', async () => {
    fx = await workerFixture('worker-rtbl');
    const second = createSampleApp({ host: '127.0.0.1', name: 'second' });
    const { port } = await second.start();
    closers.push(() => second.stop());
    await fx.startWorker();
    const collected = await fx.collectTraces();
    const group = await fx.client.spawn('w1', { service: 'svc' });
    await fx.client.setWorkload(group, { rate: 200 });
    await tracesArrived(collected, 20);
    const changedAt = Date.now() / 1000;
    await fx.table.setRecord({ service: 'svc', hosts: [`127.0.0.1:${port}`] });
    await waitFor(() => collected.traces.some((t) => t.trace.sent > changedAt + 0.2), {
      what: 'traces after the update',
    });
    await fx.client.pause(group);
    const stale = collected.traces.filter(
      (t) => t.trace.sent > changedAt + 0.1 && t.trace.server !== `127.0.0.1:${port}`,
    );
    expect(stale).toEqual([]);
    expect(collected.traces.some((t) => t.trace.server === `127.0.0.1:${port}`)).toBe(true);
  });

  it('bounds outstanding requests: what cannot leave is dropped and counted, never delayed', async () => {
    fx = await workerFixture('worker-dropped');
    const slow = await startSlowServer(300);
    closers.push(() => slow.close());
    await fx.table.setRecord({ service: 'slow', hosts: [slow.host] });
    await fx.startWorker();
    const collected = await fx.collectTraces();
    const group = await fx.client.spawn('w1', { service: 'slow', maxInFlight: 2 });
    await fx.client.setWorkload(group, { rate: 100, n: 10 });
    await waitFor(async () => (await fx.client.info('w1', group.groupId)).groups[0]?.state === 'done', {
      what: 'the workload to end',
    });
    const [info] = (await fx.client.info('w1', group.groupId)).groups;
    expect(info).toMatchObject({ requests: 2, dropped: 8, failures: 0, inFlight: 0 });
    expect(await tracesArrived(collected, 2)).toHaveLength(2);
  });

  it('runs a client app from the apps directory with the group parameters', async () => {
    fx = await workerFixture('worker-client-app');
    await fx.startWorker({ env: { galileo_apps_dir: appsDir } });
    const collected = await fx.collectTraces();
    const group = await fx.client.spawn('w1', {
      service: 'svc',
      client: 'counter',
      parameters: { path: '/counted' },
    });
    expect(group.client).toBe('counter');
    await fx.client.setWorkload(group, { rate: 200, n: 3 });
    const traces = await tracesArrived(collected, 3);
    expect(traces.map((t) => JSON.parse(t.trace.response!).path)).toEqual([
      '/counted',
      '/counted',
      '/counted',
    ]);
    expect(JSON.parse((await fx.ctx.redis.get(workerKeys(fx.ctx.prefix).client('w1:svc:0')))!)).toEqual([
      'w1:svc:0',
      'w1',
      ['svc', 'counter', { path: '/counted' }, null],
    ]);
  });

  it('replays a prerecorded profile read (and removed) from the Redis list named by the client id', async () => {
    fx = await workerFixture('worker-prerecorded');
    await fx.startWorker();
    const collected = await fx.collectTraces();
    const group = await fx.client.spawn('w1', { service: 'svc' });
    const key = workerKeys(fx.ctx.prefix).prerecorded('w1:svc:0');
    // galileo-experiments LPUSHes the profile: the list holds it backwards
    await fx.ctx.redis.lpush(key, '0.01', '0.03', '0', '0.02');
    await fx.client.setWorkload(group, { process: 'prerecorded', params: ['ran'] });
    expect(await fx.ctx.redis.exists(key)).toBe(0);
    const traces = (await tracesArrived(collected, 4))
      .map((t) => t.trace)
      .sort((a, b) => a.created - b.created);
    const gaps = traces.slice(1).map((t, i) => t.created - traces[i]!.created);
    expect(gaps[0]).toBeCloseTo(0.03, 6);
    expect(gaps[1]).toBeCloseTo(0, 6);
    expect(gaps[2]).toBeCloseTo(0.02, 6);
    await waitFor(async () => (await fx.client.info('w1')).groups[0]?.state === 'done', { what: 'done' });
  });

  it('pauses and resumes tracing on every worker; requests go on meanwhile', async () => {
    fx = await workerFixture('worker-tracing');
    await fx.startWorker();
    const collected = await fx.collectTraces();
    const group = await fx.client.spawn('w1', { service: 'svc' });
    expect(await fx.client.pauseTracing(undefined, { timeoutMs: 300 })).toEqual([
      { ok: true, result: { name: 'w1', tracing: false } },
    ]);
    await fx.client.setWorkload(group, { rate: 500, n: 5 });
    await waitFor(async () => (await fx.client.info('w1')).groups[0]?.state === 'done', { what: 'done' });
    await delay(150);
    expect(collected.traces).toHaveLength(0);
    expect(await fx.client.startTracing('w1')).toEqual([{ ok: true, result: { name: 'w1', tracing: true } }]);
    await fx.client.setWorkload(group, { rate: 500, n: 3 });
    await tracesArrived(collected, 3);
    expect((await fx.client.info('w1')).groups[0]).toMatchObject({ requests: 8 });
  });

  it('mirrors traces as galileo lines on galileo/results/traces with galileo_trace_logging=redis', async () => {
    fx = await workerFixture('worker-mirror');
    const keys = workerKeys(fx.ctx.prefix);
    const listener = fx.ctx.connect();
    const lines: string[] = [];
    listener.on('message', (_channel: string, line: string) => lines.push(line));
    await listener.subscribe(keys.tracesChannel);
    await fx.startWorker({ env: { galileo_trace_logging: 'redis' } });
    const collected = await fx.collectTraces();
    const group = await fx.client.spawn('w1', { service: 'svc' });
    await fx.client.setWorkload(group, { rate: 500, n: 4 }, { experimentId: 'exp-7' });
    const traces = await tracesArrived(collected, 4);
    await waitFor(() => lines.length === 4, { what: '4 trace lines' });
    const parsed = lines.map((line) => parseTraceLine(line));
    for (const p of parsed) expect(p.ok).toBe(true);
    const byId = new Map(traces.map((t) => [t.trace.request_id, t.trace]));
    for (const p of parsed) {
      if (!p.ok) continue;
      const original = byId.get(p.value.request_id)!;
      expect(p.value).toEqual({
        ...original,
        created: expect.closeTo(original.created, 6),
        sent: expect.closeTo(original.sent, 6),
        done: expect.closeTo(original.done, 6),
      });
      expect(p.value.exp_id).toBe('exp-7');
    }
  });
});

describe('bad commands are answered with a reason', () => {
  it('answers each with what was wrong', async () => {
    fx = await workerFixture('worker-bad-commands');
    await fx.startWorker();
    const group = await fx.client.spawn('w1', { service: 'svc' });
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => fx.client.setWorkload(group, { rate: -5 }), /rate: must be ≥ 0, got -5/],
      [
        () => fx.client.setWorkload(group, { process: 'zipf', params: [1] }),
        /Unknown arrival process 'zipf'/,
      ],
      [() => fx.client.setWorkload(group, { process: 'gammavariate', params: [2] }), /beta: is required/],
      [() => fx.client.setWorkload(group, { process: 'expovariate', params: [-1] }), /lambd: must be > 0/],
      [() => fx.client.setWorkload(group, { rate: 10, n: 2.5 }), /n: /],
      [() => fx.client.setWorkload(group, { n: 10 }), /nothing says when requests leave/],
      [
        () => fx.client.setWorkload(group, { process: 'prerecorded' }),
        /profile of client 'w1:svc:0' is empty/,
      ],
      [
        () => fx.client.setWorkload({ worker: 'w1', groupId: 'nope' }, { rate: 1 }),
        /No client group 'nope' on worker 'w1'; its groups are w1:svc:g0/,
      ],
      [() => fx.client.pause({ worker: 'w1', groupId: 'nope' }), /No client group 'nope'/],
      [() => fx.client.close({ worker: 'w1', groupId: 'nope' }), /No client group 'nope'/],
      [() => fx.client.spawn('w1', { service: 'svc', clients: 0 }), /clients: must be an integer from 1/],
      [
        () => fx.client.spawn('w1', { service: 'svc', parameters: { method: 'GET /' } }),
        /method: must be an HTTP method/,
      ],
      [() => fx.client.spawn('w1', { service: 'svc', parameters: { pth: '/' } }), /unknown key\(s\) 'pth'/],
      [() => fx.client.spawn('w1', { service: 'svc', client: 'nope' }), /No client app 'nope'/],
      [() => fx.client.spawn('w1', { service: 'svc', client: '../etc' }), /Invalid client app name/],
    ];
    for (const [command, reason] of cases) {
      const error = await command().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, String(reason)).toBeInstanceOf(RemoteError);
      expect((error as Error).message).toMatch(reason);
    }
    // an event that is no command, on a command subject
    await expect(
      fx.bus.request(galileoSubjects.workerCommand('w1', 'x'), {
        type: 'GalileoEvent',
        data: { name: 'hello', value: 1, timestamp: 1 },
      }),
    ).rejects.toThrow(/GalileoEvent is not a worker command/);
    // a payload of the wrong shape never leaves the sender
    await expect(fx.client.setWorkload(group, { rate: '5' as unknown as number })).rejects.toBeInstanceOf(
      InvalidEventError,
    );
    // the group survived all of it
    expect((await fx.client.info('w1')).groups.map((g) => g.state)).toEqual(['idle']);
  });
});

describe('observability and shutdown', () => {
  it('serves /healthz and /metrics', async () => {
    fx = await workerFixture('worker-http');
    const port = await freePort();
    const worker = await fx.startWorker({
      env: { galileo_worker_http_port: String(port), galileo_worker_http_host: '127.0.0.1' },
    });
    expect(worker.httpPort).toBe(port);
    const group = await fx.client.spawn('w1', { service: 'svc' });
    await fx.client.setWorkload(group, { rate: 500, n: 5 });
    await waitFor(async () => (await fx.client.info('w1')).groups[0]?.state === 'done', { what: 'done' });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ healthy: true, name: 'w1', groups: 1 });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('galileo_worker_requests_total{service="svc",group="w1:svc:g0"} 5');
    expect(metrics).toContain('galileo_worker_dropped_requests_total{service="svc",group="w1:svc:g0"} 0');
    expect(metrics).toMatch(
      /galileo_worker_latency_seconds\{service="svc",group="w1:svc:g0",measure="response_time",quantile="0.99"\} \d/,
    );
    expect(metrics).toContain('galileo_worker_in_flight');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });

  it('logs commands with the experiment id', async () => {
    fx = await workerFixture('worker-logs');
    const log = fx.testLogger();
    await fx.startWorker({ logger: log.logger });
    const group = await fx.client.spawn('w1', { service: 'svc' }, { experimentId: 'exp-9' });
    await fx.client.setWorkload(group, { rate: -1 }, { experimentId: 'exp-9' }).catch(() => undefined);
    const lines = log.lines();
    expect(lines).toContainEqual(
      expect.objectContaining({ experimentId: 'exp-9', command: 'SpawnClientGroup', msg: 'command done' }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        experimentId: 'exp-9',
        command: 'SetWorkload',
        msg: 'command rejected',
        reason: expect.stringContaining('rate'),
      }),
    );
  });

  it('stops gracefully: outstanding requests finish, traces are flushed, the worker is unregistered', async () => {
    fx = await workerFixture('worker-stop');
    const slow = await startSlowServer(300);
    closers.push(() => slow.close());
    await fx.table.setRecord({ service: 'slow', hosts: [slow.host] });
    const worker = await fx.startWorker();
    const collected = await fx.collectTraces();
    const events = await fx.collectWorkerEvents();
    const group = await fx.client.spawn('w1', { service: 'slow' });
    await fx.client.setWorkload(group, { rate: 200 });
    await waitFor(() => worker.info().groups[0]!.inFlight >= 5, { what: '5 requests in flight' });
    const stopping = worker.stop();
    const keys = workerKeys(fx.ctx.prefix);
    await waitFor(async () => !(await fx.ctx.redis.sismember(keys.workers, 'w1')), {
      timeoutMs: 100,
      what: 'unregistered at once',
    });
    await stopping;
    const [final] = worker.info().groups;
    expect(final).toMatchObject({ state: 'closed', inFlight: 0 });
    expect(await fx.ctx.redis.exists(keys.heartbeat('w1'), keys.clients('w1'))).toBe(0);
    // every request sent got its trace, published before stop() returned, and none was cut off
    const traces = await tracesArrived(collected, final!.requests, 2_000);
    expect(traces).toHaveLength(final!.requests);
    expect(traces.every((t) => t.trace.status === 200)).toBe(true);
    await waitFor(() => events.some((e) => e.type === 'WorkerUnregistered'), { what: 'WorkerUnregistered' });
    expect(events.find((e) => e.type === 'WorkerUnregistered')).toMatchObject({
      data: { name: 'w1', reason: 'shutdown' },
    });
  });
});
