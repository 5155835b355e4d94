import type { FunctionWeights } from '@galileo/kv';

/**
 * The lb-opt heuristic (ThresholdBasedWeightOptimizer, reference osmotic-optimizers §4) as pure
 * functions, with the proposals of §4 "Known pitfalls" and §9.4 taken:
 * - the per-function threshold `osmotic_lb_opt_threshold_<fn>` is honoured: headroom
 *   `thr − util` instead of `1 − util` (thr = 1 is exactly the shipped behaviour);
 * - if every replica of a zone is over its threshold, they share equally (headroom 1 each);
 * - weights are integers ≥ 1 (a replica with headroom gets at least 1, never the Go WRR's "never
 *   chosen" 0), and a zone with nothing to route to gets no value at all (never an empty list);
 * - a missing gateway, latency pair or telemetry skips that item instead of failing the function.
 */
export interface HeuristicParams {
  /** `osmotic_lb_opt_a` … `_offset`: the logistic curve L(x) = (a−b)/(1+e^(−c(x−d))) + b, d = midpoint·(1−offset). */
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly midpoint: number;
  readonly offset: number;
}

/** Headroom floor for a replica over its threshold while others are not (proposal ε). */
export const MIN_HEADROOM = 0.01;
/** Floor of the latency penalty (shipped). */
export const MIN_PENALTY = 0.01;
/** A latency of 0 (unmeasured) is read as this many ms (shipped). */
export const ZERO_LATENCY_MS = 0.01;

export function logistic(x: number, p: HeuristicParams): number {
  const d = p.midpoint * (1 - p.offset);
  return (p.a - p.b) / (1 + Math.exp(-p.c * (x - d))) + p.b;
}

/** pen(lat) = max(0.01, 1 − L(lat)/a): ≈1 near, 0.01 far. */
export function latencyPenalty(latencyMs: number, p: HeuristicParams): number {
  const lat = latencyMs === 0 ? ZERO_LATENCY_MS : latencyMs;
  return Math.max(MIN_PENALTY, 1 - logistic(lat, p) / p.a);
}

export interface ReplicaInput {
  /** `podIP:port`. */
  readonly address: string;
  readonly node: string;
  /** Mean CPU share over the lookback (0..1); undefined without telemetry (counts as idle, as shipped). */
  readonly cpuShare: number | undefined;
}

export interface ZoneInput {
  readonly zone: string;
  /** The zone's api-gateway (its balancer): address others forward to, node for latencies. */
  readonly gateway?: { readonly address: string; readonly node: string };
  readonly replicas: readonly ReplicaInput[];
}

export interface HeuristicInput {
  readonly zones: readonly ZoneInput[];
  /** Symmetric node latency in ms; undefined for an unknown pair. */
  readonly latency: (from: string, to: string) => number | undefined;
  /** Used for an unknown gateway-to-gateway pair (treated as far). */
  readonly maxLatencyMs: number;
  readonly params: HeuristicParams;
  /** thr_f in (0, 1]; 1 = free CPU as shipped. */
  readonly threshold: number;
}

export interface ReplicaScore {
  readonly address: string;
  readonly headroom: number;
  readonly penalty: number;
  /** p_i = headroom · penalty. */
  readonly score: number;
  readonly weight: number;
}

export interface ZoneWeights {
  readonly zone: string;
  /** Undefined when the zone has neither a replica nor another zone to forward to. */
  readonly weights: FunctionWeights | undefined;
  readonly replicas: readonly ReplicaScore[];
  /** P_z = mean of the replicas' scores (0 without replicas). */
  readonly zoneScore: number;
}

/** Replica scores of one zone: headroom below the threshold × latency penalty to the zone's gateway. */
export function scoreReplicas(zone: ZoneInput, input: HeuristicInput): ReplicaScore[] {
  const raw = zone.replicas.map((r) => input.threshold - (r.cpuShare ?? 0));
  const allOver = raw.length > 0 && raw.every((h) => h <= 0);
  return zone.replicas.map((r, i) => {
    const headroom = allOver ? 1 : Math.max(MIN_HEADROOM, raw[i]!);
    const lat = zone.gateway ? input.latency(r.node, zone.gateway.node) : undefined;
    // An unknown local latency counts as near: the replica is in the balancer's own zone.
    const penalty = latencyPenalty(lat ?? 0, input.params);
    const score = headroom * penalty;
    return { address: r.address, headroom, penalty, score, weight: Math.max(1, Math.trunc(score * 100)) };
  });
}

/**
 * Weights of one function in every zone: the zone's own replicas (weight trunc(100·p_i), ≥ 1),
 * then the gateway of every other zone that has replicas, weight max(1, trunc(P_o · pen(lat
 * between the gateways))) as shipped. A zone's own gateway is never in its list, and a zone
 * without replicas is never a forwarding target (anti-ping-pong: a forwarded request must find a
 * local replica there, since balancers never forward twice).
 */
export function computeFunctionWeights(input: HeuristicInput): ZoneWeights[] {
  const scored = input.zones.map((zone) => {
    const replicas = scoreReplicas(zone, input);
    const zoneScore = replicas.length === 0 ? 0 : replicas.reduce((s, r) => s + r.score, 0) / replicas.length;
    return { zone, replicas, zoneScore };
  });
  return scored.map(({ zone, replicas, zoneScore }) => {
    const ips = replicas.map((r) => r.address);
    const weights = replicas.map((r) => r.weight);
    for (const other of scored) {
      if (other.zone.zone === zone.zone || other.zoneScore <= 0 || !other.zone.gateway) continue;
      if (other.zone.gateway.address === zone.gateway?.address) continue;
      const lat = zone.gateway ? input.latency(zone.gateway.node, other.zone.gateway.node) : undefined;
      const penalty = latencyPenalty(lat ?? input.maxLatencyMs, input.params);
      ips.push(other.zone.gateway.address);
      weights.push(Math.max(1, Math.trunc(other.zoneScore * penalty)));
    }
    return { zone: zone.zone, replicas, zoneScore, weights: ips.length === 0 ? undefined : { ips, weights } };
  });
}
