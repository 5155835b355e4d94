import { join } from 'node:path';
import { createBus } from '@galileo/bus';
import { openDatabase } from '@galileo/db';
import { experimentSubjects, galileoCatalogue, type CancelOutcome } from '@galileo/events';
import {
  createExperimentDaemon,
  loadExperimentDaemonConfig,
  rebuildExperimentsProjection,
  type ExperimentDaemon,
} from '@galileo/experiment-daemon';
import { experimentQueueKeys, stampMessage } from '@galileo/experiment-queue';
import { createLogger } from '@galileo/logging';
import { delay, waitFor } from '@galileo/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createApi } from './api.js';
import { createZip } from './apps/zip.js';
import { apiFixture, type ApiFixture } from './test-support/api-fixture.js';

const fixtures: ApiFixture[] = [];
const daemons: ExperimentDaemon[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop();
  for (const f of fixtures.splice(0)) await f.cleanup();
});
async function start(options: Parameters<typeof apiFixture>[1] = {}) {
  const f = await apiFixture('api', options);
  fixtures.push(f);
  return f;
}

const configurationBody = (over: Record<string, unknown> = {}) => ({
  experiment: { name: 'e1', creator: 'me' },
  configuration: {
    duration: '10s',
    interval: '2s',
    workloads: [{ service: 'svc', ticks: [1, 2, 3, 1, 1], clients_per_host: 2, arrival_pattern: 'constant' }],
    ...over,
  },
});

/**
 * A real experiment daemon on the fixture's Redis slice and database (its projection writes the
 * rows), kept busy with a long experiment so what the API queues next stays in the queue.
 */
async function startBusyDaemon(f: ApiFixture): Promise<ExperimentDaemon> {
  const loaded = loadExperimentDaemonConfig({
    galileo_redis_key_prefix: f.ctx.prefix,
    galileo_experimentd_name: 'api-test-daemon',
    galileo_experimentd_lease: '1s',
    galileo_logging_level: 'silent',
  });
  if (!loaded.ok) throw loaded.error;
  const redis = f.ctx.connect();
  const daemon = createExperimentDaemon({
    bus: createBus({
      redis,
      catalogue: galileoCatalogue,
      source: 'experiment-daemon',
      prefix: f.ctx.prefix,
      trimIntervalMs: 0,
      streamRefreshMs: 100,
    }),
    redis,
    config: loaded.value,
    logger: createLogger({ service: 'experiment-daemon', level: 'silent' }),
    db: f.db,
  });
  await daemon.start();
  daemons.push(daemon);
  await f.ctx.redis.lpush(queueKey(f), JSON.stringify({ id: 'busy', instructions: 'sleep 60' }));
  await waitFor(() => daemon.status().current === 'busy', { what: 'the daemon to run its long experiment' });
  return daemon;
}

const queueKey = (f: ApiFixture) => experimentQueueKeys(f.ctx.prefix).queue;

async function post(f: ApiFixture, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${f.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('REST API: galileo paths', () => {
  it('GET /api lists the routes sorted by uri, each with a resource type', async () => {
    const f = await start();
    const res = await fetch(`${f.url}/api`);
    expect(res.status).toBe(200);
    const routes = (await res.json()) as { uri: string; type: string }[];
    expect(routes.map((r) => r.uri)).toEqual([...routes.map((r) => r.uri)].sort());
    expect(routes).toContainEqual({ uri: '/api/experiments', type: 'ExperimentsResource' });
    expect(routes).toContainEqual({ uri: '/api/worker', type: 'WorkerResource' });
    // The OpenAPI document describes every listed route.
    const doc = (await (await fetch(`${f.url}/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const r of routes) expect(Object.keys(doc.paths)).toContain(r.uri);
  });

  it('GET /api/worker lists registered worker names', async () => {
    const f = await start();
    expect(await (await fetch(`${f.url}/api/worker`)).json()).toEqual([]);
    await f.registerWorker('w2');
    await f.registerWorker('w1');
    expect(await (await fetch(`${f.url}/api/worker`)).json()).toEqual(['w1', 'w2']);
  });

  it('POST /api/experiments answers 503 without workers', async () => {
    const f = await start();
    const res = await post(f, '/api/experiments', configurationBody());
    expect(res.status).toBe(503);
    expect(((await res.json()) as { description: string }).description).toMatch(/No workers/);
  });

  it('POST /api/experiments queues on galileo:experiments:instructions and answers the id', async () => {
    const f = await start();
    await f.registerWorker('w1');
    const res = await post(f, '/api/experiments', configurationBody());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const id = (await res.json()) as string;
    expect(id).toMatch(/^\d{12}-[0-9a-f]{4}$/);

    const queued = await f.ctx.redis.lrange(experimentQueueKeys(f.ctx.prefix).queue, 0, -1);
    expect(queued).toHaveLength(1);
    const message = JSON.parse(queued[0]!) as {
      experiment: Record<string, unknown>;
      configuration: Record<string, unknown>;
    };
    expect(message.experiment).toMatchObject({
      id,
      name: 'e1',
      creator: 'me',
      status: 'QUEUED',
      start: null,
      end: null,
    });
    expect(message.configuration).toMatchObject({ duration: 10, interval: 2 });

    const one = await fetch(`${f.url}/api/experiments/${id}`);
    expect(one.status).toBe(200);
    const experiment = (await one.json()) as Record<string, unknown>;
    expect(Object.keys(experiment).sort()).toEqual([
      'created',
      'creator',
      'end',
      'id',
      'name',
      'start',
      'status',
    ]);
    expect(experiment).toMatchObject({ id, status: 'QUEUED' });
    const all = (await (await fetch(`${f.url}/api/experiments`)).json()) as { id: string }[];
    expect(all.map((e) => e.id)).toEqual([id]);

    const duplicate = await post(f, '/api/experiments', { ...configurationBody(), experiment: { id } });
    expect(duplicate.status).toBe(409);
  });

  it('POST /api/experiments takes the instruction form too', async () => {
    const f = await start();
    await f.registerWorker('w1');
    const res = await post(f, '/api/experiments', {
      instructions: 'spawn w1 svc 1\nsleep 1\nclose w1 svc',
      id: 'inst-1',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toBe('inst-1');
    const [raw] = await f.ctx.redis.lrange(experimentQueueKeys(f.ctx.prefix).queue, 0, -1);
    expect(JSON.parse(raw!)).toMatchObject({
      id: 'inst-1',
      name: 'inst-1',
      instructions: 'spawn w1 svc 1\nsleep 1\nclose w1 svc',
    });
  });

  it.each([
    [{ experiment: {} }, 'configuration'],
    [configurationBody({ duration: 'ten seconds' }), 'configuration.duration'],
    [configurationBody({ interval: undefined }), 'configuration.interval'],
    [configurationBody({ workloads: [] }), 'configuration.workloads'],
    [
      configurationBody({
        workloads: [{ service: 'svc', ticks: [1], clients_per_host: 1, arrival_pattern: 'constant' }],
      }),
      'configuration.workloads[0].ticks',
    ],
    [
      configurationBody({
        workloads: [
          { service: 'svc', ticks: [1, 1, 1, 1, 1], clients_per_host: 0, arrival_pattern: 'constant' },
        ],
      }),
      'configuration.workloads[0].clients_per_host',
    ],
    [
      configurationBody({ workloads: [{ service: 'svc', ticks: [1, 1, 1, 1, 1], clients_per_host: 1 }] }),
      'configuration.workloads[0].arrival_pattern',
    ],
    [
      configurationBody({
        workloads: [
          {
            service: 'svc',
            ticks: [1, 1, 1, 1, 1],
            clients_per_host: 1,
            arrival_pattern: 'constant',
            colour: 'red',
          },
        ],
      }),
      'configuration.workloads[0].colour',
    ],
    [{ instructions: '   ' }, 'instructions'],
    [[1, 2], '(body)'],
  ])('POST /api/experiments answers 400 naming the field (%#)', async (body, field) => {
    const f = await start();
    await f.registerWorker('w1');
    const res = await post(f, '/api/experiments', body);
    expect(res.status).toBe(400);
    const error = (await res.json()) as { title: string; description: string; field: string };
    expect(error.title).toBe('400 Bad Request');
    expect(error.field).toBe(field);
    expect(error.description.length).toBeGreaterThan(5);
    expect(await f.ctx.redis.llen(experimentQueueKeys(f.ctx.prefix).queue)).toBe(0);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const f = await start();
    const res = await post(f, '/api/experiments', '{"experiment": ');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { description: string }).description).toMatch(/JSON/);
  });

  it('GET and DELETE of an unknown experiment answer 404', async () => {
    const f = await start();
    expect((await fetch(`${f.url}/api/experiments/nope`)).status).toBe(404);
    const del = await fetch(`${f.url}/api/experiments/nope`, { method: 'DELETE' });
    expect(del.status).toBe(404);
    expect(await del.json()).toMatchObject({ title: '404 Not Found' });
    expect((await fetch(`${f.url}/api/experiments/nope/report`)).status).toBe(404);
  });

  it('DELETE of a queued experiment asks the daemon, which takes it off the queue; the row is deleted', async () => {
    const f = await start();
    await f.registerWorker('w1');
    await startBusyDaemon(f);
    const id = (await (await post(f, '/api/experiments', configurationBody())).json()) as string;
    const other = (await (
      await post(f, '/api/experiments', { ...configurationBody(), experiment: { id: 'keep-me' } })
    ).json()) as string;
    const res = await fetch(`${f.url}/api/experiments/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toBe(id);
    const queued = await f.ctx.redis.lrange(queueKey(f), 0, -1);
    expect(queued.map((q) => (JSON.parse(q) as { experiment: { id: string } }).experiment.id)).toEqual([
      other,
    ]);
    expect((await fetch(`${f.url}/api/experiments/${id}`)).status).toBe(404);
    // The projection applied the daemon's events before the row was deleted: it stays deleted.
    await delay(300);
    expect(await f.db.experiments.get(id)).toBeUndefined();
    // Its events stay: the id cannot be queued again.
    const again = await post(f, '/api/experiments', { ...configurationBody(), experiment: { id } });
    expect(again.status).toBe(409);
  });

  it('POST /api/experiments/{id}/cancel of a queued experiment: the daemon records ExperimentQueued and ExperimentCancelled, the projection keeps the row as CANCELLED, a rebuild gives the same row', async () => {
    const f = await start();
    await f.registerWorker('w1');
    const seen: { type: string; id: string | null }[] = [];
    await f.bus.subscribe('galileo.experiments.>', {
      group: 'test-cancel',
      startAt: 'beginning',
      handler: (e) => void seen.push({ type: e.type, id: e.correlationId }),
    });
    await startBusyDaemon(f);
    const id = (await (await post(f, '/api/experiments', configurationBody())).json()) as string;
    expect(await f.db.experiments.get(id)).toMatchObject({ status: 'QUEUED' });
    const res = await post(f, `/api/experiments/${id}/cancel`, { reason: 'not today' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; status: string; end: number | null };
    expect(body).toMatchObject({ id, status: 'CANCELLED' });
    expect(body.end).toEqual(expect.any(Number));
    expect(await f.ctx.redis.llen(queueKey(f))).toBe(0);
    // The daemon wrote the lifecycle (the API publishes none).
    await waitFor(() => seen.some((e) => e.id === id && e.type === 'ExperimentCancelled'), {
      what: 'ExperimentCancelled',
    });
    expect(seen.filter((e) => e.id === id).map((e) => e.type)).toEqual([
      'ExperimentQueued',
      'ExperimentCancelled',
    ]);
    const row = await f.db.experiments.get(id);
    expect(row).toMatchObject({ id, name: 'e1', creator: 'me', status: 'CANCELLED', end: body.end });
    expect(await (await fetch(`${f.url}/api/experiments/${id}`)).json()).toMatchObject({
      status: 'CANCELLED',
    });
    const again = await post(f, `/api/experiments/${id}/cancel`, {});
    expect(again.status).toBe(409);

    // The events are the source of truth: a rebuild into an empty database gives the same row.
    const fresh = await openDatabase({ dialect: 'sqlite', path: join(f.appsDir, 'rebuilt.sqlite') });
    try {
      await rebuildExperimentsProjection(f.ctx.redis, f.bus, fresh);
      expect(await fresh.experiments.get(id)).toEqual(row);
    } finally {
      await fresh.close();
    }
  });

  it('cancel and DELETE of a queued experiment answer 503 when no daemon runs, and leave it queued', async () => {
    const f = await start();
    await f.registerWorker('w1');
    const id = (await (await post(f, '/api/experiments', configurationBody())).json()) as string;
    const cancel = await post(f, `/api/experiments/${id}/cancel`, {});
    expect(cancel.status).toBe(503);
    expect(((await cancel.json()) as { description: string }).description).toMatch(
      /no experiment daemon is running/,
    );
    const del = await fetch(`${f.url}/api/experiments/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(503);
    expect(await f.ctx.redis.llen(queueKey(f))).toBe(1);
    expect(await f.db.experiments.get(id)).toMatchObject({ status: 'QUEUED' });
  });

  it('lists a queued message the daemon stamped (back in the queue after a recovery) under its id, and cancels it', async () => {
    const f = await start();
    await f.registerWorker('w1');
    await startBusyDaemon(f);
    await f.ctx.redis.lpush(
      queueKey(f),
      stampMessage(JSON.stringify({ instructions: 'echo recovered' }), 'recovered-1', 123.5),
    );
    const one = await fetch(`${f.url}/api/experiments/recovered-1`);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ id: 'recovered-1', status: 'QUEUED', created: 123.5 });
    const all = (await (await fetch(`${f.url}/api/experiments`)).json()) as { id: string }[];
    expect(all.map((e) => e.id)).toContain('recovered-1');
    const res = await post(f, '/api/experiments/recovered-1/cancel', {});
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'recovered-1', status: 'CANCELLED' });
    expect(await f.ctx.redis.llen(queueKey(f))).toBe(0);
  });

  it('DELETE of a running experiment asks the daemon (CancelExperiment) and then deletes it', async () => {
    const f = await start();
    const { db } = f;
    await db.experiments.upsert({
      id: 'run-1',
      name: 'run-1',
      creator: 'x',
      start: 1,
      end: null,
      created: 1,
      status: 'IN_PROGRESS',
    });
    // No daemon runs: 503 at once, the row stays.
    const unanswered = await fetch(`${f.url}/api/experiments/run-1`, { method: 'DELETE' });
    expect(unanswered.status).toBe(503);
    expect(((await unanswered.json()) as { description: string }).description).toMatch(/daemon/);
    expect(await db.experiments.get('run-1')).toBeDefined();

    // A daemon is alive (its lease) but none answers within the cancel timeout: 503 with the reason.
    const keys = experimentQueueKeys(f.ctx.prefix);
    await f.ctx.redis.sadd(keys.daemons, 'd1');
    await f.ctx.redis.set(keys.lease('d1'), 'instance', 'PX', 60_000);
    const late = await fetch(`${f.url}/api/experiments/run-1`, { method: 'DELETE' });
    expect(late.status).toBe(503);
    expect(((await late.json()) as { description: string }).description).toMatch(/none answered within/);
    expect(await db.experiments.get('run-1')).toBeDefined();

    // A daemon stand-in on the bus answers the documented CancelOutcome.
    const daemonBus = createBus({
      redis: f.ctx.redis,
      catalogue: galileoCatalogue,
      source: 'daemon',
      prefix: f.ctx.prefix,
      trimIntervalMs: 0,
    });
    const asked: string[] = [];
    await daemonBus.subscribe(experimentSubjects.cancel, {
      group: 'experiment-daemon',
      handler: async (event, ctx) => {
        if (event.type !== 'CancelExperiment') return;
        asked.push(event.data.id);
        await db.experiments.setEnded(event.data.id, 2, 'CANCELLED');
        const outcome: CancelOutcome = { cancelled: true, id: event.data.id, was: 'running', daemon: 'd1' };
        await ctx.reply?.(outcome);
      },
    });
    try {
      const res = await fetch(`${f.url}/api/experiments/run-1`, { method: 'DELETE' });
      expect(res.status).toBe(200);
      expect(asked).toEqual(['run-1']);
      expect(await db.experiments.get('run-1')).toBeUndefined();
    } finally {
      await daemonBus.close();
    }
  });

  it('serves the client-app repository (upload, list, get, download, delete)', async () => {
    const f = await start();
    const zip = createZip({
      'manifest.yml': 'name: echo\nversion: 1\n',
      'generator.py': 'def next_request(): ...\n',
    });
    const up = await fetch(`${f.url}/api/apps`, {
      method: 'POST',
      body: zip,
      headers: { 'content-type': 'application/zip' },
    });
    expect(up.status).toBe(201);
    expect(await up.json()).toEqual({ name: 'echo', manifest: { name: 'echo', version: 1 } });
    expect(await (await fetch(`${f.url}/api/apps`)).json()).toEqual([
      { name: 'echo', manifest: { name: 'echo', version: 1 } },
    ]);
    expect(await (await fetch(`${f.url}/api/apps/echo`)).json()).toEqual({
      name: 'echo',
      manifest: { name: 'echo', version: 1 },
    });
    const download = await fetch(`${f.url}/api/apps/echo/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="echo.zip"');
    expect(Buffer.from(await download.arrayBuffer()).equals(zip)).toBe(true);
    expect(await (await fetch(`${f.url}/api/apps/echo`, { method: 'DELETE' })).json()).toBe(true);
    expect(await (await fetch(`${f.url}/api/apps/echo`, { method: 'DELETE' })).json()).toBe(false);
    expect((await fetch(`${f.url}/api/apps/echo`)).status).toBe(404);
    expect((await fetch(`${f.url}/api/apps/echo/download`)).status).toBe(404);
  });

  it.each([
    [Buffer.from('not a zip at all'), /not a zip/],
    [createZip({ 'readme.txt': 'hi' }), /manifest\.yml/],
    [createZip({ 'manifest.yml': 'version: 1\n' }), /name/],
  ])('POST /api/apps answers 400 for an invalid archive (%#)', async (body, message) => {
    const f = await start();
    const res = await fetch(`${f.url}/api/apps`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(400);
    const error = (await res.json()) as { description: string; field: string };
    expect(error.description).toMatch(message);
    expect(error.field).toBe('body');
  });

  it('GET /api/experiments/{id}/report summarizes the rows (JSON and HTML)', async () => {
    const f = await start();
    const { db } = f;
    await db.experiments.upsert({
      id: 'r1',
      name: 'r1',
      creator: 'x',
      start: 100,
      end: 110,
      created: 99,
      status: 'FINISHED',
    });
    await db.traces.insertMany(
      Array.from({ length: 100 }, (_, i) => ({
        requestId: `r:${i}`,
        client: 'c',
        service: 'svc',
        created: 100 + i * 0.1,
        sent: 100 + i * 0.1,
        done: 100 + i * 0.1 + (i + 1) / 1000,
        status: i < 95 ? 200 : 500,
        server: 'h:1',
        experimentId: 'r1',
        headers: null,
        response: null,
      })),
    );
    const res = await fetch(`${f.url}/api/experiments/r1/report`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as {
      requests: Record<string, unknown>;
      latencyMs: { p50: number; p99: number; max: number };
    };
    expect(report.requests).toEqual({
      total: 100,
      succeeded: 95,
      failed: 5,
      byStatus: { '200': 95, '500': 5 },
    });
    expect(report.latencyMs.p50).toBeCloseTo(50, 6);
    expect(report.latencyMs.p99).toBeCloseTo(99, 6);
    expect(report.latencyMs.max).toBeCloseTo(100, 6);
    const html = await fetch(`${f.url}/api/experiments/r1/report?format=html`);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await html.text()).toContain('<svg');
    expect((await fetch(`${f.url}/api/experiments/r1/report?format=pdf`)).status).toBe(400);
  });
});

describe('REST API: auth, CORS, operations', () => {
  it('requires the bearer token on /api when one is set', async () => {
    const f = await start({ token: 's3cret-token' });
    const none = await fetch(`${f.url}/api/experiments`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect(await none.json()).toMatchObject({ title: '401 Unauthorized' });
    expect((await fetch(`${f.url}/api/worker`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    const ok = await fetch(`${f.url}/api/worker`, { headers: { authorization: 'Bearer s3cret-token' } });
    expect(ok.status).toBe(200);
    expect((await fetch(`${f.url}/healthz`)).status).toBe(200);
    // Preflights carry no credentials.
    const preflight = await fetch(`${f.url}/api/experiments`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://dash',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBeLessThan(300);
  });

  it('refuses to listen beyond loopback without a token', () => {
    const build = () =>
      createApi({
        redis: {} as never,
        bus: {} as never,
        db: {} as never,
        logger: createLogger({ service: 'api', level: 'silent' }),
        config: {
          host: '0.0.0.0',
          port: 0,
          appsRepoDir: '/tmp',
          corsOrigin: '*',
          keyPrefix: '',
          cancelTimeoutMs: 1000,
        },
      });
    expect(build).toThrow(/galileo_api_token/);
  });

  it('answers CORS as galileo: * on every response, preflight with methods, echoed headers, max-age 86400', async () => {
    const f = await start();
    const get = await fetch(`${f.url}/api/worker`, { headers: { origin: 'http://dash' } });
    expect(get.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await fetch(`${f.url}/api/experiments`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://dash',
        'access-control-request-method': 'DELETE',
        'access-control-request-headers': 'x-custom,content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/DELETE/);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('x-custom,content-type');
    expect(preflight.headers.get('access-control-max-age')).toBe('86400');
  });

  it('serves /healthz, /readyz, /metrics and 404s unknown paths in galileo error form', async () => {
    const f = await start();
    expect(await (await fetch(`${f.url}/healthz`)).json()).toEqual({ healthy: true });
    expect(await (await fetch(`${f.url}/readyz`)).json()).toEqual({ ready: true, redis: true, db: true });
    await fetch(`${f.url}/api/worker`);
    const metrics = await (await fetch(`${f.url}/metrics`)).text();
    expect(metrics).toMatch(
      /galileo_api_requests_total\{method="GET",route="\/api\/worker",status="200"\} 1/,
    );
    const missing = await fetch(`${f.url}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ title: '404 Not Found' });
  });

  it('streams bus events as server-sent events (a lifecycle event arrives)', async () => {
    const f = await start();
    // The stream exists before the client connects (a later one is found by the wildcard refresh too).
    await f.bus.publish(experimentSubjects.lifecycle('x0', 'ExperimentStarted'), {
      type: 'ExperimentStarted',
      data: { id: 'x0', start: 1, daemon: 'd' },
      correlationId: 'x0',
    });
    const controller = new AbortController();
    const res = await fetch(`${f.url}/api/events?pattern=galileo.experiments.>`, {
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const reader = res.body!.getReader();
    let text = '';
    const publish = setInterval(() => {
      void f.bus.publish(experimentSubjects.lifecycle('e-sse', 'ExperimentFinished'), {
        type: 'ExperimentFinished',
        data: { id: 'e-sse', end: 2 },
        correlationId: 'e-sse',
      });
    }, 200);
    try {
      while (!text.includes('event: ExperimentFinished')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    } finally {
      clearInterval(publish);
      controller.abort();
    }
    const block = text.split('\n\n').find((b) => b.includes('event: ExperimentFinished'))!;
    const data = JSON.parse(
      block
        .split('\n')
        .find((l) => l.startsWith('data: '))!
        .slice(6),
    ) as { data: unknown; correlationId: string };
    expect(data).toMatchObject({ correlationId: 'e-sse', data: { id: 'e-sse', end: 2 } });
    expect(block).not.toContain('ExperimentStarted');
    // The connection's consumer group is removed after the client went away.
    await waitFor(
      async () => {
        const groups = (await f.ctx.redis.xinfo(
          'GROUPS',
          `${f.ctx.prefix}bus:galileo.experiments`,
        )) as unknown[][];
        return groups.every((g) => !String(g[1]).startsWith('api-sse-'));
      },
      { what: 'the SSE consumer group to be deleted' },
    );
    expect((await fetch(`${f.url}/api/events?pattern=galileo..x`)).status).toBe(400);
  });
});
