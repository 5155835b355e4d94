// Diagnostics of bench:worker: the bundled worker at one fixed rate, for CPU per request and profiles.
//
//   npx tsx bench/worker-bench-fixed.ts [--rate 10000] [--seconds 10] [--router nginx|debug]
//                                       [--main services/worker/dist/main.mjs] [--prof DIR] [--probe]
//                                       [--prof-interval µs] [--stalls]
//
// Wired as bench:worker wires it (bus on Redis, routing table, tracing on, the manifests' node flags,
// the worker pinned to BENCH_WORKER_CORE, nginx to BENCH_NGINX_CORE), but open loop at one rate: a
// short warm-up, one settling second, then `--seconds` measured. Prints one JSON line: the worker's
// CPU per request (µs, from /proc), late/dropped shares, traces counted on the bus, RSS. `--router
// debug` runs the worker with galileo_router_type=DebugRouter (no HTTP: every request a fake 200),
// which isolates the non-HTTP cost. `--prof DIR` writes a V8 CPU profile of the worker (node
// --cpu-prof) and prints the measured window's offsets in it (for bench/worker-bench-profile.ts).
// `--main` runs another bundle (an A/B of two builds in one sitting); without it the current sources
// are bundled first. `--stalls` loads the loop probe of worker-bench-stalls.ts into the worker and
// runs it as a separate process on the worker's core too, and adds to the JSON line the measured
// window's late sends in bursts, each with the stalls (worker's, host's) and their causes.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { bundleService } from '../scripts/bundle-service.mjs';
import { createBus, type Bus } from '@galileo/bus';
import { galileoCatalogue, tracesOf, type GalileoCatalogue } from '@galileo/events';
import { createRoutingTable } from '@galileo/routing';
import { deleteKeysWithPrefix, testPrefix } from '@galileo/testing';
import { createWorkerClient, type ClientGroupInfo } from '@galileo/workers';
import { startNginx, type Nginx } from './worker-bench-nginx.js';
import {
  cpuSeconds,
  log,
  memoryMb,
  nowMs,
  moveLocalServersTo,
  pin,
  round,
  stopChild,
} from './worker-bench-proc.js';
import {
  correlateStalls,
  readProbeFile,
  stallProbeFlags,
  startHostProbe,
  stallProfiles,
  type LateSend,
} from './worker-bench-stalls.js';
import { startBenchWorker, waitForWorker, workerNodeOptions } from './worker-bench-worker.js';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    router: { type: 'string', default: 'nginx' },
    main: { type: 'string' },
    prof: { type: 'string' },
    /** With --prof: the profile's sampling interval (µs; node's default 1000). */
    'prof-interval': { type: 'string' },
    probe: { type: 'boolean', default: false },
    stalls: { type: 'boolean', default: false },
    /** A file: `perf record -g` of the worker over the measured window (adds --perf-basic-prof). */
    perf: { type: 'string' },
    clients: { type: 'string', default: '32' },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const CLIENTS = Number(args.clients);
if (!(RATE > 0) || !(SECONDS > 0) || !(CLIENTS > 0)) {
  throw new Error(
    `--rate, --seconds and --clients must be positive numbers, got ${args.rate}, ${args.seconds}, ${args.clients}`,
  );
}
if (args.router !== 'nginx' && args.router !== 'debug') {
  throw new Error(`--router must be nginx or debug, got ${JSON.stringify(args.router)}`);
}
const DEBUG = args.router === 'debug';
const redisUrl = process.env.GALILEO_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKER_CORE = process.env.BENCH_WORKER_CORE ?? '0';
const SERVER_CORE = process.env.BENCH_NGINX_CORE ?? '1';
const WORKER_NAME = 'bench-fixed-worker';
const SERVICE = 'nginx';
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/** The worker's default galileo_worker_late_threshold. */
const LATE_MS = 10;
const stallFiles = {
  worker: `/tmp/bench-stalls-worker-${process.pid}.jsonl`,
  host: `/tmp/bench-stalls-host-${process.pid}.jsonl`,
};

function startWorker(main: string, prefix: string): ChildProcess {
  return startBenchWorker({
    main,
    core: WORKER_CORE,
    name: WORKER_NAME,
    redisUrl,
    prefix,
    nodeFlags: [
      ...workerNodeOptions(),
      ...(args.prof ? ['--cpu-prof', `--cpu-prof-dir=${args.prof}`] : []),
      ...(args.prof && args['prof-interval'] ? [`--cpu-prof-interval=${args['prof-interval']}`] : []),
      ...(args.perf ? ['--perf-basic-prof'] : []),
      ...(args.stalls ? stallProbeFlags() : []),
    ],
    probe: args.probe,
    env: {
      ...(DEBUG ? { galileo_router_type: 'DebugRouter' } : {}),
      ...(args.stalls ? { BENCH_STALLS_FILE: stallFiles.worker, BENCH_STALLS_GC: '1' } : {}),
    },
  });
}

/** User and system CPU seconds per thread name (main thread: 'main'), from /proc/<pid>/task/<tid>/stat. */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const user = Number(fields[11]) / 100;
      const system = Number(fields[12]) / 100;
      out.set(`${name} user`, (out.get(`${name} user`) ?? 0) + user);
      out.set(`${name} sys`, (out.get(`${name} sys`) ?? 0) + system);
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** CPU seconds by thread name between two readings, as µs per request. */
function threadShares(a: Map<string, number>, b: Map<string, number>, requests: number) {
  const shares: Record<string, number> = {};
  for (const [name, seconds] of b) {
    const us = ((seconds - (a.get(name) ?? 0)) * 1e6) / requests;
    if (us > 0) shares[name] = round(us, 2);
  }
  return shares;
}

/** The newest .cpuprofile in a directory (the worker writes its own when it exits). */
function latestProfile(dir: string): string | null {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => `${dir}/${f}`)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return files[0] ?? null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  pin(process.pid, SERVER_CORE);
  const servers = moveLocalServersTo(SERVER_CORE);
  log(`local servers moved to core ${SERVER_CORE} for the run: ${servers.moved.join(', ') || 'none'}`);
  const workerMain = args.main ?? (await bundleService('worker'));
  const admin = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = testPrefix('bench-fixed');
  const bus: Bus<GalileoCatalogue> = createBus({
    redis: admin,
    catalogue: galileoCatalogue,
    source: 'bench',
    prefix,
    trimIntervalMs: 0,
  });
  let nginx: Nginx | null = null;
  let worker: ChildProcess | null = null;
  const hostProbe = args.stalls ? startHostProbe(WORKER_CORE, stallFiles.host) : null;
  try {
    nginx = await startNginx(SERVER_CORE);
    const routed = await createRoutingTable(admin, { prefix }).setRecord({
      service: SERVICE,
      hosts: [`127.0.0.1:${nginx.port}`],
    });
    if (!routed.ok) throw new Error(routed.error);
    const counted = new Map<string, number>();
    let non200 = 0;
    const late: LateSend[] = [];
    await bus.subscribe('galileo.traces.>', {
      group: 'bench-traces',
      consumer: 'counter',
      startAt: 'new',
      batchSize: 1000,
      blockMs: 100,
      handler: (event) => {
        const traces = tracesOf(event);
        const id = event.correlationId ?? '';
        counted.set(id, (counted.get(id) ?? 0) + traces.length);
        for (const trace of traces) {
          if (trace.status !== 200) non200++;
          const lateMs = (trace.sent - trace.created) * 1000;
          if (id === 'measured' && trace.sent > 0 && lateMs > LATE_MS) {
            late.push({ intendedMs: trace.created * 1000, lateMs });
          }
        }
      },
    });
    const client = createWorkerClient(bus);
    const spawnedAt = nowMs();
    worker = startWorker(workerMain, prefix);
    await waitForWorker(client, worker, WORKER_NAME);
    const pid = worker.pid!;
    const options = { timeoutMs: 20_000 };

    const run = async (experimentId: string, rate: number, seconds: number, measure: boolean) => {
      const group = await client.spawn(
        WORKER_NAME,
        { service: SERVICE, clients: CLIENTS },
        { ...options, experimentId },
      );
      const ref = { worker: WORKER_NAME, groupId: group.groupId };
      await client.setWorkload(
        ref,
        { process: 'constant', rate: rate / CLIENTS },
        { ...options, experimentId },
      );
      if (!measure) {
        await sleep(seconds * 1000);
        await client.close(ref, options);
        return null;
      }
      await sleep(1000);
      const info = async () => (await client.info(WORKER_NAME, ref.groupId, options)).groups[0]!;
      const before = await info();
      const cpu0 = cpuSeconds(pid)!;
      const threads0 = threadCpu(pid);
      const t0 = nowMs();
      let rssMb = 0;
      const sampler = setInterval(() => (rssMb = Math.max(rssMb, memoryMb(pid)?.rss ?? 0)), 200);
      const perf = args.perf
        ? spawn(
            'perf',
            [
              'record',
              // the probe's monoUs (process.hrtime) and the samples on one clock
              '-k',
              'CLOCK_MONOTONIC',
              '-F',
              '1999',
              '-g',
              '-p',
              String(pid),
              '-o',
              args.perf,
              '--',
              'sleep',
              String(seconds),
            ],
            {
              stdio: ['ignore', 'ignore', 'inherit'],
            },
          )
        : null;
      await sleep(seconds * 1000);
      if (perf && perf.exitCode === null) await new Promise((r) => perf.once('exit', r));
      clearInterval(sampler);
      const t1 = nowMs();
      const cpu1 = cpuSeconds(pid)!;
      const threads1 = threadCpu(pid);
      const after = await info();
      const final: ClientGroupInfo = await client.close(ref, options);
      const deadline = Date.now() + 15_000;
      while ((counted.get(experimentId) ?? 0) < final.requests && Date.now() < deadline) await sleep(20);
      const requests = after.requests - before.requests;
      const late = after.late - before.late;
      return {
        rate,
        router: args.router,
        seconds: round((t1 - t0) / 1000, 2),
        requests,
        achieved: round(requests / ((t1 - t0) / 1000)),
        cpuPct: round(((cpu1 - cpu0) / ((t1 - t0) / 1000)) * 100, 1),
        cpuUsPerRequest: round(((cpu1 - cpu0) * 1e6) / requests, 2),
        /** µs of CPU per request by thread (main: the event loop; the rest V8's and libuv's helpers). */
        threadUsPerRequest: threadShares(threads0, threads1, requests),
        latePct: round((late / Math.max(1, requests)) * 100, 3),
        dropped: after.dropped - before.dropped,
        failures: after.failures - before.failures,
        tracesPerRequest: round((counted.get(experimentId) ?? 0) / Math.max(1, final.requests), 4),
        non200,
        rssMb: round(rssMb, 1),
        serviceP50Ms: final.latencyMs.serviceTime.p50,
        serviceP99Ms: final.latencyMs.serviceTime.p99,
        responseP99Ms: final.latencyMs.responseTime.p99,
        /** Seconds since the worker was spawned: the measured window in its CPU profile. */
        window: [round((t0 - spawnedAt) / 1000, 2), round((t1 - spawnedAt) / 1000, 2)],
        epochWindow: [t0, t1] as [number, number],
      };
    };

    await run('warmup-1', Math.min(2_000, RATE), 1, false);
    await run('warmup-2', RATE, 2, false);
    const result = await run('measured', RATE, SECONDS, true);
    log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
    const { epochWindow, ...shown } = result!;
    let stalls = {};
    if (args.stalls) {
      await stopChild(worker, 'SIGTERM', 20_000);
      if (hostProbe) await stopChild(hostProbe, 'SIGTERM', 2_000);
      // the late sends of the measured window only (the group also ran a settling second)
      const inWindow = late.filter((l) => l.intendedMs >= epochWindow[0] && l.intendedMs <= epochWindow[1]);
      const workerProbe = readProbeFile(stallFiles.worker);
      stalls = correlateStalls(inWindow, workerProbe, readProbeFile(stallFiles.host), epochWindow);
      // with --prof: what ran on the loop's thread during each stall of the window ≥ 10 ms
      const profile = args.prof ? latestProfile(args.prof) : null;
      if (profile) {
        const inWindowStalls = workerProbe.stalls.filter(
          (s) => s.at >= epochWindow[0] && s.at <= epochWindow[1],
        );
        stalls = { ...stalls, stallProfiles: stallProfiles(profile, inWindowStalls) };
      }
    }
    console.log(JSON.stringify({ main: workerMain.replace(repoRoot, ''), ...shown, ...stalls }));
  } finally {
    if (hostProbe) await stopChild(hostProbe, 'SIGTERM', 2_000);
    if (args.stalls) log(`loop probes: ${stallFiles.worker} (worker), ${stallFiles.host} (host)`);
    if (worker) await stopChild(worker, 'SIGTERM', 20_000);
    await bus.close().catch(() => undefined);
    await nginx?.stop();
    await deleteKeysWithPrefix(admin, prefix);
    admin.disconnect();
    servers.restore();
  }
}

await main();
