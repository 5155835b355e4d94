import {
  cpuUsagePressure,
  latencyRequirementLogPressure,
  latencyRequirementPressure,
  networkDistancePressure,
  percentile,
  type PressureName,
} from './formulas.js';
import type { OsmoticGateway, OsmoticInput, OsmoticParameters, OsmoticPod, TraceGroup } from './input.js';
import type { OsmoticRecord, PressureLatencyRecord } from './records.js';

/** Columns of FunctionPressure.columns, one row of COLUMNS numbers per evaluated client zone. */
export const PRESSURE_COLUMNS = [
  'value',
  'request',
  'rttLog',
  'networkDistance',
  'latencyReqUnbound',
  'latencyReqLog',
  'time',
  'distance',
] as const;
const COLUMNS = PRESSURE_COLUMNS.length;
const [VALUE, REQUEST, RTT_LOG, NETWORK_DISTANCE, LATENCY_REQ_UNBOUND, LATENCY_REQ_LOG, TIME, DISTANCE] = [
  0, 1, 2, 3, 4, 5, 6, 7,
] as const;

/**
 * One function at one gateway, and its client zones' pressures: P[fn, zone, clients[i].clientZone]
 * is `columns[i * 8]` (the product), followed by the components, the target-time percentile (ms;
 * NaN without traces) and d_xz (ms). Columnar, so a round of 500,000 rows allocates 10,000 of these.
 */
export interface FunctionPressure {
  fn: string;
  /** Zone of the gateway (where the function was served). */
  zone: string;
  /** The gateway's node. */
  gateway: string;
  utilization: number;
  requiredLatency: number;
  avgDistance: number;
  /** The normaliser of network_distance. */
  maxLatency: number;
  runningPods: number;
  cpuMean: number;
  cpuUsage: number;
  /** The evaluated trace groups (client zones), internal first. */
  clients: TraceGroup[];
  columns: Float64Array;
  /** Mean of the client pressures (the scale-down test). */
  mean: number;
}

/** P[fn, fn_zone, client_zone] as one object (for tests, logs and small rounds). */
export interface PressureRow {
  fn: string;
  zone: string;
  clientZone: string;
  value: number;
  gateway: string;
  client: string;
  count: number;
  request: number;
  rttLog: number;
  networkDistance: number;
  latencyReqUnbound: number;
  latencyReqLog: number;
  time: number;
  distance: number;
}

export function pressureRow(f: FunctionPressure, i: number): PressureRow {
  const c = f.columns;
  const o = i * COLUMNS;
  const g = f.clients[i]!;
  return {
    fn: f.fn,
    zone: f.zone,
    clientZone: g.clientZone,
    value: c[o + VALUE]!,
    gateway: f.gateway,
    client: g.client,
    count: g.count,
    request: c[o + REQUEST]!,
    rttLog: c[o + RTT_LOG]!,
    networkDistance: c[o + NETWORK_DISTANCE]!,
    latencyReqUnbound: c[o + LATENCY_REQ_UNBOUND]!,
    latencyReqLog: c[o + LATENCY_REQ_LOG]!,
    time: c[o + TIME]!,
    distance: c[o + DISTANCE]!,
  };
}

/** Every P[fn, z, x] of a round as objects. */
export function pressureRows(result: Pick<PressureResult, 'gateways'>): PressureRow[] {
  const rows: PressureRow[] = [];
  for (const gw of result.gateways)
    for (const f of gw.functions) for (let i = 0; i < f.clients.length; i++) rows.push(pressureRow(f, i));
  return rows;
}

export interface GatewayPressure {
  zone: string;
  node: string;
  functions: FunctionPressure[];
}

/** Something the round left out, and why (the original raised and stopped the daemon). */
export interface OsmoticSkip {
  reason: string;
  fn?: string;
  zone?: string;
  clientZone?: string;
}

export interface PressureResult {
  gateways: GatewayPressure[];
  /** Number of P[fn, z, x] computed. */
  rowCount: number;
  skips: OsmoticSkip[];
}

/** Indexes shared by the pressure and the decision steps. */
export interface RoundIndex {
  gatewayByZone: Map<string, OsmoticGateway>;
  nodesByZone: Map<string, string[]>;
  runningByFnZone: Map<string, OsmoticPod[]>;
  runningCountByFn: Map<string, number>;
  pendingByFnZone: Map<string, number>;
  pendingCountByFn: Map<string, number>;
}

export const fnZoneKey = (fn: string, zone: string) => `${fn}\u0000${zone}`;

export function indexRound(input: OsmoticInput): RoundIndex {
  const gatewayByZone = new Map<string, OsmoticGateway>();
  for (const g of input.gateways) if (!gatewayByZone.has(g.zone)) gatewayByZone.set(g.zone, g);
  const nodesByZone = new Map<string, string[]>();
  for (const n of input.nodes) {
    if (n.zone === null) continue;
    let list = nodesByZone.get(n.zone);
    if (!list) nodesByZone.set(n.zone, (list = []));
    list.push(n.name);
  }
  const runningByFnZone = new Map<string, OsmoticPod[]>();
  const runningCountByFn = new Map<string, number>();
  const pendingByFnZone = new Map<string, number>();
  const pendingCountByFn = new Map<string, number>();
  for (const p of input.pods) {
    if (p.status === 'Running') {
      runningCountByFn.set(p.fn, (runningCountByFn.get(p.fn) ?? 0) + 1);
      if (p.zone !== null) {
        const key = fnZoneKey(p.fn, p.zone);
        let list = runningByFnZone.get(key);
        if (!list) runningByFnZone.set(key, (list = []));
        list.push(p);
      }
    } else if (p.status === 'Pending') {
      pendingCountByFn.set(p.fn, (pendingCountByFn.get(p.fn) ?? 0) + 1);
      if (p.zone !== null) {
        const key = fnZoneKey(p.fn, p.zone);
        pendingByFnZone.set(key, (pendingByFnZone.get(key) ?? 0) + 1);
      }
    }
  }
  return { gatewayByZone, nodesByZone, runningByFnZone, runningCountByFn, pendingByFnZone, pendingCountByFn };
}

/** Mean latency from the gateway's node to every node of its zone (itself counted as 0). */
/** Stamps of the client zones seen in the current function's groups (no Set per function). */
const seenStamp = new Map<string, number>();
let stamp = 0;

/** One group per client zone: a second group of the same zone is merged into the first. */
function mergeDuplicates(groups: TraceGroup[]): TraceGroup[] {
  if (groups.length < 2) return groups;
  const current = ++stamp;
  let duplicate = false;
  for (const g of groups) {
    if (seenStamp.get(g.clientZone) === current) {
      duplicate = true;
      break;
    }
    seenStamp.set(g.clientZone, current);
  }
  if (seenStamp.size > 100_000) seenStamp.clear();
  if (!duplicate) return groups;
  const merged = new Map<string, TraceGroup>();
  for (const g of groups) {
    const o = merged.get(g.clientZone);
    merged.set(
      g.clientZone,
      o
        ? {
            ...o,
            client: g.count > o.count ? g.client : o.client,
            count: o.count + g.count,
            times: [...Array.from(o.times), ...Array.from(g.times)],
          }
        : g,
    );
  }
  return [...merged.values()];
}

function internalDistance(input: OsmoticInput, gateway: OsmoticGateway, nodes: readonly string[]): number {
  let sum = 0;
  let n = 0;
  for (const node of nodes) {
    const l = node === gateway.node ? 0 : input.latency(gateway.node, node);
    if (l === undefined) continue;
    sum += l;
    n++;
  }
  if (!nodes.includes(gateway.node)) n++; // the gateway's own 0 when its node carries no zone label
  return n > 0 ? sum / n : 0;
}

/**
 * Per-trace scratch columns of computePressures, kept across rounds: fresh ones (three times 4
 * bytes per trace group) would be external memory each round, which V8 answers with full GCs of
 * the whole context.
 */
const scratch: Int32Array[] = [new Int32Array(0), new Int32Array(0), new Int32Array(0)];
function scratchInts(slot: number, n: number): Int32Array {
  if (scratch[slot]!.length < n) scratch[slot] = new Int32Array(n);
  return scratch[slot]!.subarray(0, n);
}

/** The per-row work of computePressures, kept small so it is optimised early and stays so. */
class RowEvaluator {
  readonly distState: Uint8Array;
  readonly distValue: Float64Array;
  readonly cachedNetwork: Float64Array;
  readonly cachedRequired: Float64Array;
  readonly cachedUnbound: Float64Array;
  readonly cachedLog: Float64Array;
  /** The six components of a row in PRESSURE_NAMES order; [6] is NaN, for a name that is none of them. */
  readonly components = Float64Array.of(0, 0, 0, 0, 0, 0, Number.NaN);
  readonly selectedIndex: Int32Array;
  readonly selectedWeight: Float64Array;
  readonly selectedCount: number;
  readonly logisticParams: OsmoticParameters['logistic'];
  readonly q: number;
  /** percentile's rank / (n − 1), and rtt_log's midpoint d·(1−offset). */
  readonly rankFraction: number;
  readonly rttMidpoint: number;
  readonly sortedTimes = new Float64Array(64);
  readonly maxLatency: number;
  zoneCi = -1;
  avgDistance = 0;
  gatewayNode = '';

  constructor(
    readonly input: OsmoticInput,
    readonly index: RoundIndex,
    readonly skips: OsmoticSkip[],
    params: OsmoticParameters,
    clientZones: number,
  ) {
    this.distState = new Uint8Array(clientZones);
    this.distValue = new Float64Array(clientZones);
    this.cachedNetwork = new Float64Array(clientZones);
    this.cachedRequired = new Float64Array(clientZones);
    this.cachedUnbound = new Float64Array(clientZones);
    this.cachedLog = new Float64Array(clientZones);
    // the selected components as indexes into `components` (PRESSURE_NAMES order), and weights
    const componentIndex: Record<PressureName, number> = {
      request: 0,
      rtt_log: 1,
      network_distance: 2,
      latency_req_unbound: 3,
      latency_req_log: 4,
      cpu_usage: 5,
    };
    const selected = params.pressures;
    this.selectedCount = selected.length;
    this.selectedIndex = new Int32Array(selected.length);
    this.selectedWeight = new Float64Array(selected.length);
    for (let k = 0; k < selected.length; k++) {
      const name = selected[k]!;
      this.selectedIndex[k] = componentIndex[name] ?? 6; // as combinedPressure: NaN
      this.selectedWeight[k] = params.weights?.[name] ?? 1;
    }
    this.logisticParams = params.logistic;
    this.q = params.percentile;
    this.rankFraction = Math.min(100, Math.max(0, params.percentile)) / 100;
    this.rttMidpoint = params.logistic.d * (1 - params.logistic.offset);
    this.maxLatency = input.maxLatency;
  }

  /** Starts a gateway: d_xz and the distance components are cached per gateway. */
  startGateway(zoneCi: number, avgDistance: number, gatewayNode: string): void {
    this.zoneCi = zoneCi;
    this.avgDistance = avgDistance;
    this.gatewayNode = gatewayNode;
    this.distState.fill(0);
    this.cachedRequired.fill(Number.NaN);
  }

  /** Evaluates the ordered groups of one function into `cols`, appends them to `clients`; returns ΣP. */
  evaluate(
    fn: string,
    zone: string,
    required: number,
    maxCount: number,
    order: readonly TraceGroup[],
    orderClient: Int32Array,
    m: number,
    cols: Float64Array,
    clients: TraceGroup[],
  ): number {
    let sum = 0;
    let count = 0;
    let o = 0;
    for (let k = 0; k < m; k++) {
      const g = order[k]!;
      const ci = orderClient[k]!;
      let distance: number;
      if (ci === this.zoneCi) distance = this.avgDistance;
      else {
        let state = this.distState[ci]!;
        if (state === 0) {
          const other = this.index.gatewayByZone.get(g.clientZone);
          const l = other ? this.input.latency(other.node, this.gatewayNode) : undefined;
          if (l === undefined) state = 2;
          else {
            state = 1;
            this.distValue[ci] = l;
          }
          this.distState[ci] = state;
        }
        if (state === 2) {
          const other = this.index.gatewayByZone.get(g.clientZone);
          this.skips.push({
            reason: other
              ? `the latency graph has no entry between gateways ${other.node} and ${this.gatewayNode}`
              : 'the client zone has no API gateway',
            fn,
            zone,
            clientZone: g.clientZone,
          });
          continue;
        }
        distance = this.distValue[ci]!;
      }
      let network: number;
      let unbound: number;
      let logReq: number;
      if (ci !== this.zoneCi && this.cachedRequired[ci] === required) {
        network = this.cachedNetwork[ci]!;
        unbound = this.cachedUnbound[ci]!;
        logReq = this.cachedLog[ci]!;
      } else {
        network = networkDistancePressure(distance, this.maxLatency);
        unbound = latencyRequirementPressure(distance, required);
        logReq = latencyRequirementLogPressure(distance, required, this.logisticParams);
        if (ci !== this.zoneCi) {
          this.cachedRequired[ci] = required;
          this.cachedNetwork[ci] = network;
          this.cachedUnbound[ci] = unbound;
          this.cachedLog[ci] = logReq;
        }
      }
      // percentile, requestPressure and rttLogPressure, inlined (the same arithmetic): calls
      // would box their double arguments and results, 500,000 times a round
      const times = g.times;
      const n = times.length;
      let t: number;
      if (n === 0) t = Number.NaN;
      else if (n === 1) t = times[0]!;
      else if (n > 64) t = percentile(times, this.q);
      else {
        const sortedTimes = this.sortedTimes;
        for (let i = 0; i < n; i++) {
          const v = times[i]!;
          let j = i - 1;
          while (j >= 0 && sortedTimes[j]! > v) {
            sortedTimes[j + 1] = sortedTimes[j]!;
            j--;
          }
          sortedTimes[j + 1] = v;
        }
        const rank = this.rankFraction * (n - 1);
        const lo = Math.floor(rank);
        const hi = Math.ceil(rank);
        t = sortedTimes[lo]! + (sortedTimes[hi]! - sortedTimes[lo]!) * (rank - lo);
      }
      const request = maxCount > 0 ? g.count / maxCount : 0;
      const lp = this.logisticParams;
      const rtt = Number.isFinite(t)
        ? ((lp.a - lp.b) / (1 + Math.exp(-lp.c * (t - this.rttMidpoint))) + lp.b) / lp.a
        : 0;
      this.components[0] = request;
      this.components[1] = rtt;
      this.components[2] = network;
      this.components[3] = unbound;
      this.components[4] = logReq;
      let value = 1;
      for (let s = 0; s < this.selectedCount; s++)
        value *= this.components[this.selectedIndex[s]!]! * this.selectedWeight[s]!;
      cols[o + VALUE] = value;
      cols[o + REQUEST] = request;
      cols[o + RTT_LOG] = rtt;
      cols[o + NETWORK_DISTANCE] = network;
      cols[o + LATENCY_REQ_UNBOUND] = unbound;
      cols[o + LATENCY_REQ_LOG] = logReq;
      cols[o + TIME] = t;
      cols[o + DISTANCE] = distance;
      o += COLUMNS;
      sum += value;
      clients[count++] = g;
    }
    clients.length = count;
    return sum;
  }
}

/**
 * Per-gateway pressure (calculate_pressure_per_fn): for every gateway zone z, every function
 * served there that has a running replica, and every client zone x that sent it traces — the
 * internal group first, then the others by descending count — computes all six components and
 * multiplies the selected ones into P[fn, z, x]. The records are built from the result by
 * `pressureRecords`, only when they are published.
 */
export function computePressures(
  input: OsmoticInput,
  params: OsmoticParameters,
  index: RoundIndex = indexRound(input),
): PressureResult {
  let rowCount = 0;
  const gateways: GatewayPressure[] = [];
  const skips: OsmoticSkip[] = [];
  const zoneCount = Math.max(1, input.zones.length);

  // zone → fn → positions in input.traces; every client zone gets a small index for the round,
  // so the per-row work (duplicate check, d_xz cache) is array indexing, not Map lookups.
  const traces = input.traces;
  const clientIndex = new Map<string, number>();
  const clientOf = scratchInts(0, traces.length);
  // (zone, fn) buckets, then the trace positions sorted by bucket (a counting sort: no array per
  // bucket), in input order within a bucket
  const byZone = new Map<string, Map<string, number>>();
  const bucketOf = scratchInts(1, traces.length);
  const bucketSize: number[] = [];
  for (let i = 0; i < traces.length; i++) {
    const g = traces[i]!;
    let ci = clientIndex.get(g.clientZone);
    if (ci === undefined) clientIndex.set(g.clientZone, (ci = clientIndex.size));
    clientOf[i] = ci;
    let fns = byZone.get(g.zone);
    if (!fns) byZone.set(g.zone, (fns = new Map()));
    let b = fns.get(g.fn);
    if (b === undefined) {
      fns.set(g.fn, (b = bucketSize.length));
      bucketSize.push(0);
    }
    bucketOf[i] = b;
    bucketSize[b]!++;
  }
  const bucketStart = new Int32Array(bucketSize.length + 1);
  for (let b = 0; b < bucketSize.length; b++) bucketStart[b + 1] = bucketStart[b]! + bucketSize[b]!;
  const fill = bucketStart.slice(0, bucketSize.length);
  const sorted = scratchInts(2, traces.length);
  for (let i = 0; i < traces.length; i++) sorted[fill[bucketOf[i]!]!++] = i;
  const clientZones = clientIndex.size;
  // One column block for the whole round: a typed array per function would be off-heap each.
  const allColumns = new Float64Array(traces.length * COLUMNS);
  let nextOffset = 0;

  const rows = new RowEvaluator(input, index, skips, params, clientZones);
  // Duplicate client zones of one function: stamps per client zone index.
  const seen = new Int32Array(clientZones);
  let seenMark = 0;
  let order: TraceGroup[] = [];
  let groupBuffer: TraceGroup[] = [];
  let groupClientBuffer = new Int32Array(64);
  let orderClient = new Int32Array(64);

  for (const zone of [...byZone.keys()].sort()) {
    const gateway = index.gatewayByZone.get(zone);
    if (!gateway) {
      skips.push({ reason: 'traces were served in a zone without an API gateway', zone });
      continue;
    }
    const fns = byZone.get(zone)!;
    const avgDistance = internalDistance(input, gateway, index.nodesByZone.get(zone) ?? [gateway.node]);
    const gw: GatewayPressure = { zone, node: gateway.node, functions: [] };
    const zoneCi = clientIndex.get(zone) ?? -1;
    rows.startGateway(zoneCi, avgDistance, gateway.node);

    for (const fn of [...fns.keys()].sort()) {
      if ((index.runningCountByFn.get(fn) ?? 0) === 0) {
        skips.push({ reason: 'no running replica of the function', fn, zone });
        continue;
      }
      const required = params.latencyRequirement(fn);
      if (required === undefined || !(required > 0)) {
        skips.push({
          reason: `no latency requirement for the function (schedule_scale_opt_latency_requirement_${fn})`,
          fn,
          zone,
        });
        continue;
      }
      const bucket = fns.get(fn)!;
      const positions = sorted.subarray(bucketStart[bucket]!, bucketStart[bucket + 1]!);
      // one group per client zone: a second group of the same zone is merged into the first
      let duplicate = false;
      if (positions.length > 1) {
        const mark = ++seenMark;
        for (const p of positions) {
          const ci = clientOf[p]!;
          if (seen[ci] === mark) {
            duplicate = true;
            break;
          }
          seen[ci] = mark;
        }
      }
      let groups: readonly TraceGroup[];
      let groupClient: Int32Array;
      if (!duplicate) {
        // the groups in place (reused buffers: no arrays per function)
        if (groupClientBuffer.length < positions.length)
          groupClientBuffer = new Int32Array(Math.max(positions.length, groupClientBuffer.length * 2));
        groupBuffer.length = positions.length;
        for (let k = 0; k < positions.length; k++) {
          const p = positions[k]!;
          groupBuffer[k] = traces[p]!;
          groupClientBuffer[k] = clientOf[p]!;
        }
        groups = groupBuffer;
        groupClient = groupClientBuffer;
      } else {
        groups = mergeDuplicates(Array.from(positions, (p) => traces[p]!));
        groupClient = Int32Array.from(groups, (g) => clientIndex.get(g.clientZone)!);
      }
      // internal group first, then the others by descending count (stable)
      const n0 = groups.length;
      if (orderClient.length < n0) orderClient = new Int32Array(Math.max(n0, orderClient.length * 2));
      order.length = 0;
      let internal = -1;
      let total = 0;
      let maxCount = 0;
      for (let k = 0; k < n0; k++) {
        const g = groups[k]!;
        total += g.count;
        if (g.count > maxCount) maxCount = g.count;
        if (internal < 0 && groupClient[k] === zoneCi) internal = k;
      }
      let m = 0;
      if (internal >= 0) {
        order.push(groups[internal]!);
        orderClient[m++] = groupClient[internal]!;
      }
      const externalStart = m;
      for (let k = 0; k < n0; k++) {
        if (groupClient[k] === zoneCi) continue; // the internal group, already first
        const g = groups[k]!;
        const ci = groupClient[k]!;
        let j = m - 1;
        while (j >= externalStart && order[j]!.count < g.count) {
          order[j + 1] = order[j]!;
          orderClient[j + 1] = orderClient[j]!;
          j--;
        }
        order[j + 1] = g;
        orderClient[j + 1] = ci;
        m++;
      }

      const running = index.runningByFnZone.get(fnZoneKey(fn, zone)) ?? [];
      let cpuSum = 0;
      let cpuN = 0;
      for (const p of running) {
        if (p.cpuMean === null || !Number.isFinite(p.cpuMean)) continue;
        cpuSum += p.cpuMean;
        cpuN++;
      }
      const cpuMean = cpuN > 0 ? cpuSum / cpuN : 0;
      const cpuUsage = cpuUsagePressure(cpuMean);
      const cols = allColumns.subarray(nextOffset, nextOffset + n0 * COLUMNS);
      const clients = new Array<TraceGroup>(m); // exact size: no growth copies
      rows.components[5] = cpuUsage;

      const sum = rows.evaluate(fn, zone, required, maxCount, order, orderClient, m, cols, clients);
      const n = clients.length;
      nextOffset += n * COLUMNS;
      if (n === 0) continue;
      rowCount += n;
      gw.functions.push({
        fn,
        zone,
        gateway: gateway.node,
        utilization: total / zoneCount,
        requiredLatency: required,
        avgDistance,
        maxLatency: input.maxLatency,
        runningPods: running.length,
        cpuMean,
        cpuUsage,
        clients,
        columns: cols,
        mean: sum / n,
      });
    }
    if (gw.functions.length > 0) gateways.push(gw);
  }
  order = [];
  groupBuffer = [];
  return { gateways, rowCount, skips };
}

export interface RecordOptions {
  /** Also record `pressure_latency_req` as `pressure_latency_requirement` (default true). */
  duplicateLatencyRequirement?: boolean;
}

/**
 * The pressure records of a round in publication order, per gateway: per function its
 * `cpu_usage_pressure`, then per client zone `pressure_req`, `pressure_rtt_log`,
 * `pressure_dist`, `pressure_latency_req` (+ `pressure_latency_requirement`),
 * `pressure_latency_req_log`, `pressure_client`, `pressure_fn`; last the gateway's
 * `api_pressure`. A generator: a large round is published without holding every record at once.
 */
export function* pressureRecords(
  result: Pick<PressureResult, 'gateways'>,
  ts: number,
  options: RecordOptions = {},
): Generator<OsmoticRecord> {
  const duplicate = options.duplicateLatencyRequirement ?? true;
  for (const gw of result.gateways) {
    let n = 0;
    const sums = { mean: 0, median: 0, std: 0, min: 0, max: 0 };
    for (const f of gw.functions) {
      const { fn, zone } = f;
      yield {
        name: 'cpu_usage_pressure',
        value: { ts, fn, running_pods: f.runningPods, cpu_mean: f.cpuMean, zone },
      };
      for (let i = 0; i < f.clients.length; i++) {
        const r = pressureRow(f, i);
        const x = r.clientZone;
        const t = Number.isFinite(r.time) ? r.time : 0;
        yield {
          name: 'pressure_req',
          value: {
            ts,
            value: r.request,
            weight: r.count,
            utilization: f.utilization,
            client: `gateway-${x}`,
            fn,
            gateway: gw.node,
            zone,
          },
        };
        yield {
          name: 'pressure_rtt_log',
          value: {
            ts,
            type: 'rtt',
            value: r.rttLog,
            fn,
            distance: t,
            client: r.client,
            required_latency: f.requiredLatency,
            gateway: gw.node,
            max_value: -1,
            scaled_value: t,
            zone,
          },
        };
        yield {
          name: 'pressure_dist',
          value: {
            ts,
            value: r.networkDistance,
            distance: r.distance,
            client: `gateway-${x}`,
            avg_distance: f.avgDistance,
            gateway: gw.node,
            max_value: f.maxLatency,
            scaled_value: -1,
            zone,
          },
        };
        const latencyReq: PressureLatencyRecord = {
          ts,
          type: 'network_latency',
          value: r.latencyReqUnbound,
          fn,
          distance: r.distance,
          client: r.client,
          required_latency: f.requiredLatency,
          gateway: gw.node,
          max_value: -1,
          scaled_value: -1,
          zone,
        };
        yield { name: 'pressure_latency_req', value: latencyReq };
        if (duplicate) yield { name: 'pressure_latency_requirement', value: latencyReq };
        yield { name: 'pressure_latency_req_log', value: { ...latencyReq, value: r.latencyReqLog } };
        yield {
          name: 'pressure_client',
          value: { ts, client: r.client, client_zone: x, fn, fn_zone: zone, value: r.value },
        };
        // One evaluated client per (fn, client zone): the statistics of one value (std 0, where
        // pandas would give NaN, which JSON cannot carry).
        yield {
          name: 'pressure_fn',
          value: { ts, fn, fn_zone: zone, client_zone: x, mean: r.value, std: 0, min: r.value, max: r.value },
        };
        n++;
        sums.mean += r.value;
        sums.median += r.value;
        sums.min += r.value;
        sums.max += r.value;
      }
    }
    yield {
      name: 'api_pressure',
      value: {
        ts,
        node: gw.node,
        zone: gw.zone,
        mean: sums.mean / n,
        median: sums.median / n,
        std: sums.std / n,
        min: sums.min / n,
        max: sums.max / n,
      },
    };
  }
}
