/**
 * The osmotic pressure components of the scale-schedule optimizer, as pure numeric functions
 * (reference osmotic-optimizers.md §5, "Pressure components"). Latencies are milliseconds.
 */

/** The names `schedule_scale_opt_pressures` selects from. */
export const PRESSURE_NAMES = [
  'request',
  'rtt_log',
  'network_distance',
  'latency_req_unbound',
  'latency_req_log',
  'cpu_usage',
] as const;
export type PressureName = (typeof PRESSURE_NAMES)[number];

export interface LogisticParameters {
  a: number;
  b: number;
  c: number;
  d: number;
  offset: number;
}

/** L(x; a,b,c,d) = (a−b)/(1+e^(−c(x−d))) + b. */
export function logistic(x: number, a: number, b: number, c: number, d: number): number {
  return (a - b) / (1 + Math.exp(-c * (x - d))) + b;
}

let scratch = new Float64Array(64);

/** Linear-interpolated percentile (numpy/pandas default); q in 0..100; NaN for no values. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return values[0]!;
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  const s = scratch;
  // insertion sort into a reused buffer: trace windows per client zone are small
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let j = i - 1;
    if (n > 64) {
      s[i] = v;
      continue;
    }
    while (j >= 0 && s[j]! > v) {
      s[j + 1] = s[j]!;
      j--;
    }
    s[j + 1] = v;
  }
  if (n > 64) s.subarray(0, n).sort();
  const rank = (Math.min(100, Math.max(0, q)) / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

/** `request`: R_x / max over client zones of R_zone (0 when nothing was counted). */
export function requestPressure(requestsFromZone: number, maxRequestsOfAnyZone: number): number {
  return maxRequestsOfAnyZone > 0 ? requestsFromZone / maxRequestsOfAnyZone : 0;
}

/** `rtt_log`: L(t; a,b,c,d·(1−offset))/a for the percentile t (ms); 0 when there were no traces. */
export function rttLogPressure(t: number, p: LogisticParameters): number {
  if (!Number.isFinite(t)) return 0;
  return logistic(t, p.a, p.b, p.c, p.d * (1 - p.offset)) / p.a;
}

/** `network_distance`: d_xz / max_latency (0 when the graph has no maximum). */
export function networkDistancePressure(distance: number, maxLatency: number): number {
  return maxLatency > 0 ? distance / maxLatency : 0;
}

/** `latency_req_unbound`: d_xz / required latency of the function (unbounded above). */
export function latencyRequirementPressure(distance: number, requiredLatency: number): number {
  return distance / requiredLatency;
}

/** `latency_req_log`: L(d_xz; a,b,c, req·(1−offset))/a — the requirement is the curve's midpoint. */
export function latencyRequirementLogPressure(
  distance: number,
  requiredLatency: number,
  p: LogisticParameters,
): number {
  return logistic(distance, p.a, p.b, p.c, requiredLatency * (1 - p.offset)) / p.a;
}

/** `cpu_usage`: mean CPU percentage of the running replicas / 100 (1.0 = one full core each). */
export function cpuUsagePressure(cpuMeanPercentage: number): number {
  return cpuMeanPercentage / 100;
}

/**
 * The client pressure: Π over the selected components of value × weight (weights as in
 * faas-optimizations; 1 when not given, which is the original's unweighted product).
 */
export function combinedPressure(
  values: Readonly<Record<PressureName, number>>,
  selected: readonly PressureName[],
  weights?: Readonly<Partial<Record<PressureName, number>>>,
): number {
  let p = 1;
  for (const name of selected) p *= values[name] * (weights?.[name] ?? 1);
  return p;
}
