// npm run bench:worker [-- --quick]
// The worker (services/worker/src/main.ts, wired as in production: bus on Redis, the routing table,
// tracing on) pinned to one core drives nginx (`return 200 "ok"`, pinned to the other core) on
// loopback. Open loop, stepping the rate up, then a binary search: the highest rate it holds with a
// trace per request (achieved within 1 % of the target, late ≤ 0.1 %, nothing dropped or failed,
// every trace counted on the bus), its CPU and RSS. Peers in the same run, on the same core with the
// same number of connections: autocannon and wrk (closed loop). The machine's local servers (Redis,
// VictoriaMetrics, MariaDB, etcd) are moved to nginx's core for the run and put back after, so the
// worker has its core to itself as the peers do. Prints one JSON object last.
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { bundleService } from '../scripts/bundle-service.mjs';
import { createBus, type Bus } from '@galileo/bus';
import { galileoCatalogue, tracesOf, type GalileoCatalogue } from '@galileo/events';
import { createRoutingTable } from '@galileo/routing';
import { deleteKeysWithPrefix, testPrefix } from '@galileo/testing';
import { createWorkerClient, type ClientGroupInfo } from '@galileo/workers';
import { startNginx, type Nginx } from './worker-bench-nginx.js';
import { runAutocannon, runWrk, type PeerResult } from './worker-bench-peers.js';
import { startBenchWorker, waitForWorker, workerNodeOptions } from './worker-bench-worker.js';
import {
  checkPrerequisites,
  cpuSeconds,
  establishedTo,
  log,
  memoryMb,
  nowMs,
  moveLocalServersTo,
  pin,
  round,
  stopChild,
} from './worker-bench-proc.js';

const quick = process.argv.includes('--quick');
const redisUrl = process.env.GALILEO_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKER_CORE = process.env.BENCH_WORKER_CORE ?? '0'; // taskset CPU lists
const SERVER_CORE = process.env.BENCH_NGINX_CORE ?? '1';
/** Emulated clients of the group; the rate is split evenly among them (SetWorkload's rate is per client). */
const CLIENTS = Number(process.env.BENCH_WORKER_CLIENTS ?? 32);
/** Seconds a new rate runs before the measured window starts (connections, compiled code). */
const SETTLE_SECONDS = Number(process.env.BENCH_WORKER_SETTLE_SECONDS ?? 1);
/** Seconds measured per rate step (after which the group is closed and its traces counted). */
const STEP_SECONDS = Number(process.env.BENCH_WORKER_STEP_SECONDS ?? (quick ? 2 : 5));
/** Warm-up steps (rate, seconds): gentle first, so a cold start's stall does not open hundreds of connections. */
const WARMUP: [number, number][] = [
  [500, 1],
  [2_000, 1],
  [5_000, quick ? 1 : 2],
];
const LADDER = {
  from: 10_000,
  step: quick ? 10_000 : 5_000,
  max: Number(process.env.BENCH_WORKER_MAX_RATE ?? 200_000),
};
/** The binary search stops when the bracket is this narrow. */
const RESOLUTION = quick ? 2_500 : 1_000;
/** A failing step is tried again once (in a full run) before it counts as failed: the VM is noisy. */
const ATTEMPTS = quick ? 1 : 2;
const PEER_SECONDS = quick ? 3 : 10;
/** Set to a directory to write a V8 CPU profile of the worker (node --cpu-prof) when it stops. */
const CPU_PROF_DIR = process.env.BENCH_WORKER_CPU_PROF ?? '';
/** Extra node flags for the worker (diagnostics, e.g. GC settings); reported in the JSON line. */
const NODE_FLAGS = workerNodeOptions();
/** Diagnostics only: BENCH_WORKER_TRACING=0 pauses tracing (no step can then hold: no traces). */
const TRACING = process.env.BENCH_WORKER_TRACING !== '0';
/** Extra worker configuration (diagnostics), e.g. `galileo_expdb_trace_logger_flush=200`; reported. */
const WORKER_ENV = Object.fromEntries(
  (process.env.BENCH_WORKER_ENV ?? '')
    .split(' ')
    .filter((kv) => kv.includes('='))
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
/** Set to 1 to print the worker's event-loop delay and GC pauses every second (worker-bench-probe.ts). */
const PROBE = process.env.BENCH_WORKER_PROBE === '1';
const SERVICE = 'nginx';
const WORKER_NAME = 'bench-worker';
const HOLD = { rateErrorPct: 1, latePct: 0.1 };
const targets = { tracedReqPerSec: 25_000, ratioToAutocannon: 0.7, rssMb: 150, ...HOLD };

/** The worker runs as the image runs it: its bundle on plain node (built at the start of the run). */
const workerMain = await bundleService('worker');

interface Step {
  phase: 'warmup' | 'ladder' | 'search';
  rate: number;
  achieved: number;
  rateErrorPct: number;
  requests: number;
  late: number;
  latePct: number;
  dropped: number;
  failures: number;
  /** Traces counted on the bus for the whole group (settle included). */
  traces: number;
  /** The whole group, settle included: requests, and the late share. */
  groupRequests: number;
  groupLatePct: number;
  cpuPct: number;
  nginxCpuPct: number;
  rssMb: number;
  connections: number;
  serviceP50Ms: number;
  serviceP99Ms: number;
  responseP99Ms: number;
  held: boolean;
  why: string;
}

/** Traces on the bus per experiment id, read by one consumer group as the recorder would. */
async function countTraces(bus: Bus<GalileoCatalogue>) {
  const perExperiment = new Map<string, number>();
  let non200 = 0;
  const subscription = await bus.subscribe('galileo.traces.>', {
    group: 'bench-traces',
    consumer: 'counter',
    startAt: 'new',
    batchSize: 1000,
    blockMs: 100,
    handler: (event) => {
      const traces = tracesOf(event);
      if (traces.length === 0) return;
      const id = event.correlationId ?? '';
      perExperiment.set(id, (perExperiment.get(id) ?? 0) + traces.length);
      for (const trace of traces) if (trace.status !== 200) non200++;
    },
  });
  return {
    subscription,
    count: (experimentId: string) => perExperiment.get(experimentId) ?? 0,
    get non200() {
      return non200;
    },
  };
}

function startWorker(prefix: string): ChildProcess {
  return startBenchWorker({
    main: workerMain,
    core: WORKER_CORE,
    name: WORKER_NAME,
    redisUrl,
    prefix,
    nodeFlags: [...NODE_FLAGS, ...(CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : [])],
    probe: PROBE,
    env: WORKER_ENV,
  });
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

async function main() {
  checkPrerequisites();
  // The parent (commands, the trace consumer) keeps off the worker's core.
  pin(process.pid, SERVER_CORE);
  const servers = moveLocalServersTo(SERVER_CORE);
  log(`local servers moved to core ${SERVER_CORE} for the run: ${servers.moved.join(', ') || 'none'}`);
  const admin = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = testPrefix('bench-worker');
  let nginx: Nginx | null = null;
  let worker: ChildProcess | null = null;
  const bus = createBus({
    redis: admin,
    catalogue: galileoCatalogue,
    source: 'bench',
    prefix,
    trimIntervalMs: 0,
  });
  try {
    nginx = await startNginx(SERVER_CORE);
    log(`nginx on ${nginx.url} (core ${SERVER_CORE}); worker on core ${WORKER_CORE}, ${CLIENTS} clients`);
    const routed = await createRoutingTable(admin, { prefix }).setRecord({
      service: SERVICE,
      hosts: [`127.0.0.1:${nginx.port}`],
    });
    if (!routed.ok) throw new Error(routed.error);
    const traces = await countTraces(bus);
    const client = createWorkerClient(bus);
    worker = startWorker(prefix);
    await waitForWorker(client, worker, WORKER_NAME);
    if (!TRACING) await client.pauseTracing(WORKER_NAME);
    const workerPid = worker.pid!;
    const idleRssMb = round(memoryMb(workerPid)?.rss ?? 0, 1);
    log(
      `worker up (pid ${workerPid}, rss ${idleRssMb} MB); ${STEP_SECONDS} s per step${quick ? ' (quick)' : ''}`,
    );

    let stepNo = 0;
    const runStep = async (phase: Step['phase'], rate: number, seconds = STEP_SECONDS): Promise<Step> => {
      if (worker!.exitCode !== null) throw new Error(`the worker exited with ${worker!.exitCode}`);
      const experimentId = `bench-${stepNo++}-${rate}`;
      const options = { experimentId, timeoutMs: 20_000 };
      const group = await client.spawn(WORKER_NAME, { service: SERVICE, clients: CLIENTS }, options);
      const ref = { worker: WORKER_NAME, groupId: group.groupId };
      await client.setWorkload(ref, { process: 'constant', rate: rate / CLIENTS }, options);
      // The rate change settles first (new connections, compiled code): measured from then on.
      await new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000));
      const groupInfo = async () => (await client.info(WORKER_NAME, ref.groupId, options)).groups[0]!;
      const before = await groupInfo();
      const cpu0 = cpuSeconds(workerPid) ?? 0;
      const nginxCpu0 = cpuSeconds(nginx!.workerPid) ?? 0;
      const t0 = nowMs();
      let rssMb = 0;
      const sampler = setInterval(() => (rssMb = Math.max(rssMb, memoryMb(workerPid)?.rss ?? 0)), 200);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      clearInterval(sampler);
      const elapsed = (nowMs() - t0) / 1000;
      const cpuPct = (((cpuSeconds(workerPid) ?? cpu0) - cpu0) / elapsed) * 100;
      const nginxCpuPct = (((cpuSeconds(nginx!.workerPid) ?? nginxCpu0) - nginxCpu0) / elapsed) * 100;
      const after = await groupInfo();
      rssMb = Math.max(rssMb, memoryMb(workerPid)?.rss ?? 0);
      const connections = await establishedTo(nginx!.port);
      const final: ClientGroupInfo = await client.close(ref, options);
      await waitUntil(() => traces.count(experimentId) >= final.requests, 15_000);
      const counted = traces.count(experimentId);
      // The window in the worker's own clock: achievedRate = requests / time since the workload started.
      const sinceStart = (info: ClientGroupInfo) =>
        info.achievedRate > 0 ? info.requests / info.achievedRate : 0;
      const window = {
        requests: after.requests - before.requests,
        late: after.late - before.late,
        dropped: after.dropped - before.dropped,
        failures: after.failures - before.failures,
        seconds: sinceStart(after) - sinceStart(before),
      };
      const achieved = window.seconds > 0 ? window.requests / window.seconds : 0;
      const rateErrorPct = ((achieved - rate) / rate) * 100;
      const latePct = window.requests > 0 ? (window.late / window.requests) * 100 : 0;
      const problems = [
        Math.abs(rateErrorPct) > HOLD.rateErrorPct && `rate off by ${rateErrorPct.toFixed(2)} %`,
        latePct > HOLD.latePct && `${latePct.toFixed(2)} % late`,
        window.dropped > 0 && `${window.dropped} dropped`,
        window.failures > 0 && `${window.failures} failed`,
        counted !== final.requests && `${counted} traces for ${final.requests} requests`,
      ].filter((p): p is string => typeof p === 'string');
      const step: Step = {
        phase,
        rate,
        achieved: round(achieved),
        rateErrorPct: round(rateErrorPct, 3),
        requests: window.requests,
        late: window.late,
        latePct: round(latePct, 3),
        dropped: window.dropped,
        failures: window.failures,
        traces: counted,
        groupRequests: final.requests,
        groupLatePct: round(final.requests > 0 ? (final.late / final.requests) * 100 : 0, 3),
        cpuPct: round(cpuPct, 1),
        nginxCpuPct: round(nginxCpuPct, 1),
        rssMb: round(rssMb, 1),
        connections,
        serviceP50Ms: final.latencyMs.serviceTime.p50,
        serviceP99Ms: final.latencyMs.serviceTime.p99,
        responseP99Ms: final.latencyMs.responseTime.p99,
        held: problems.length === 0,
        why: problems.join(', '),
      };
      log(
        `${phase.padEnd(6)} ${String(rate).padStart(6)}/s: achieved ${step.achieved} (${step.rateErrorPct} %), ` +
          `late ${step.latePct} % (${step.groupLatePct} % with the settling), dropped ${step.dropped}, ` +
          `traces ${counted}/${final.requests}, ` +
          `cpu ${step.cpuPct} % (nginx ${step.nginxCpuPct} %), rss ${step.rssMb} MB, ${connections} conns, ` +
          `service p50/p99 ${step.serviceP50Ms}/${step.serviceP99Ms} ms, response p99 ${step.responseP99Ms} ms → ` +
          (step.held ? 'held' : `not held: ${step.why}`),
      );
      return step;
    };

    const steps: Step[] = [];
    const attempt = async (phase: Step['phase'], rate: number): Promise<boolean> => {
      for (let i = 0; i < ATTEMPTS; i++) {
        const step = await runStep(phase, rate);
        steps.push(step);
        if (step.held) return true;
      }
      return false;
    };

    // Warm-up (connections opened, code compiled); not a candidate.
    for (const [rate, seconds] of WARMUP) steps.push(await runStep('warmup', rate, seconds));
    let lo = 0;
    let hi = 0;
    for (let rate = LADDER.from; rate <= LADDER.max; rate += LADDER.step) {
      if (await attempt('ladder', rate)) lo = rate;
      else {
        hi = rate;
        break;
      }
    }
    if (hi === 0) hi = LADDER.max;
    while (hi - lo > RESOLUTION) {
      const mid = Math.round((lo + hi) / 2 / 500) * 500;
      if (mid <= lo || mid >= hi) break;
      if (await attempt('search', mid)) lo = mid;
      else hi = mid;
    }
    const heldSteps = steps.filter((s) => s.phase !== 'warmup' && s.held);
    const best = heldSteps.reduce<Step | null>((b, s) => (!b || s.rate > b.rate ? s : b), null);
    const peakRssMb = memoryMb(workerPid)?.peak ?? 0;
    const connections = Math.max(1, best?.connections ?? steps.at(-1)!.connections);
    log(`highest held: ${best ? `${best.rate}/s` : 'none'}; worker peak RSS ${round(peakRssMb, 1)} MB`);

    log(`autocannon: ${connections} connections, ${PEER_SECONDS} s, core ${WORKER_CORE}…`);
    const autocannon: PeerResult = await runAutocannon(nginx.url, connections, PEER_SECONDS, WORKER_CORE);
    log(`  ${round(autocannon.reqPerSec)} req/s, cpu ${round(autocannon.cpuPct ?? 0, 1)} %`);
    log(`wrk: ${connections} connections, ${PEER_SECONDS} s, core ${WORKER_CORE}…`);
    const wrk: PeerResult = await runWrk(nginx.url, connections, PEER_SECONDS, WORKER_CORE);
    log(`  ${round(wrk.reqPerSec)} req/s, cpu ${round(wrk.cpuPct ?? 0, 1)} %`);

    const traced = best?.rate ?? 0;
    const ratioToAutocannon = autocannon.reqPerSec > 0 ? traced / autocannon.reqPerSec : 0;
    const result = {
      bench: 'worker',
      quick,
      tracedReqPerSec: traced,
      achievedReqPerSec: best?.achieved ?? 0,
      autocannonReqPerSec: round(autocannon.reqPerSec),
      wrkReqPerSec: round(wrk.reqPerSec),
      ratioToAutocannon: round(ratioToAutocannon, 3),
      ratioToWrk: round(wrk.reqPerSec > 0 ? traced / wrk.reqPerSec : 0, 3),
      rateErrorPct: best?.rateErrorPct ?? null,
      latePct: best?.latePct ?? null,
      dropped: best?.dropped ?? null,
      tracesPerRequest: best ? round(best.traces / best.groupRequests, 4) : null,
      cpuPct: best?.cpuPct ?? null,
      nginxCpuPct: best?.nginxCpuPct ?? null,
      rssMb: round(peakRssMb, 1),
      rssAtHeldMb: best?.rssMb ?? null,
      rssIdleMb: idleRssMb,
      serviceP50Ms: best?.serviceP50Ms ?? null,
      serviceP99Ms: best?.serviceP99Ms ?? null,
      responseP99Ms: best?.responseP99Ms ?? null,
      connections,
      clients: CLIENTS,
      tracing: TRACING,
      nodeFlags: NODE_FLAGS,
      localServersMoved: servers.moved,
      workerEnv: WORKER_ENV,
      stepSeconds: STEP_SECONDS,
      settleSeconds: SETTLE_SECONDS,
      peerSeconds: PEER_SECONDS,
      autocannon: {
        cpuPct: round(autocannon.cpuPct ?? 0, 1),
        p99Ms: autocannon.p99Ms,
        errors: autocannon.errors,
      },
      wrk: { cpuPct: round(wrk.cpuPct ?? 0, 1), p99Ms: wrk.p99Ms, errors: wrk.errors },
      non200Traces: traces.non200,
      steps: steps.map((s) => ({
        phase: s.phase,
        rate: s.rate,
        achieved: s.achieved,
        errPct: s.rateErrorPct,
        latePct: s.latePct,
        dropped: s.dropped,
        groupLatePct: s.groupLatePct,
        traces: s.traces === s.groupRequests,
        cpuPct: s.cpuPct,
        rssMb: s.rssMb,
        conns: s.connections,
        held: s.held,
      })),
      targets,
      met: {
        tracedReqPerSec: traced >= targets.tracedReqPerSec,
        ratioToAutocannon: ratioToAutocannon >= targets.ratioToAutocannon,
        rssMb: peakRssMb <= targets.rssMb,
      },
    };
    console.log(JSON.stringify(result));
  } finally {
    if (worker) {
      const code = await stopChild(worker, 'SIGTERM', 20_000);
      if (code !== 0) log(`the worker exited with ${code}`);
    }
    await bus.close().catch(() => undefined);
    await nginx?.stop();
    await deleteKeysWithPrefix(admin, prefix);
    admin.disconnect();
    servers.restore();
  }
}

await main();
