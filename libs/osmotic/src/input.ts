import type { LogisticParameters, PressureName } from './formulas.js';

/**
 * Everything one optimizer round looks at, as plain values: the adapter in
 * services/scale-schedule-optimizer builds it from libs/context. Times are unix seconds,
 * latencies milliseconds.
 */
export interface OsmoticInput {
  /** The round's timestamp (`ts` of every record). */
  now: number;
  /** Every zone of the cluster (from node labels). */
  zones: readonly string[];
  /** One API gateway per zone: the node its load balancer runs on. */
  gateways: readonly OsmoticGateway[];
  nodes: readonly OsmoticNode[];
  /** Function replicas (pods carrying the function label), any state. */
  pods: readonly OsmoticPod[];
  /** Successful traces of the trace window, grouped by (function, serving zone, client zone). */
  traces: readonly TraceGroup[];
  /** Latency between two nodes in ms (symmetric), undefined when the graph lacks the pair. */
  latency(from: string, to: string): number | undefined;
  /** The normaliser of `network_distance` (max entry of the graph, or galileo_context_max_latency). */
  maxLatency: number;
  /** Function names with a deployment (default: the functions of `pods`). */
  functions?: readonly string[];
}

export interface OsmoticGateway {
  zone: string;
  node: string;
}

export interface OsmoticNode {
  name: string;
  zone: string | null;
  /** Carries `node-role.kubernetes.io/worker=true`: only those host new replicas. */
  worker: boolean;
  /** node.status.allocatable as Kubernetes quantities (`cpu`, `memory`, `pods`). */
  allocatable: Readonly<Record<string, string>>;
}

export interface OsmoticPod {
  name: string;
  /** Value of `ether.edgerun.io/function`, `-` normalised to `_`. */
  fn: string;
  zone: string | null;
  node: string | null;
  /** Kubernetes phase as galileo-context keeps it: Running, Pending, Not Running, … */
  status: string;
  image: string;
  labels: Readonly<Record<string, string>>;
  namespace: string;
  /** Container requests (`cpu`, `memory`); 100m / 200Mi when absent, like the scheduler. */
  resourceRequests: Readonly<Record<string, string>>;
  containerId?: string;
  /** Mean CPU `percentage` (100 = one core) over the lookback; null without telemetry. */
  cpuMean: number | null;
}

/** The traces one client zone sent to one function in one serving zone. */
export interface TraceGroup {
  fn: string;
  /** Zone of the serving node. */
  zone: string;
  /** Origin zone of the client (`zone-.` in the client id). */
  clientZone: string;
  /** The evaluated client: the most frequent one of the group. */
  client: string;
  /** Number of traces. */
  count: number;
  /** The target time measure of each trace, in ms (rtt × 1000, or network_latency). */
  times: ArrayLike<number>;
}

export interface OsmoticParameters {
  maxThreshold: number;
  minThreshold: number;
  /** The components multiplied into the client pressure (all are computed and recorded). */
  pressures: readonly PressureName[];
  weights?: Readonly<Partial<Record<PressureName, number>>>;
  logistic: LogisticParameters;
  /** Percentile of the target time for `rtt_log` (default 90). */
  percentile: number;
  /** `"rtt"` or `"network_latency"`: recorded as the rtt_log event's `type` column source. */
  targetTimeMeasure?: string;
  /** Latency requirement of a function in ms (`schedule_scale_opt_latency_requirement_<fn>`). */
  latencyRequirement(fn: string): number | undefined;
  /** Largest replica count of a function cluster-wide (`schedule_scale_opt_max_replicas_busy`). */
  maxReplicas: number;
  /** Also record `pressure_latency_req` as `pressure_latency_requirement` (the README's name). */
  duplicateLatencyRequirement?: boolean;
  /** Five characters for a new pod's name; random hex by default (tests pass a sequence). */
  podSuffix?: () => string;
}

export const DEFAULT_CPU_REQUEST = '100m';
export const DEFAULT_MEMORY_REQUEST = '200Mi';
export const ZONE_LABEL = 'ether.edgerun.io/zone';
export const FUNCTION_LABEL = 'ether.edgerun.io/function';
export const WORKER_ROLE_LABEL = 'node-role.kubernetes.io/worker';
