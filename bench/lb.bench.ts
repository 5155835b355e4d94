// npm run bench:lb [-- --quick]
// 1. Throughput and added latency of the load balancer (services/load-balancer/src/main.ts, wired as
//    in production, weights in the embedded store) pinned to one core, proxying to two nginx
//    backends (`return 200 "ok"`) on the other core, against nginx `proxy_pass` (one worker process,
//    upstream keep-alive) on the same core to the same backends; the same wrk client (one thread, on
//    the backends' core, same connections) drives both, rounds alternating; direct-to-backend p99 too.
// 2. Reconcile time of the lb-optimizer for a synthetic context of 1,000 nodes × 100 functions ×
//    10 zones (2 replicas per function and zone): the first run (writes every value to the Redis
//    weight store and publishes the events), then steady-state runs (computed, nothing changed).
// Prints one JSON object as the last line.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBus } from '@galileo/bus';
import { createSyntheticContext } from '@galileo/context';
import { galileoCatalogue } from '@galileo/events';
import { createRedisWeightStore } from '@galileo/kv';
import { createLbOptimizer } from '@galileo/lb-optimizer';
import { createLogger } from '@galileo/logging';
import { deleteKeysWithPrefix, testPrefix } from '@galileo/testing';
import { Redis } from 'ioredis';
import { nginxConfig, startNginx, type Nginx } from './worker-bench-nginx.js';
import { runWrk, type PeerResult } from './worker-bench-peers.js';
import {
  checkPrerequisites,
  childPids,
  cpuSeconds,
  freePort,
  log,
  NGINX,
  round,
  stopChild,
} from './worker-bench-proc.js';

const quick = process.argv.includes('--quick');
// --cpu-prof[=dir]: the balancer runs with `node --cpu-prof`; the .cpuprofile lands in dir (default
// a fresh temp dir, printed) when it exits.
const cpuProfArg = process.argv.find((a) => a === '--cpu-prof' || a.startsWith('--cpu-prof='));
const cpuProfDir = cpuProfArg
  ? cpuProfArg.includes('=')
    ? cpuProfArg.slice(cpuProfArg.indexOf('=') + 1)
    : mkdtempSync(join(tmpdir(), 'galileo-bench-lb-prof-'))
  : undefined;
// --lb-only: skip the reconcile part (profiling and iterating on the proxy).
const lbOnly = process.argv.includes('--lb-only');
const redisUrl = process.env.GALILEO_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROXY_CORE = process.env.BENCH_LB_CORE ?? '0';
const CLIENT_CORE = process.env.BENCH_LB_CLIENT_CORE ?? '1';
const CONNECTIONS = Number(process.env.BENCH_LB_CONNECTIONS ?? 64);
const SECONDS = Number(process.env.BENCH_LB_SECONDS ?? (quick ? 4 : 15));
const ROUNDS = Number(process.env.BENCH_LB_ROUNDS ?? (quick ? 1 : 3));
const RECONCILE_RUNS = quick ? 5 : 20;
// extra node/V8 flags for the balancer process (experiments), whitespace-separated
const NODE_FLAGS = (process.env.BENCH_LB_NODE_FLAGS ?? '').split(/\s+/).filter((f) => f !== '');
const root = fileURLToPath(new URL('..', import.meta.url));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)]!;
};

async function waitServing(url: string, timeoutMs: number, failed: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = failed();
    if (reason) throw new Error(reason);
    try {
      const r = await fetch(url);
      await r.text();
      if (r.status === 200) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** nginx as the peer proxy: one worker process, upstream keep-alive, the same path rewrite as ours. */
async function startNginxProxy(
  core: string,
  backends: readonly string[],
): Promise<{ url: string; workerPid: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'galileo-bench-nginx-proxy-'));
  const port = await freePort();
  const file = join(dir, 'nginx.conf');
  writeFileSync(
    file,
    nginxConfig(
      dir,
      'bench/lb.bench.ts',
      `  upstream backends {
${backends.map((b) => `    server ${b} weight=1;`).join('\n')}
    keepalive 256;
  }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location /function/busy/ {
      proxy_pass http://backends/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For lb-bench;
    }
  }
`,
    ),
  );
  const child = spawn('taskset', ['-c', core, NGINX, '-p', dir, '-e', join(dir, 'error.log'), '-c', file], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/function/busy/`;
  await waitServing(url, 5_000, () =>
    child.exitCode !== null ? `nginx proxy exited with ${child.exitCode}` : null,
  );
  const workers = childPids(child.pid!);
  if (workers.length !== 1) throw new Error(`expected one nginx worker process, found ${workers.length}`);
  return {
    url,
    workerPid: workers[0]!,
    async stop() {
      await stopChild(child, 'SIGTERM', 5_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startBalancer(core: string, prefix: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'taskset',
    [
      '-c',
      core,
      process.execPath,
      ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
      ...NODE_FLAGS,
      '--import',
      'tsx',
      'services/load-balancer/src/main.ts',
    ],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        eb_go_lb_zone: 'zone-a',
        eb_go_lb_node_name: 'lb-bench',
        eb_go_lb_listen_port: String(port),
        eb_go_lb_listen_host: '127.0.0.1',
        eb_go_lb_weight_store: 'redis',
        eb_go_lb_mode: 'prod',
        galileo_redis_url: redisUrl,
        galileo_redis_key_prefix: prefix,
        NODE_ENV: 'production',
      },
    },
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = `http://127.0.0.1:${port}/function/busy/`;
  await waitServing(url, 60_000, () =>
    child.exitCode !== null ? `load balancer exited with ${child.exitCode}: ${stderr.slice(-2000)}` : null,
  );
  return { url, child };
}

async function measureProxies() {
  const prefix = testPrefix('bench-lb');
  const redis = new Redis(redisUrl);
  const backends: Nginx[] = [await startNginx(CLIENT_CORE), await startNginx(CLIENT_CORE)];
  const hosts = backends.map((b) => `127.0.0.1:${b.port}`);
  const store = createRedisWeightStore({ redis, keyPrefix: prefix });
  await store.put('zone-a', 'busy', { ips: hosts, weights: [1, 1] });
  log(
    `backends ${hosts.join(', ')} on core ${CLIENT_CORE}; starting the balancer and nginx proxy on core ${PROXY_CORE}…`,
  );
  const lb = await startBalancer(PROXY_CORE, prefix);
  const proxy = await startNginxProxy(PROXY_CORE, hosts);
  try {
    const warm = quick ? 4 : 8;
    await runWrk(lb.url, CONNECTIONS, warm, CLIENT_CORE);
    await runWrk(proxy.url, CONNECTIONS, warm, CLIENT_CORE);
    type Measured = PeerResult & { cpuUsPerRequest: number };
    const ours: Measured[] = [];
    const theirs: Measured[] = [];
    // CPU time per request is what a loaded, shared machine does not distort much: rates are.
    const measured = async (name: 'lb' | 'nginx', url: string): Promise<Measured> => {
      const pid = name === 'lb' ? lb.child.pid! : proxy.workerPid;
      const before = cpuSeconds(pid) ?? 0;
      const result = await runWrk(url, CONNECTIONS, SECONDS, CLIENT_CORE);
      const cpu = (cpuSeconds(pid) ?? 0) - before;
      return { ...result, cpuUsPerRequest: result.requests > 0 ? (cpu * 1e6) / result.requests : 0 };
    };
    for (let r = 0; r < ROUNDS; r++) {
      const order: ['lb' | 'nginx', string][] =
        r % 2 === 0
          ? [
              ['lb', lb.url],
              ['nginx', proxy.url],
            ]
          : [
              ['nginx', proxy.url],
              ['lb', lb.url],
            ];
      for (const [name, url] of order) {
        log(`round ${r + 1}/${ROUNDS}: wrk ${CONNECTIONS} connections, ${SECONDS} s → ${name}`);
        const result = await measured(name, url);
        log(
          `  ${round(result.reqPerSec)} req/s, p99 ${result.p99Ms} ms, errors ${result.errors}, ${round(result.cpuUsPerRequest, 1)} µs CPU/request`,
        );
        (name === 'lb' ? ours : theirs).push(result);
      }
    }
    const direct = await runWrk(`http://${hosts[0]}/`, CONNECTIONS, quick ? 2 : 5, CLIENT_CORE);
    return { ours, theirs, direct };
  } finally {
    await stopChild(lb.child, 'SIGTERM', 10_000);
    await proxy.stop();
    await Promise.all(backends.map((b) => b.stop()));
    await store.close();
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  }
}

async function measureReconcile() {
  const prefix = testPrefix('bench-lbopt');
  const redis = new Redis(redisUrl);
  const bus = createBus({
    redis: redis.duplicate(),
    catalogue: galileoCatalogue,
    source: 'bench-lb-optimizer',
    prefix,
  });
  const t0 = performance.now();
  const context = createSyntheticContext({
    nodes: 1000,
    functions: 100,
    zones: 10,
    replicasPerZone: 2,
    seed: 7,
  });
  const buildMs = performance.now() - t0;
  const store = createRedisWeightStore({ redis, keyPrefix: prefix });
  const optimizer = createLbOptimizer({
    context,
    store,
    bus,
    logger: createLogger({ service: 'bench', level: 'warn' }),
    params: { a: 250, b: 1, c: 0.2, midpoint: 35, offset: 0 },
    lookbackSeconds: 15,
    intervalMs: 60_000,
  });
  try {
    const first = await optimizer.reconcile();
    log(`reconcile (first, writes): ${round(first.durationMs, 1)} ms, ${first.written} values written`);
    const runs: number[] = [];
    for (let i = 0; i < RECONCILE_RUNS; i++) runs.push((await optimizer.reconcile()).durationMs);
    const steady = median(runs);
    log(
      `reconcile (steady, ${RECONCILE_RUNS} runs): median ${round(steady, 1)} ms, max ${round(Math.max(...runs), 1)} ms`,
    );
    return { first, steady, maxSteady: Math.max(...runs), buildMs };
  } finally {
    await store.close();
    await bus.close();
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  }
}

checkPrerequisites();
const started = performance.now();
const reconcile = lbOnly
  ? { first: { durationMs: 0, written: 0 }, steady: 0, maxSteady: 0, buildMs: 0 }
  : await measureReconcile();
const proxies = await measureProxies();
if (cpuProfDir) log(`balancer CPU profile(s) in ${cpuProfDir}`);
const lbReqPerSec = median(proxies.ours.map((r) => r.reqPerSec));
const nginxReqPerSec = median(proxies.theirs.map((r) => r.reqPerSec));
const lbP99 = median(proxies.ours.map((r) => r.p99Ms ?? 0));
const nginxP99 = median(proxies.theirs.map((r) => r.p99Ms ?? 0));
const result = {
  bench: 'lb',
  quick,
  lbReqPerSec: round(lbReqPerSec),
  nginxReqPerSec: round(nginxReqPerSec),
  ratioToNginx: round(nginxReqPerSec > 0 ? lbReqPerSec / nginxReqPerSec : 0, 3),
  p99AddedMs: round(lbP99 - nginxP99, 2),
  lbP99Ms: lbP99,
  nginxP99Ms: nginxP99,
  directP99Ms: proxies.direct.p99Ms,
  lbCpuUsPerRequest: round(median(proxies.ours.map((r) => r.cpuUsPerRequest)), 1),
  nginxCpuUsPerRequest: round(median(proxies.theirs.map((r) => r.cpuUsPerRequest)), 1),
  cpuEfficiencyToNginx: round(
    median(proxies.theirs.map((r) => r.cpuUsPerRequest)) /
      Math.max(1e-9, median(proxies.ours.map((r) => r.cpuUsPerRequest))),
    3,
  ),
  loadAverage: loadavg()[0] === undefined ? null : round(loadavg()[0]!, 2),
  directReqPerSec: round(proxies.direct.reqPerSec),
  lbErrors: proxies.ours.reduce((s, r) => s + r.errors, 0),
  nginxErrors: proxies.theirs.reduce((s, r) => s + r.errors, 0),
  reconcileMs: round(reconcile.steady, 1),
  reconcileMaxMs: round(reconcile.maxSteady, 1),
  reconcileFirstRunMs: round(reconcile.first.durationMs, 1),
  reconcileValues: reconcile.first.written,
  syntheticContextBuildMs: round(reconcile.buildMs, 1),
  targets: { ratioToNginx: 0.5, reconcileMs: 200 },
  setup: {
    connections: CONNECTIONS,
    seconds: SECONDS,
    rounds: ROUNDS,
    proxyCore: PROXY_CORE,
    clientCore: CLIENT_CORE,
    nodes: 1000,
    functions: 100,
    zones: 10,
  },
  ...(lbOnly ? { lbOnly: true } : {}),
  totalSeconds: round((performance.now() - started) / 1000, 1),
};
console.log(JSON.stringify(result));
// the figures are out; leftover client handles (the optimizer's weight store) must not keep it alive
process.exit(0);
