import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { FUNCTION_LABEL } from '@galileo/orchestrator';
import { createRoutingTable } from '@galileo/routing';
import { redisTestContext, waitFor } from '@galileo/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort, startEmbeddedStack, type EmbeddedStack } from './stack.js';

// The embedded mode against the real Redis (a key prefix per test) and a SQLite file in a temp
// directory: every service's factory in this process, replicas as real sample-app processes.
const root = resolve(import.meta.dirname, '../../..');
const dirs: string[] = [];
const tempDir = (label: string) => {
  const dir = mkdtempSync(join(tmpdir(), `galileo-embedded-${label}-`));
  dirs.push(dir);
  return dir;
};
const contexts: ReturnType<typeof redisTestContext>[] = [];
let stack: EmbeddedStack | undefined;

afterAll(async () => {
  await stack?.stop();
  await Promise.all(contexts.map((c) => c.cleanup()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 60_000);

/** The environment of a stack that shares nothing with another one on this Redis. */
async function isolatedEnv(prefix: string, dataDir: string): Promise<NodeJS.ProcessEnv> {
  return {
    ...process.env,
    galileo_redis_key_prefix: prefix,
    galileo_embedded_data_dir: dataDir,
    galileo_api_bind_addr: `127.0.0.1:${await freeLoopbackPort()}`,
    galileo_embedded_health_port: '0',
    galileo_logging_level: 'info',
  };
}

describe('startEmbeddedStack', () => {
  it('runs an experiment queued on the real list to FINISHED, its traces in SQLite', async () => {
    const t = redisTestContext('embedded');
    contexts.push(t);
    const dataDir = tempDir('stack');
    const said: string[] = [];
    stack = await startEmbeddedStack({ env: await isolatedEnv(t.prefix, dataDir), say: (l) => said.push(l) });
    expect(said.join('\n')).toMatch(/Redis at/);
    expect(stack.addresses.sqlite).toBe(join(dataDir, 'galileo.sqlite'));

    const health = await fetch(`${stack.addresses.health}/healthz`);
    expect(health.status).toBe(200);
    const api = await fetch(`${stack.addresses.api}/api/experiments`);
    expect(api.status).toBe(200);

    // one replica in zone a, the worker routed to zone a's balancer
    const created = await stack.orchestrator.createPod({
      podName: 'echo-deployment-t0001',
      fn: 'echo',
      image: 'galileo/sample-app',
      labels: { [FUNCTION_LABEL]: 'echo' },
      zone: 'zone-a',
      namespace: 'default',
      resourceRequests: { cpu: '100m', memory: '50Mi' },
    });
    expect(created.ok).toBe(true);
    const lbA = stack.addresses.balancers['zone-a']!;
    await waitFor(
      async () => {
        const res = await fetch(`http://${lbA}/function/echo`).catch(() => null);
        await res?.arrayBuffer();
        return res?.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: "zone a's balancer serving /function/echo" },
    );
    const routed = await createRoutingTable(stack.redis, { prefix: stack.keyPrefix }).setRecord({
      service: 'echo',
      hosts: [lbA],
    });
    expect(routed.ok).toBe(true);

    const id = `embedded-test-${Date.now().toString(36)}`;
    const worker = stack.workerName;
    await t.redis.lpush(
      `${t.prefix}galileo:experiments:instructions`,
      JSON.stringify({
        id,
        name: 'embedded test',
        instructions: `spawn ${worker} echo 2 {"path": "/function/echo"}\nrps ${worker} echo 20\nsleep 3\nrps ${worker} echo 0\nclose ${worker} echo`,
      }),
    );
    const db = stack.db;
    const ended = await waitFor(
      async () => {
        const e = await db.experiments.get(id);
        return e && ['FINISHED', 'FAILED', 'CANCELLED'].includes(e.status) ? e : null;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: `experiment ${id} to end` },
    );
    expect(ended.status).toBe('FINISHED');
    const traces = await waitFor(
      async () => {
        const n = await db.traces.count({ experimentId: id });
        return n >= 40 ? n : null;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the traces in the database' },
    );
    // 20/s for 3 s; on a loaded machine the `rps 0` may arrive seconds late, so only a rough bound
    expect(traces).toBeLessThanOrEqual(200);

    // read back from the SQLite file itself (galileo-db's table and column names)
    const file = new Database(stack.addresses.sqlite, { readonly: true });
    try {
      const row = file
        .prepare('SELECT COUNT(*) AS n FROM traces WHERE EXP_ID = ? AND STATUS = 200')
        .get(id) as {
        n: number;
      };
      expect(row.n).toBeGreaterThanOrEqual(40);
      const exp = file.prepare('SELECT STATUS AS status FROM experiments WHERE EXP_ID = ?').get(id) as {
        status: string;
      };
      expect(exp.status).toBe('FINISHED');
    } finally {
      file.close();
    }

    await stack.stop();
    expect((await stack.orchestrator.listPods()).length).toBe(0); // replicas stopped with it
    stack = undefined;
  }, 180_000);
});

describe('startEmbeddedStack without a Redis', () => {
  // a machine with redis-server installed but not running: the stack starts one for itself
  it('starts redis-server on loopback, says so, and stops it with the stack', async () => {
    const port = await freeLoopbackPort();
    const dataDir = tempDir('own-redis');
    const said: string[] = [];
    const own = await startEmbeddedStack({
      env: {
        ...(await isolatedEnv('', dataDir)),
        galileo_redis_host: '127.0.0.1',
        galileo_redis_port: String(port),
      },
      say: (l) => said.push(l),
    });
    try {
      expect(said.join('\n')).toContain(`no Redis answered at 127.0.0.1:${port}: started redis-server`);
      expect(await own.redis.ping()).toBe('PONG');
      expect((await fetch(`${own.addresses.health}/healthz`)).status).toBe(200);
    } finally {
      await own.stop();
    }
    const probe = await fetch(`http://127.0.0.1:${port}`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(probe).toBe('refused');
  }, 120_000);
});

describe('npm run demo', () => {
  // the README's first command, as CI runs it on a fresh clone: `npm run demo -- --duration 20`
  it('exits 0 after a FINISHED experiment and prints its report', async () => {
    const t = redisTestContext('demo');
    contexts.push(t);
    const dataDir = tempDir('demo');
    const child = spawn('npx', ['tsx', 'scripts/demo.ts', '--duration', '20'], {
      cwd: root,
      env: await isolatedEnv(t.prefix, dataDir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    const context = `exit ${code}\n--- stdout\n${out}\n--- stderr\n${err.slice(-4000)}`;
    expect(code, context).toBe(0);
    expect(out, context).toMatch(/\(FINISHED\)/);
    expect(out, context).toMatch(/requests\s+[1-9]\d*/);
    expect(out, context).toMatch(/latency\s+p50/);
    expect(out, context).toMatch(/demo: experiment \S+ FINISHED with [1-9]\d* requests/);
    const html = /HTML report: (\S+)/.exec(out)?.[1];
    expect(html, context).toBeDefined();
    expect(html!.startsWith(join(dataDir, 'reports'))).toBe(true);
    expect(readFileSync(html!, 'utf8')).toMatch(/<html/i);
  }, 240_000);
});
