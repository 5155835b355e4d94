import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '@galileo/config';
import { experimentQueueKeys, generateExperimentId } from '@galileo/experiment-queue';
import { FUNCTION_LABEL } from '@galileo/orchestrator';
import { computeReport, loadExperimentData, renderReportHtml, renderReportText } from '@galileo/report';
import { createRoutingTable, type RoutingTable } from '@galileo/routing';
import { EmbeddedStartError, startEmbeddedStack, type EmbeddedStack } from './stack.js';

/** The function the demo serves: sample-app replicas labelled `busy`. */
export const DEMO_FUNCTION = 'busy';

/**
 * The demo's tuning, under the environment: each request costs the replica 20 ms of CPU (one
 * replica serves at most ~50 requests/s), a latency requirement for the function (without one the
 * scale-schedule optimizer skips it), a pressure of request share × rtt_log (midpoint 80 ms), no
 * scale-down of a zone that has traffic, and at most four replicas.
 */
export const DEMO_DEFAULTS: Readonly<Record<string, string>> = {
  pod_creator_local_cpu_ms: '20',
  [`schedule_scale_opt_latency_requirement_${DEMO_FUNCTION}`]: '70',
  schedule_scale_opt_min_threshold: '0',
  // The client pressure from the request share and the latency only: on one machine every
  // emulated node's CPU is the machine's, load generator included, so cpu_usage would measure the
  // demo itself (it is still computed and published). rtt_log's midpoint at 80 ms (galileo: 35):
  // a busy machine's everyday latency is no pressure yet, the saturated replica's queue is.
  schedule_scale_opt_pressures: 'request,rtt_log',
  schedule_scale_opt_d: '80',
  schedule_scale_opt_max_replicas_busy: '4',
};

export interface DemoOptions {
  /** Planned length of the experiment in seconds. */
  durationS: number;
  quiet: boolean;
}

export type ParsedDemoArguments =
  { ok: true; value: DemoOptions } | { ok: false; error: string } | { help: true };

const USAGE = `Usage: npm run demo [-- --duration <s>] [-- --quiet]

Starts the embedded stack (galileo up), two sample-app replicas in two zones behind their load
balancers, queues an experiment on galileo:experiments:instructions that ramps the request rate
so the optimizers act, follows it, prints its report and writes the HTML report.

  --duration <s>  length of the experiment (default 60, at least 10)
  --quiet         print only the report and the outcome
`;

export function parseDemoArguments(args: readonly string[]): ParsedDemoArguments {
  const options: DemoOptions = { durationS: 60, quiet: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--quiet' || arg === '-q') options.quiet = true;
    else if (arg === '--duration' || arg.startsWith('--duration=')) {
      const raw = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      const n = Number(raw);
      if (raw === undefined || !Number.isFinite(n) || n < 10 || n > 3600)
        return {
          ok: false,
          error: `--duration ${raw ?? ''}: expected seconds between 10 and 3600, e.g. --duration 20`,
        };
      options.durationS = n;
    } else return { ok: false, error: `unknown option ${arg}: expected --duration <s> or --quiet` };
  }
  return { ok: true, value: options };
}

/**
 * The experiment in galileo's instruction language: four clients on the worker, a rate that ramps
 * from 10 to 60 requests/s over the first 60 % of the time and holds, then 0 and close. With
 * three parts of the traffic on the first zone's single replica (20 ms of CPU a request, at most
 * ~50/s) its queue and latency grow past the peak's 45/s, so the pressure crosses the threshold.
 */
export function demoInstructions(worker: string, durationS: number, fn = DEMO_FUNCTION): string {
  const re = worker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const steps = 10;
  const step = durationS / steps;
  const lines = [`spawn ${re} ${fn} 4 {"path": "/function/${fn}"}`];
  for (let i = 0; i < steps; i++) {
    const rate = Math.round(10 + (50 * Math.min(i, 6)) / 6);
    lines.push(`rps ${re} ${fn} ${rate}`, `sleep ${Number(step.toFixed(3))}`);
  }
  lines.push(`rps ${re} ${fn} 0`, `close ${re} ${fn}`);
  return lines.join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} did not happen within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(250);
  }
}

const suffix = () => randomBytes(3).toString('hex').slice(0, 5);

/** Starts one replica of the function per zone through the local orchestrator and waits until they run. */
async function startReplicas(stack: EmbeddedStack, fn: string): Promise<void> {
  for (const z of stack.zones) {
    const created = await stack.orchestrator.createPod({
      podName: `${fn}-deployment-${suffix()}`,
      fn,
      image: 'galileo/sample-app',
      labels: { [FUNCTION_LABEL]: fn },
      zone: z.zone,
      namespace: 'default',
      resourceRequests: { cpu: '250m', memory: '100Mi' },
    });
    if (!created.ok) throw new Error(`starting a replica in ${z.zone} failed: ${created.error.message}`);
  }
  await until('the replicas answering /healthz', 60_000, async () => {
    const pods = await stack.orchestrator.listPods();
    return pods.length >= stack.zones.length && pods.every((p) => p.status === 'Running');
  });
}

/** A few hundred requests through each balancer, four at a time. */
async function warmUp(balancers: readonly string[], fn: string, perBalancer = 100): Promise<void> {
  for (const hostPort of balancers) {
    let left = perBalancer;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (left-- > 0) {
          const res = await fetch(`http://${hostPort}/function/${fn}`, {
            signal: AbortSignal.timeout(5_000),
          }).catch(() => null);
          await res?.arrayBuffer();
        }
      }),
    );
  }
}

async function replicasPerZone(stack: EmbeddedStack): Promise<Record<string, number>> {
  const out: Record<string, number> = Object.fromEntries(stack.zones.map((z) => [z.zone, 0]));
  for (const p of await stack.orchestrator.listPods()) {
    const zone = p.labels['ether.edgerun.io/zone'];
    if (zone !== undefined && p.status === 'Running') out[zone] = (out[zone] ?? 0) + 1;
  }
  return out;
}

/** `npm run demo`: returns the exit code (0 only for a FINISHED experiment whose report has requests). */
export async function runDemo(args: readonly string[], env: Environment = process.env): Promise<number> {
  const parsed = parseDemoArguments(args);
  if ('help' in parsed) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!parsed.ok) {
    process.stderr.write(`demo: ${parsed.error}\n`);
    return 2;
  }
  const { durationS, quiet } = parsed.value;
  const say = (line: string) => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  const fail = (reason: string) => {
    process.stderr.write(`demo failed: ${reason}\n`);
    return 1;
  };

  let stack: EmbeddedStack;
  try {
    stack = await startEmbeddedStack({ env, defaults: DEMO_DEFAULTS, say });
  } catch (e) {
    if (e instanceof EmbeddedStartError) return fail(e.message);
    throw e;
  }
  let interrupted = false;
  let routingTable: RoutingTable | null = null;
  const onSignal = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const a = stack.addresses;
    say(`embedded stack up: API ${a.api}/api, database ${a.sqlite}, logs ${a.logs ?? 'stderr'}`);
    const fn = DEMO_FUNCTION;
    await startReplicas(stack, fn);
    say(`replicas of ${fn}: ${JSON.stringify(await replicasPerZone(stack))} (local sample-app processes)`);

    // each zone's balancer serves the function once the lb-optimizer wrote its weights
    for (const [zone, hostPort] of Object.entries(a.balancers)) {
      await until(`the load balancer of ${zone} serving /function/${fn}`, 60_000, async () => {
        const res = await fetch(`http://${hostPort}/function/${fn}`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        return res.ok;
      });
    }
    // warm the replicas and the balancers' connections up, so the experiment's first seconds
    // measure the system rather than a cold start
    await warmUp(Object.values(a.balancers), fn);

    // the worker reaches the function through the balancers: three parts to its own zone's one
    const hosts = Object.values(a.balancers);
    const table = createRoutingTable(stack.redis, { prefix: stack.keyPrefix });
    routingTable = table;
    const routing = await table.setRecord({
      service: fn,
      hosts,
      weights: hosts.map((_, i) => (i === 0 ? 3 : 1)),
    });
    if (!routing.ok) return fail(`setting the routing table failed: ${JSON.stringify(routing.error)}`);
    say(`routing table: ${fn} → ${hosts.map((h, i) => `${h} (weight ${i === 0 ? 3 : 1})`).join(', ')}`);

    // queue the experiment exactly as galileo's users do: LPUSH of the JSON instructions form
    const id = generateExperimentId(Date.now());
    const instructions = demoInstructions(stack.workerName, durationS, fn);
    const queue = experimentQueueKeys(stack.keyPrefix, stack.env.galileo_experimentd_queue).queue;
    await stack.redis.lpush(
      queue,
      JSON.stringify({ id, name: `demo ramp ${durationS}s`, creator: 'npm run demo', instructions }),
    );
    say(`queued experiment ${id} on ${queue}: ${durationS} s, 10 → 60 requests/s`);

    const started = Date.now();
    let lastPrint = 0;
    const terminal = new Set(['FINISHED', 'FAILED', 'CANCELLED']);
    let status = 'QUEUED';
    const deadline = started + (durationS + 120) * 1000;
    while (!terminal.has(status)) {
      if (interrupted) return fail(`interrupted while experiment ${id} was ${status}`);
      if (Date.now() > deadline)
        return fail(`experiment ${id} did not end within ${durationS + 120} s (last status ${status})`);
      await sleep(500);
      status = (await stack.db.experiments.get(id))?.status ?? status;
      if (!quiet && Date.now() - lastPrint >= 5_000) {
        lastPrint = Date.now();
        const traces = await stack.db.traces.count({ experimentId: id });
        say(
          `  ${Math.round((Date.now() - started) / 1000)} s  ${status}  traces ${traces}  replicas ${JSON.stringify(await replicasPerZone(stack))}`,
        );
      }
    }
    // the recorder writes in batches: wait until the rows stop growing
    let count = -1;
    for (let i = 0; i < 30; i++) {
      const now = await stack.db.traces.count({ experimentId: id });
      if (now === count) break;
      count = now;
      await sleep(1_000);
    }
    const data = await loadExperimentData(stack.db, id);
    if (!data) return fail(`experiment ${id} is not in the experiment database`);
    const report = computeReport(data);
    process.stdout.write(renderReportText(report));
    const reportsDir = join(a.dataDir, 'reports');
    mkdirSync(reportsDir, { recursive: true });
    const htmlPath = join(reportsDir, `${id}.html`);
    writeFileSync(htmlPath, renderReportHtml(report));
    process.stdout.write(optimizerSummary(data.events, await replicasPerZone(stack), a.balancers));
    process.stdout.write(`\nHTML report: ${htmlPath}\n`);
    if (status !== 'FINISHED') return fail(`experiment ${id} ended ${status}`);
    if (report.requests.total === 0) return fail(`experiment ${id} finished but recorded no requests`);
    process.stdout.write(`demo: experiment ${id} FINISHED with ${report.requests.total} requests\n`);
    return 0;
  } catch (e) {
    return fail((e as Error).message);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    say('stopping the embedded stack…');
    // the balancers go away with the stack: so does the record that points at them
    await routingTable?.removeRecord(DEMO_FUNCTION).catch(() => false);
    await stack.stop();
  }
}

const parseValue = (raw: string | null): Record<string, unknown> | null => {
  if (raw === null) return null;
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

/**
 * What the optimizers did, in three lines: the highest gateway pressure, the scale_schedule
 * actions and the replicas now, and the weights each zone's balancer ended with (replicas by
 * address, other zones' balancers by zone).
 */
export function optimizerSummary(
  events: readonly { name: string; value: string | null; timestamp: number }[],
  replicas: Readonly<Record<string, number>>,
  balancers: Readonly<Record<string, string>>,
): string {
  let maxPressure: { value: number; zone: string } | null = null;
  let creates = 0;
  let deletes = 0;
  let weightUpdates = 0;
  const lastWeights = new Map<string, { ips: string[]; weights: number[] }>();
  const zoneOfBalancer = new Map(Object.entries(balancers).map(([zone, hostPort]) => [hostPort, zone]));
  for (const e of [...events].sort((x, y) => x.timestamp - y.timestamp)) {
    const v = parseValue(e.value);
    if (!v) continue;
    if (e.name === 'api_pressure' && typeof v.max === 'number') {
      if (!maxPressure || v.max > maxPressure.value) maxPressure = { value: v.max, zone: String(v.zone) };
    } else if (e.name === 'scale_schedule') {
      if (v.delete === true) deletes++;
      else creates++;
    } else if (e.name === 'weight_update') {
      weightUpdates++;
      const w = v.weights as { ips?: unknown; weights?: unknown } | undefined;
      if (w && Array.isArray(w.ips) && Array.isArray(w.weights))
        lastWeights.set(String(v.zone), { ips: w.ips.map(String), weights: w.weights.map(Number) });
    }
  }
  const lines = ['', 'optimizers'];
  lines.push(
    `  pressure    ${maxPressure ? `highest api_pressure ${maxPressure.value.toFixed(3)} (gateway of ${maxPressure.zone})` : 'none recorded'}`,
  );
  lines.push(
    `  scaling     ${creates} replica(s) created, ${deletes} removed; replicas now ${Object.entries(replicas)
      .map(([z, n]) => `${z}: ${n}`)
      .join(', ')}`,
  );
  lines.push(`  weights     ${weightUpdates} weight_update(s)`);
  for (const [zone, w] of [...lastWeights].sort()) {
    const parts = w.ips.map(
      (ip, i) => `${zoneOfBalancer.has(ip) ? `→${zoneOfBalancer.get(ip)}` : ip} ${w.weights[i]}`,
    );
    lines.push(`    ${zone}: ${parts.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
