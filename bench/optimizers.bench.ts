// npm run bench:optimizers [-- --quick]
// One round of the osmotic scale-schedule optimizer (libs/osmotic runOsmoticRound: all six
// pressure components with their records, per-gateway aggregation, the decision step) over a
// synthetic context of 100 zones × 100 functions × 50 client zones per (zone, function): 500,000
// pressure rows, 4–11 trace times each. Each timed round gets a fresh input built before its
// timer starts, as the service builds one per round from its context (`sameInputRoundMs`: the
// same rounds over one input kept across rounds). Peer in the same run: a naive round that computes the same
// pressure rows the way the Python original does with pandas, by filtering the flat trace list
// per gateway, per function and per client zone. Prints one JSON object last (roundMs first).
import { performance } from 'node:perf_hooks';
// seeded, so every run sees the same context
import { rng } from '../libs/osmotic/src/test-support/random-context.js';
import {
  combinedPressure,
  cpuUsagePressure,
  latencyRequirementLogPressure,
  latencyRequirementPressure,
  networkDistancePressure,
  percentile,
  requestPressure,
  rttLogPressure,
  computePressures,
  pressureRows,
  decideScaling,
  indexRound,
  runOsmoticRound,
  type OsmoticInput,
  type OsmoticNode,
  type OsmoticParameters,
  type OsmoticPod,
  type PressureName,
  type TraceGroup,
} from '@galileo/osmotic';

const quick = process.argv.includes('--quick');
const ZONES = Number(process.env.BENCH_OPT_ZONES ?? 100);
const FUNCTIONS = Number(process.env.BENCH_OPT_FUNCTIONS ?? 100);
const CLIENT_ZONES = Number(process.env.BENCH_OPT_CLIENT_ZONES ?? 50);
const TIMES = 8;
const ROUNDS = quick ? 3 : 7;
/** Records serialised after the last round (all 4 million take tens of seconds; --quick samples). */
const RECORD_LIMIT = quick ? 300_000 : Infinity;
/** The naive peer scans the flat trace list; at full scale that takes minutes, so it runs on fewer zones. */
const PEER_ZONES = Number(process.env.BENCH_OPT_PEER_ZONES ?? (quick ? 10 : 20));

const log = (msg: string) => process.stderr.write(`${msg}\n`);

function syntheticContext(zones: number, functions: number, clientZones: number): OsmoticInput {
  const random = rng(42);
  const zoneNames = Array.from({ length: zones }, (_, i) => `zone-${i}`);
  const fnNames = Array.from({ length: functions }, (_, i) => `fn_${i}`);
  const nodes: OsmoticNode[] = [];
  const position = new Map<string, number>();
  for (const [i, zone] of zoneNames.entries()) {
    for (const n of ['gw', 'w1', 'w2']) {
      const name = `${n}-${zone}`;
      position.set(name, i * 7 + (n === 'gw' ? 0 : n === 'w1' ? 1 : 2) * 0.5);
      nodes.push({ name, zone, worker: n !== 'gw', allocatable: { cpu: '16', memory: '64Gi', pods: '110' } });
    }
  }
  const pods: OsmoticPod[] = [];
  for (const [zi, zone] of zoneNames.entries()) {
    for (const [fi, fn] of fnNames.entries()) {
      if ((zi + fi) % 3 !== 0) continue; // a third of the (zone, function) pairs run a replica
      pods.push({
        name: `${fn.replace(/_/g, '-')}-deployment-${zi.toString(36)}${fi.toString(36)}`,
        fn,
        zone,
        node: `w${1 + (fi % 2)}-${zone}`,
        status: 'Running',
        image: `edgerun/${fn}:1.0`,
        labels: { 'ether.edgerun.io/function': fn, type: 'fn', 'ether.edgerun.io/zone': zone },
        namespace: 'default',
        resourceRequests: { cpu: '100m', memory: '64Mi' },
        cpuMean: random() * 100,
      });
    }
  }
  const traces: TraceGroup[] = [];
  // The target times as one column (as services/scale-schedule-optimizer's context-input builds
  // them): each group's times are a view of it. At most 1.5 × TIMES per group.
  const column = new Float64Array(zones * functions * clientZones * Math.ceil(TIMES * 1.5));
  let used = 0;
  for (const [zi, zone] of zoneNames.entries()) {
    for (const fn of fnNames) {
      for (let k = 0; k < clientZones; k++) {
        const clientZone = zoneNames[(zi + k * 2) % zones]!;
        const n = TIMES / 2 + Math.floor(random() * TIMES);
        const times = column.subarray(used, used + n);
        used += n;
        const base = 5 + random() * 60;
        for (let t = 0; t < n; t++) times[t] = base + random() * 20;
        traces.push({
          fn,
          zone,
          clientZone,
          client: `galileo-worker-${clientZone}-abcde:${fn}:0`,
          count: n,
          times,
        });
      }
    }
  }
  const ring = zones * 7;
  return {
    now: 1_700_000_000.25,
    zones: zoneNames,
    gateways: zoneNames.map((zone) => ({ zone, node: `gw-${zone}` })),
    nodes,
    pods,
    traces,
    latency: (a, b) => {
      const pa = position.get(a);
      const pb = position.get(b);
      if (pa === undefined || pb === undefined) return undefined;
      const d = Math.abs(pa - pb);
      return Math.min(d, ring - d);
    },
    maxLatency: ring / 2,
  };
}

const parameters: OsmoticParameters = {
  maxThreshold: 0.8,
  minThreshold: 0.05,
  pressures: ['request', 'rtt_log', 'cpu_usage'],
  logistic: { a: 250, b: 1, c: 0.2, d: 35, offset: 0 },
  percentile: 90,
  latencyRequirement: () => 70,
  maxReplicas: 20,
};

/**
 * The peer: the same pressure rows computed like the Python original — one flat list of traces
 * (one object per trace), filtered per gateway, then per function, then per client zone; the
 * percentile sorts the filtered column. Only the rows, no records and no decisions.
 */
function naiveRound(input: OsmoticInput, params: OsmoticParameters) {
  type Trace = { fn: string; zone: string; clientZone: string; client: string; time: number };
  const flat: Trace[] = [];
  for (const g of input.traces) {
    for (let i = 0; i < g.count; i++) {
      flat.push({ fn: g.fn, zone: g.zone, clientZone: g.clientZone, client: g.client, time: g.times[i]! });
    }
  }
  const t0 = performance.now();
  const rows: { fn: string; zone: string; clientZone: string; value: number }[] = [];
  for (const gateway of input.gateways) {
    const atGateway = flat.filter((t) => t.zone === gateway.zone);
    const zoneNodes = input.nodes.filter((n) => n.zone === gateway.zone);
    const avg =
      zoneNodes.reduce(
        (s, n) => s + (n.name === gateway.node ? 0 : (input.latency(gateway.node, n.name) ?? 0)),
        0,
      ) / Math.max(1, zoneNodes.length);
    for (const fn of [...new Set(atGateway.map((t) => t.fn))]) {
      const ofFn = atGateway.filter((t) => t.fn === fn);
      const running = input.pods.filter(
        (p) => p.fn === fn && p.zone === gateway.zone && p.status === 'Running',
      );
      const cpu = running.length ? running.reduce((s, p) => s + (p.cpuMean ?? 0), 0) / running.length : 0;
      const clientZones = [...new Set(ofFn.map((t) => t.clientZone))];
      const counts = clientZones.map((x) => ofFn.filter((t) => t.clientZone === x).length);
      const max = Math.max(...counts);
      for (const [i, x] of clientZones.entries()) {
        const fromX = ofFn.filter((t) => t.clientZone === x);
        const other = input.gateways.find((g) => g.zone === x)!;
        const distance = x === gateway.zone ? avg : (input.latency(other.node, gateway.node) ?? 0);
        const required = params.latencyRequirement(fn)!;
        const values: Record<PressureName, number> = {
          request: requestPressure(counts[i]!, max),
          rtt_log: rttLogPressure(
            percentile(
              fromX.map((t) => t.time),
              params.percentile,
            ),
            params.logistic,
          ),
          network_distance: networkDistancePressure(distance, input.maxLatency),
          latency_req_unbound: latencyRequirementPressure(distance, required),
          latency_req_log: latencyRequirementLogPressure(distance, required, params.logistic),
          cpu_usage: cpuUsagePressure(cpu),
        };
        rows.push({
          fn,
          zone: gateway.zone,
          clientZone: x,
          value: combinedPressure(values, params.pressures),
        });
      }
    }
  }
  return { rows, ms: performance.now() - t0 };
}

function median(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
const round2 = (x: number) => Math.round(x * 100) / 100;

/** CPU time of this process in ms (user + system, GC threads included): the machine is shared, wall time is noisy. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function sections(input: OsmoticInput) {
  const t0 = cpuMs();
  const index = indexRound(input);
  const t1 = cpuMs();
  const pressures = computePressures(input, parameters, index);
  const t2 = cpuMs();
  decideScaling(input, parameters, pressures, index);
  const t3 = cpuMs();
  return { indexCpuMs: round2(t1 - t0), pressureCpuMs: round2(t2 - t1), decideCpuMs: round2(t3 - t2) };
}

/**
 * ROUNDS rounds as the service runs them: runOsmoticRound(input, parameters), which is what the
 * service times (computeMs, galileo_optimizer_round_seconds). With `fresh`, every round gets a new
 * input built before its timer starts, as the service builds one per round from its context
 * (deps.input()); the previous round's input is garbage then, as in the service.
 */
function measure(build: () => OsmoticInput, serialise: boolean, fresh = true) {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let last: ReturnType<typeof runOsmoticRound> | undefined;
  let input = build();
  for (let r = 0; r < ROUNDS; r++) {
    last = undefined;
    if (fresh && r > 0) input = build();
    const t0 = performance.now();
    const c0 = cpuMs();
    last = runOsmoticRound(input, parameters);
    cpuTimes.push(cpuMs() - c0);
    times.push(performance.now() - t0);
  }
  // What the service does next with the last round: every record built and serialised (JSON),
  // one at a time, as publishing does (without Redis).
  let records = 0;
  let recordsMs = 0;
  if (serialise) {
    const t1 = performance.now();
    let bytes = 0;
    for (const record of last!.records()) {
      bytes += JSON.stringify(record.value).length;
      if (++records >= RECORD_LIMIT) break;
    }
    recordsMs = performance.now() - t1;
    if (bytes === 0) log('no records');
  }
  return { times, cpuTimes, records, recordsMs, last: last!, input };
}

log(`building the synthetic context: ${ZONES} zones × ${FUNCTIONS} functions × ${CLIENT_ZONES} client zones`);
const full = measure(
  () => syntheticContext(ZONES, FUNCTIONS, CLIENT_ZONES),
  !process.env.BENCH_OPT_ONLY_ROUND,
);
// the same rounds over one input kept across rounds (how this bench measured before 2026-12-02 17:30)
const same = measure(() => full.input, false, false);
const breakdown = sections(full.input);
log(`sections: ${JSON.stringify(breakdown)}`);
log(`same input every round: ${same.times.map((t) => t.toFixed(0)).join(', ')} ms`);
log(
  `round (fresh input each): ${full.times.map((t) => t.toFixed(0)).join(', ')} ms (cpu ${full.cpuTimes.map((t) => t.toFixed(0)).join(', ')} ms); records serialised in ${full.recordsMs.toFixed(0)} ms; rows ${full.last.rowCount}, records ${full.records}, actions ${full.last.actions.length}`,
);

if (process.env.BENCH_OPT_ONLY_ROUND) process.exit(0);
log(`peer (naive, pandas-style filtering) at ${PEER_ZONES} zones`);
const small = syntheticContext(PEER_ZONES, FUNCTIONS, Math.min(CLIENT_ZONES, PEER_ZONES));
const ours = measure(() => small, false, false);
const peer = naiveRound(small, parameters);
const oursRows = pressureRows(ours.last);
const mismatch = peer.rows.filter((p) => {
  const row = oursRows.find((r) => r.fn === p.fn && r.zone === p.zone && r.clientZone === p.clientZone);
  return !row || Math.abs(row.value - p.value) > 1e-9;
}).length;
log(
  `peer: ${peer.ms.toFixed(0)} ms for ${peer.rows.length} rows (ours ${median(ours.times).toFixed(1)} ms); rows that differ: ${mismatch}`,
);

const result = {
  roundMs: round2(median(full.times)),
  roundMsAll: full.times.map(round2),
  roundCpuMs: round2(median(full.cpuTimes)),
  sameInputRoundMs: round2(median(same.times)),
  sameInputRoundMsAll: same.times.map(round2),
  targetMs: 500,
  recordsSerialised: full.records,
  recordsMs: round2(full.recordsMs),
  recordsPerSecond: Math.round(full.records / (full.recordsMs / 1000)),
  sections: breakdown,
  zones: ZONES,
  functions: FUNCTIONS,
  clientZones: CLIENT_ZONES,
  pressureRows: full.last.rowCount,
  records:
    [...full.last.gateways].reduce((n, g) => n + 1 + g.functions.reduce((m, f) => m + 1 + 8 * f.size, 0), 0) +
    full.last.actions.length,
  actions: full.last.actions.length,
  skips: full.last.skips.length,
  peer: {
    name: 'naive pandas-style round (rows only)',
    zones: PEER_ZONES,
    clientZones: Math.min(CLIENT_ZONES, PEER_ZONES),
    rows: peer.rows.length,
    naiveMs: round2(peer.ms),
    oursMs: round2(median(ours.times)),
    speedup: round2(peer.ms / median(ours.times)),
    rowsThatDiffer: mismatch,
  },
  quick,
  node: process.version,
};
console.log(JSON.stringify(result));
