import {
  cpuUsagePressure,
  latencyRequirementLogPressure,
  latencyRequirementPressure,
  networkDistancePressure,
  percentile,
  type LogisticParameters,
  type PressureName,
} from './formulas.js';
import type { OsmoticGateway, OsmoticInput, OsmoticParameters, OsmoticPod, TraceGroup } from './input.js';
import type { OsmoticRecord, PressureLatencyRecord } from './records.js';

/**
 * One function at one gateway, and its client zones' pressures: row i is P[fn, zone, x] for the
 * client zone x of `group(i)` — the internal group first, then the others by descending count.
 * A round keeps one value per row (a column shared by the round); the components of a row are
 * recomputed from the round's inputs by `row(i)`, with the same arithmetic, when records are built.
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
  /** Mean of the client pressures (the scale-down test). */
  mean: number;
  /** Number of evaluated client zones (rows). */
  readonly size: number;
  /** P[fn, zone, x] of row i. */
  value(i: number): number;
  /** The trace group of row i: its client zone, evaluated client, count and times. */
  group(i: number): TraceGroup;
  /** Row i with all its components. */
  row(i: number): PressureRow;
}

/** P[fn, fn_zone, client_zone] as one object (for records, tests, logs and small rounds). */
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
  /** The target-time percentile (ms); NaN without traces. */
  time: number;
  /** d_xz (ms). */
  distance: number;
}

export function pressureRow(f: FunctionPressure, i: number): PressureRow {
  return f.row(i);
}

/** Every P[fn, z, x] of a round as objects. */
export function pressureRows(result: Pick<PressureResult, 'gateways'>): PressureRow[] {
  const rows: PressureRow[] = [];
  for (const gw of result.gateways)
    for (const f of gw.functions) for (let i = 0; i < f.size; i++) rows.push(f.row(i));
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
  /** The same lists as runningByFnZone, by zone, then function (no key strings per lookup). */
  runningByZoneFn: Map<string, Map<string, OsmoticPod[]>>;
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
  const runningByZoneFn = new Map<string, Map<string, OsmoticPod[]>>();
  const runningCountByFn = new Map<string, number>();
  const pendingByFnZone = new Map<string, number>();
  const pendingCountByFn = new Map<string, number>();
  for (const p of input.pods) {
    if (p.status === 'Running') {
      runningCountByFn.set(p.fn, (runningCountByFn.get(p.fn) ?? 0) + 1);
      if (p.zone !== null) {
        const key = fnZoneKey(p.fn, p.zone);
        let list = runningByFnZone.get(key);
        if (!list) {
          runningByFnZone.set(key, (list = []));
          let byFn = runningByZoneFn.get(p.zone);
          if (!byFn) runningByZoneFn.set(p.zone, (byFn = new Map()));
          byFn.set(p.fn, list);
        }
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
  return {
    gatewayByZone,
    nodesByZone,
    runningByFnZone,
    runningByZoneFn,
    runningCountByFn,
    pendingByFnZone,
    pendingCountByFn,
  };
}

/** One group per client zone: a second group of the same zone is merged into the first. */
function mergeDuplicates(groups: TraceGroup[]): TraceGroup[] {
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

/** Mean latency from the gateway's node to every node of its zone (itself counted as 0). */
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
 * Per-trace scratch columns of computePressures, kept across rounds (nothing of a round's result
 * points into them): fresh ones would be external memory each round, which V8 answers with full
 * GCs of the whole context.
 */
const scratch: Int32Array[] = [];
function scratchInts(slot: number, n: number): Int32Array {
  let a = scratch[slot];
  if (!a || a.length < n) scratch[slot] = a = new Int32Array(Math.max(n, 64));
  return a;
}

/** Insertion sort into `sorted`, then numpy's linear interpolation (the formulas' percentile). */
function smallPercentile(times: ArrayLike<number>, n: number, rankFraction: number, sorted: Float64Array) {
  for (let i = 0; i < n; i++) {
    const v = times[i]!;
    let j = i - 1;
    while (j >= 0 && sorted[j]! > v) {
      sorted[j + 1] = sorted[j]!;
      j--;
    }
    sorted[j + 1] = v;
  }
  const rank = rankFraction * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** What the rows of one round share: its trace groups, the value column, d_xz per gateway. */
class RoundTables {
  /** Groups merged from duplicates of one client zone; row groups −1, −2, … point here. */
  readonly merged: TraceGroup[] = [];
  readonly sorted = new Float64Array(64);
  readonly rankFraction: number;
  readonly rttMidpoint: number;

  constructor(
    readonly traces: readonly TraceGroup[],
    /** Per row: P[fn, z, x]. */
    readonly values: Float64Array,
    /** Per row: the position of its group in `traces`, or −1 − k for `merged[k]`. */
    readonly groups: Int32Array,
    /** Client zone → its index of the round. */
    readonly clientIndex: ReadonlyMap<string, number>,
    /** d_xz per (gateway, client zone index) of the gateways evaluated. */
    readonly distances: Float64Array,
    readonly logistic: LogisticParameters,
    readonly q: number,
  ) {
    this.rankFraction = Math.min(100, Math.max(0, q)) / 100;
    this.rttMidpoint = logistic.d * (1 - logistic.offset);
  }

  group(position: number): TraceGroup {
    return position >= 0 ? this.traces[position]! : this.merged[-1 - position]!;
  }

  /** The target-time percentile of a group, as the pressure step computed it. */
  time(g: TraceGroup): number {
    const times = g.times;
    const n = times.length;
    if (n === 0) return Number.NaN;
    if (n === 1) return times[0]!;
    if (n > 64) return percentile(times, this.q);
    return smallPercentile(times, n, this.rankFraction, this.sorted);
  }
}

class EvaluatedFunction implements FunctionPressure {
  constructor(
    readonly tables: RoundTables,
    /** The first row of the function in the round's columns. */
    readonly offset: number,
    readonly size: number,
    readonly maxCount: number,
    /** Where the gateway's d_xz start in tables.distances, and the gateway's own client index. */
    readonly distanceBase: number,
    readonly zoneCi: number,
    public fn: string,
    public zone: string,
    public gateway: string,
    public utilization: number,
    public requiredLatency: number,
    public avgDistance: number,
    public maxLatency: number,
    public runningPods: number,
    public cpuMean: number,
    public cpuUsage: number,
    public mean: number,
  ) {}

  value(i: number): number {
    return this.tables.values[this.offset + i]!;
  }

  group(i: number): TraceGroup {
    return this.tables.group(this.tables.groups[this.offset + i]!);
  }

  row(i: number): PressureRow {
    const t = this.tables;
    const g = this.group(i);
    const ci = t.clientIndex.get(g.clientZone)!;
    const distance = ci === this.zoneCi ? this.avgDistance : t.distances[this.distanceBase + ci]!;
    const time = t.time(g);
    const lp = t.logistic;
    return {
      fn: this.fn,
      zone: this.zone,
      clientZone: g.clientZone,
      value: this.value(i),
      gateway: this.gateway,
      client: g.client,
      count: g.count,
      request: this.maxCount > 0 ? g.count / this.maxCount : 0,
      rttLog: Number.isFinite(time)
        ? ((lp.a - lp.b) / (1 + Math.exp(-lp.c * (time - t.rttMidpoint))) + lp.b) / lp.a
        : 0,
      networkDistance: networkDistancePressure(distance, this.maxLatency),
      latencyReqUnbound: latencyRequirementPressure(distance, this.requiredLatency),
      latencyReqLog: latencyRequirementLogPressure(distance, this.requiredLatency, lp),
      time,
      distance,
    };
  }
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
  avgDistance = Number.NaN;
  gatewayNode = '';

  constructor(
    readonly input: OsmoticInput,
    readonly index: RoundIndex,
    readonly skips: OsmoticSkip[],
    readonly tables: RoundTables,
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
    this.rankFraction = tables.rankFraction;
    this.rttMidpoint = tables.rttMidpoint;
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

  /** Copies the gateway's d_xz (NaN where unknown) to `out` from `base`. */
  saveDistances(out: Float64Array, base: number): void {
    for (let ci = 0; ci < this.distState.length; ci++)
      out[base + ci] = this.distState[ci] === 1 ? this.distValue[ci]! : Number.NaN;
  }

  /**
   * Evaluates the ordered groups of one function into the round's columns from `offset`;
   * returns the number of rows written. The sum of their values is left in `sum`.
   */
  evaluate(
    fn: string,
    zone: string,
    required: number,
    maxCount: number,
    orderGroup: Int32Array,
    orderClient: Int32Array,
    m: number,
    offset: number,
  ): number {
    const traces = this.tables.traces;
    const merged = this.tables.merged;
    const values = this.tables.values;
    const groups = this.tables.groups;
    let sum = 0;
    let o = offset;
    for (let k = 0; k < m; k++) {
      const p = orderGroup[k]!;
      const g = p >= 0 ? traces[p]! : merged[-1 - p]!;
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
      // percentile, requestPressure and rttLogPressure, inlined (the same arithmetic as
      // RoundTables.time and EvaluatedFunction.row): calls would box their double arguments and
      // results, 500,000 times a round
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
      const components = this.components;
      components[0] = request;
      components[1] = rtt;
      components[2] = network;
      components[3] = unbound;
      components[4] = logReq;
      let value = 1;
      for (let s = 0; s < this.selectedCount; s++)
        value *= components[this.selectedIndex[s]!]! * this.selectedWeight[s]!;
      values[o] = value;
      groups[o] = p;
      o++;
      sum += value;
    }
    this.sums[0] = sum;
    return o - offset;
  }

  /** [0]: the sum of the values evaluate wrote last. */
  readonly sums = new Float64Array(1);
}

/** Stable order of one function's groups: the internal one first, then by descending count. */
class GroupOrder {
  orderGroup = new Int32Array(64);
  orderClient = new Int32Array(64);
  /** Count histogram of the counting sort (counts are small integers in practice). */
  histogram = new Int32Array(64);

  /**
   * Orders `n` groups (positions `groupOf`, client indexes `clientOf`) into orderGroup and
   * orderClient; returns their number. Equal to a stable insertion sort by descending count.
   */
  order(
    groupOf: Int32Array,
    clientOf: Int32Array,
    n: number,
    zoneCi: number,
    tables: RoundTables,
    maxCount: number,
    integerCounts: boolean,
  ): number {
    if (this.orderGroup.length < n) {
      const size = Math.max(n, this.orderGroup.length * 2);
      this.orderGroup = new Int32Array(size);
      this.orderClient = new Int32Array(size);
    }
    const orderGroup = this.orderGroup;
    const orderClient = this.orderClient;
    let internal = -1;
    for (let k = 0; k < n; k++)
      if (clientOf[k] === zoneCi) {
        internal = k;
        break;
      }
    let m = 0;
    if (internal >= 0) {
      orderGroup[m] = groupOf[internal]!;
      orderClient[m++] = clientOf[internal]!;
    }
    const externalStart = m;
    if (integerCounts && maxCount <= 4 * n + 1024) {
      // counting sort, descending, stable: histogram[c] becomes the first slot of count c
      const size = maxCount + 1;
      if (this.histogram.length < size)
        this.histogram = new Int32Array(Math.max(size, this.histogram.length * 2));
      const histogram = this.histogram;
      histogram.fill(0, 0, size);
      for (let k = 0; k < n; k++) {
        if (clientOf[k] === zoneCi) continue;
        histogram[tables.group(groupOf[k]!).count]!++;
      }
      let next = externalStart;
      for (let c = maxCount; c >= 0; c--) {
        const h = histogram[c]!;
        histogram[c] = next;
        next += h;
      }
      for (let k = 0; k < n; k++) {
        if (clientOf[k] === zoneCi) continue;
        const slot = histogram[tables.group(groupOf[k]!).count]!++;
        orderGroup[slot] = groupOf[k]!;
        orderClient[slot] = clientOf[k]!;
      }
      return next;
    }
    for (let k = 0; k < n; k++) {
      if (clientOf[k] === zoneCi) continue; // the internal group, already first
      const p = groupOf[k]!;
      const count = tables.group(p).count;
      let j = m - 1;
      while (j >= externalStart && tables.group(orderGroup[j]!).count < count) {
        orderGroup[j + 1] = orderGroup[j]!;
        orderClient[j + 1] = orderClient[j]!;
        j--;
      }
      orderGroup[j + 1] = p;
      orderClient[j + 1] = clientOf[k]!;
      m++;
    }
    return m;
  }
}

/**
 * The traces of a round by (zone, fn) bucket: every client zone gets a small index for the round,
 * so the per-row work (duplicate check, d_xz cache) is array indexing, not Map lookups.
 */
interface TraceBuckets {
  clientIndex: Map<string, number>;
  /** Per trace: its client zone index. */
  clientOf: Int32Array;
  /** zone → fn → bucket. */
  byZone: Map<string, Map<string, number>>;
  /** The trace positions by bucket (bucket b is sorted[bucketStart[b]..bucketStart[b + 1]]), in input order within one. */
  bucketStart: Int32Array;
  sorted: Int32Array;
}

/** Groups the traces by (zone, fn) with a counting sort (no array per bucket). */
function bucketTraces(traces: readonly TraceGroup[]): TraceBuckets {
  const clientIndex = new Map<string, number>();
  const clientOf = scratchInts(0, traces.length);
  const byZone = new Map<string, Map<string, number>>();
  const bucketOf = scratchInts(1, traces.length);
  let bucketSize = scratchInts(3, 64);
  let buckets = 0;
  // consecutive traces of one zone and function, as adapters list them, skip the Map lookups
  let lastZone: string | undefined;
  let lastFn: string | undefined;
  let lastFns: Map<string, number> | undefined;
  let lastBucket = -1;
  let lastClientZone: string | undefined;
  let lastCi = -1;
  for (let i = 0; i < traces.length; i++) {
    const g = traces[i]!;
    const clientZone = g.clientZone;
    if (clientZone !== lastClientZone) {
      let ci = clientIndex.get(clientZone);
      if (ci === undefined) clientIndex.set(clientZone, (ci = clientIndex.size));
      lastClientZone = clientZone;
      lastCi = ci;
    }
    clientOf[i] = lastCi;
    const zone = g.zone;
    const fn = g.fn;
    if (zone !== lastZone || lastFns === undefined) {
      lastFns = byZone.get(zone);
      if (!lastFns) byZone.set(zone, (lastFns = new Map()));
      lastZone = zone;
      lastFn = undefined;
    }
    if (fn !== lastFn) {
      let b = lastFns.get(fn);
      if (b === undefined) {
        lastFns.set(fn, (b = buckets++));
        if (bucketSize.length < buckets) {
          const grown = new Int32Array(bucketSize.length * 2);
          grown.set(bucketSize);
          scratch[3] = bucketSize = grown;
        }
        bucketSize[b] = 0;
      }
      lastFn = fn;
      lastBucket = b;
    }
    bucketOf[i] = lastBucket;
    bucketSize[lastBucket]!++;
  }
  const bucketStart = new Int32Array(buckets + 1);
  for (let b = 0; b < buckets; b++) bucketStart[b + 1] = bucketStart[b]! + bucketSize[b]!;
  const fill = bucketStart.slice(0, buckets);
  const sorted = scratchInts(2, traces.length);
  for (let i = 0; i < traces.length; i++) sorted[fill[bucketOf[i]!]!++] = i;
  return { clientIndex, clientOf, byZone, bucketStart, sorted };
}

/** One round's pressure step; small methods, so each is optimised on its own and stays so. */
class PressureStep {
  readonly gateways: GatewayPressure[] = [];
  readonly skips: OsmoticSkip[] = [];
  rowCount = 0;
  readonly tables: RoundTables;
  readonly rows: RowEvaluator;
  readonly ordering = new GroupOrder();
  readonly zoneCount: number;
  readonly zones: string[];
  /** Duplicate client zones of one function: stamps per client zone index. */
  readonly seen: Int32Array;
  seenMark = 0;
  groupOf = new Int32Array(64);
  groupClient = new Int32Array(64);

  constructor(
    readonly input: OsmoticInput,
    readonly params: OsmoticParameters,
    readonly index: RoundIndex,
    readonly buckets: TraceBuckets,
  ) {
    const clientZones = buckets.clientIndex.size;
    this.zoneCount = Math.max(1, input.zones.length);
    this.zones = [...buckets.byZone.keys()].sort();
    this.tables = new RoundTables(
      input.traces,
      new Float64Array(input.traces.length),
      new Int32Array(input.traces.length),
      buckets.clientIndex,
      new Float64Array(this.zones.length * clientZones),
      params.logistic,
      params.percentile,
    );
    this.rows = new RowEvaluator(input, index, this.skips, this.tables, params, clientZones);
    this.seen = new Int32Array(clientZones);
  }

  run(): PressureResult {
    for (let zi = 0; zi < this.zones.length; zi++) this.gateway(zi);
    return { gateways: this.gateways, rowCount: this.rowCount, skips: this.skips };
  }

  gateway(zi: number): void {
    const zone = this.zones[zi]!;
    const gateway = this.index.gatewayByZone.get(zone);
    if (!gateway) {
      this.skips.push({ reason: 'traces were served in a zone without an API gateway', zone });
      return;
    }
    const fns = this.buckets.byZone.get(zone)!;
    const avgDistance = internalDistance(
      this.input,
      gateway,
      this.index.nodesByZone.get(zone) ?? [gateway.node],
    );
    const gw: GatewayPressure = { zone, node: gateway.node, functions: [] };
    const zoneCi = this.buckets.clientIndex.get(zone) ?? -1;
    const distanceBase = zi * this.buckets.clientIndex.size;
    this.rows.startGateway(zoneCi, avgDistance, gateway.node);
    const running = this.index.runningByZoneFn.get(zone);
    for (const fn of [...fns.keys()].sort()) {
      const f = this.fn(
        fn,
        zone,
        gateway.node,
        fns.get(fn)!,
        running?.get(fn),
        zoneCi,
        avgDistance,
        distanceBase,
      );
      if (f) gw.functions.push(f);
    }
    this.rows.saveDistances(this.tables.distances, distanceBase);
    if (gw.functions.length > 0) this.gateways.push(gw);
  }

  /** One function at one gateway: its groups ordered and evaluated, or null (skipped, or no row). */
  fn(
    fn: string,
    zone: string,
    gatewayNode: string,
    bucket: number,
    runningPods: readonly OsmoticPod[] | undefined,
    zoneCi: number,
    avgDistance: number,
    distanceBase: number,
  ): EvaluatedFunction | null {
    if ((this.index.runningCountByFn.get(fn) ?? 0) === 0) {
      this.skips.push({ reason: 'no running replica of the function', fn, zone });
      return null;
    }
    const required = this.params.latencyRequirement(fn);
    if (required === undefined || !(required > 0)) {
      this.skips.push({
        reason: `no latency requirement for the function (schedule_scale_opt_latency_requirement_${fn})`,
        fn,
        zone,
      });
      return null;
    }
    const { sorted, clientOf, bucketStart } = this.buckets;
    const tables = this.tables;
    const from = bucketStart[bucket]!;
    const to = bucketStart[bucket + 1]!;
    // one group per client zone: a second group of the same zone is merged into the first
    let duplicate = false;
    if (to - from > 1) {
      const mark = ++this.seenMark;
      const seen = this.seen;
      for (let k = from; k < to; k++) {
        const ci = clientOf[sorted[k]!]!;
        if (seen[ci] === mark) {
          duplicate = true;
          break;
        }
        seen[ci] = mark;
      }
    }
    const n0 = duplicate ? this.mergedGroups(from, to) : to - from;
    if (!duplicate) {
      this.reserveGroups(n0);
      const { groupOf, groupClient } = this;
      for (let k = 0; k < n0; k++) {
        const p = sorted[from + k]!;
        groupOf[k] = p;
        groupClient[k] = clientOf[p]!;
      }
    }
    const { groupOf, groupClient } = this;
    let total = 0;
    let maxCount = 0;
    let integerCounts = true;
    for (let k = 0; k < n0; k++) {
      const count = tables.group(groupOf[k]!).count;
      total += count;
      if (count > maxCount) maxCount = count;
      if (!(count >= 0 && (count | 0) === count)) integerCounts = false;
    }
    const m = this.ordering.order(groupOf, groupClient, n0, zoneCi, tables, maxCount, integerCounts);

    const running = runningPods ?? [];
    let cpuSum = 0;
    let cpuN = 0;
    for (const p of running) {
      if (p.cpuMean === null || !Number.isFinite(p.cpuMean)) continue;
      cpuSum += p.cpuMean;
      cpuN++;
    }
    const cpuMean = cpuN > 0 ? cpuSum / cpuN : 0;
    const cpuUsage = cpuUsagePressure(cpuMean);
    this.rows.components[5] = cpuUsage;
    const offset = this.rowCount;
    const n = this.rows.evaluate(
      fn,
      zone,
      required,
      maxCount,
      this.ordering.orderGroup,
      this.ordering.orderClient,
      m,
      offset,
    );
    if (n === 0) return null;
    this.rowCount += n;
    return new EvaluatedFunction(
      tables,
      offset,
      n,
      maxCount,
      distanceBase,
      zoneCi,
      fn,
      zone,
      gatewayNode,
      total / this.zoneCount,
      required,
      avgDistance,
      this.input.maxLatency,
      running.length,
      cpuMean,
      cpuUsage,
      this.rows.sums[0]! / n,
    );
  }

  reserveGroups(n: number): void {
    if (this.groupOf.length >= n) return;
    this.groupOf = new Int32Array(Math.max(n, this.groupOf.length * 2));
    this.groupClient = new Int32Array(this.groupOf.length);
  }

  /** The groups of bucket positions from..to with duplicates merged, kept by the round's tables. */
  mergedGroups(from: number, to: number): number {
    const traces = this.input.traces;
    const groups = mergeDuplicates(Array.from(this.buckets.sorted.subarray(from, to), (p) => traces[p]!));
    this.reserveGroups(groups.length);
    for (let k = 0; k < groups.length; k++) {
      const g = groups[k]!;
      this.tables.merged.push(g);
      this.groupOf[k] = -this.tables.merged.length;
      this.groupClient[k] = this.buckets.clientIndex.get(g.clientZone)!;
    }
    return groups.length;
  }
}

/**
 * Per-gateway pressure (calculate_pressure_per_fn): for every gateway zone z, every function
 * served there that has a running replica, and every client zone x that sent it traces — the
 * internal group first, then the others by descending count — computes all six components and
 * multiplies the selected ones into P[fn, z, x]. The round keeps P per row; the records are built
 * from the result by `pressureRecords`, only when they are published.
 */
export function computePressures(
  input: OsmoticInput,
  params: OsmoticParameters,
  index: RoundIndex = indexRound(input),
): PressureResult {
  return new PressureStep(input, params, index, bucketTraces(input.traces)).run();
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
      for (let i = 0; i < f.size; i++) {
        const r = f.row(i);
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
