import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@galileo/testing';
import { workerFixture, type WorkerFixture } from './test-support/worker-fixture.js';
import { listLiveWorkers, workerKeys } from '@galileo/workers';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const PERIOD_MS = 400;

let fx: WorkerFixture;
let child: ChildProcess | null = null;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
  await fx?.cleanup();
});

/** `node --import tsx services/worker/src/main.ts`, configured only through its environment. */
function startWorkerProcess(name: string, prefix: string): ChildProcess {
  const process_ = spawn(process.execPath, ['--import', 'tsx', 'services/worker/src/main.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      galileo_worker_name: name,
      galileo_redis_host: '127.0.0.1',
      galileo_redis_key_prefix: prefix,
      galileo_worker_heartbeat_interval: `${PERIOD_MS}ms`,
      galileo_logging_level: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  process_.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  process_.on('exit', (code) => {
    if (code !== 0 && code !== null && stderr) console.error(stderr);
  });
  return process_;
}

describe('heartbeat (a worker process on the real Redis)', () => {
  it('a SIGKILLed worker disappears from the live workers within three heartbeat periods', async () => {
    fx = await workerFixture('worker-sigkill');
    const keys = workerKeys(fx.ctx.prefix);
    const events = await fx.collectWorkerEvents();
    // a live peer in this process prunes dead workers at each of its own heartbeats
    await fx.startWorker({ name: 'peer', env: { galileo_worker_heartbeat_interval: `${PERIOD_MS / 4}ms` } });
    child = startWorkerProcess('doomed', fx.ctx.prefix);
    await waitFor(
      async () => (await listLiveWorkers(fx.ctx.redis, { prefix: fx.ctx.prefix })).includes('doomed'),
      {
        timeoutMs: 15_000,
        what: 'the worker process to register',
      },
    );
    expect(await fx.client.ping('doomed')).toMatchObject({ name: 'doomed' });
    await new Promise((resolve) => setTimeout(resolve, PERIOD_MS * 1.5)); // at least one refresh of its own

    child.kill('SIGKILL');
    const killedAt = Date.now();
    // its heartbeat key expires within three periods; the peer notices within a quarter period
    await waitFor(async () => !(await fx.ctx.redis.sismember(keys.workers, 'doomed')), {
      timeoutMs: 10 * PERIOD_MS,
      intervalMs: 10,
      what: 'the dead worker to be dropped',
    });
    const goneAfter = Date.now() - killedAt;
    expect(goneAfter).toBeLessThanOrEqual(3 * PERIOD_MS + PERIOD_MS / 4 + 100);
    expect(await fx.ctx.redis.smembers(keys.workers)).toEqual(['peer']);
    expect(await listLiveWorkers(fx.ctx.redis, { prefix: fx.ctx.prefix })).toEqual(['peer']);
    expect(await fx.ctx.redis.sismember(keys.heartbeating, 'doomed')).toBe(0);
    await waitFor(() => events.some((e) => e.type === 'WorkerUnregistered' && e.data.name === 'doomed'), {
      what: 'WorkerUnregistered(expired)',
    });
    expect(events.filter((e) => e.type === 'WorkerUnregistered')).toEqual([
      expect.objectContaining({ data: { name: 'doomed', reason: 'expired' } }),
    ]);
    // its command consumer groups went with it, so they do not hold back trimming of galileo.commands
    const groups = (await fx.ctx.redis.xinfo(
      'GROUPS',
      fx.bus.keys.stream('galileo.commands'),
    )) as unknown[][];
    const names = groups.map((g) => String(g[g.indexOf('name') + 1]));
    expect(names.filter((n) => n.includes('doomed'))).toEqual([]);
    expect(names).toContain('worker-peer');
  });

  it('leaves a worker without a heartbeat (a galileo/Python worker) in the list', async () => {
    fx = await workerFixture('worker-python-peer');
    const keys = workerKeys(fx.ctx.prefix);
    await fx.ctx.redis.sadd(keys.workers, 'python-worker');
    expect(await listLiveWorkers(fx.ctx.redis, { prefix: fx.ctx.prefix })).toEqual(['python-worker']);
  });

  it('a worker process stopped with SIGTERM unregisters at once and exits 0', async () => {
    fx = await workerFixture('worker-sigterm');
    const keys = workerKeys(fx.ctx.prefix);
    child = startWorkerProcess('polite', fx.ctx.prefix);
    await waitFor(async () => fx.ctx.redis.sismember(keys.workers, 'polite'), {
      timeoutMs: 15_000,
      what: 'registered',
    });
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await fx.ctx.redis.sismember(keys.workers, 'polite')).toBe(0);
    expect(await fx.ctx.redis.exists(keys.heartbeat('polite'))).toBe(0);
    const groups = (await fx.ctx.redis.xinfo(
      'GROUPS',
      fx.bus.keys.stream('galileo.commands'),
    )) as unknown[][];
    expect(groups.map((g) => String(g[g.indexOf('name') + 1])).filter((n) => n.includes('polite'))).toEqual(
      [],
    );
  });
});
