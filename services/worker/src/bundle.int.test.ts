import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@galileo/testing';
import { bundleService } from '../../../scripts/bundle-service.mjs';
import { tracesArrived, workerFixture, type WorkerFixture } from './test-support/worker-fixture.js';
import { workerKeys } from '@galileo/workers';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const appsDir = fileURLToPath(new URL('../apps', import.meta.url));

let fx: WorkerFixture;
let child: ChildProcess | null = null;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
  await fx?.cleanup();
});

describe('the bundled worker (plain node, no tsx hooks; real Redis, real HTTP)', () => {
  it('serves commands, loads a TypeScript client app through tsImport, publishes its traces and stops on SIGTERM', async () => {
    fx = await workerFixture('worker-bundle');
    const bundle = await bundleService('worker');
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/from ["']@galileo\//); // the libraries are inside
    let stderr = '';
    child = spawn(process.execPath, [bundle], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        galileo_worker_name: 'exphost',
        galileo_redis_host: '127.0.0.1',
        galileo_redis_key_prefix: fx.ctx.prefix,
        galileo_apps_dir: appsDir,
        galileo_logging_level: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const keys = workerKeys(fx.ctx.prefix);
    await waitFor(async () => fx.ctx.redis.sismember(keys.workers, 'exphost'), {
      timeoutMs: 15_000,
      what: `the bundled worker to register (stderr: ${stderr})`,
    });
    const collected = await fx.collectTraces();
    const group = await fx.client.spawn('exphost', { service: 'svc', clients: 2, client: 'counter' });
    await fx.client.setWorkload(group, { n: 5, rate: 50 }, { experimentId: 'exp-bundle' });
    await tracesArrived(collected, 10);
    const traces = collected.traces.map((t) => t.trace);
    expect(traces.every((t) => t.status === 200 && t.exp_id === 'exp-bundle')).toBe(true);
    // exactly n = 5 requests per client
    const perClient = new Map<string, number>();
    for (const t of traces) perClient.set(t.client, (perClient.get(t.client) ?? 0) + 1);
    expect(Object.fromEntries(perClient)).toEqual(Object.fromEntries(group.clientIds.map((id) => [id, 5])));

    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await fx.ctx.redis.sismember(keys.workers, 'exphost')).toBe(0);
  });
});
