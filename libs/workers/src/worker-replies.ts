import type { SetWorkload } from '@galileo/events';

/**
 * What a worker answers to its commands (the `result` of a reply on the bus): the worker builds
 * these, its clients (daemon, API, CLI, benchmarks) read them.
 */

/** idle: spawned, no workload yet · running · paused · done: a limited workload ended · closing · closed. */
export type ClientGroupState = 'idle' | 'running' | 'paused' | 'done' | 'closing' | 'closed';

/** The workload as it was set (SetWorkload without the group id). */
export type WorkloadDescription = Omit<SetWorkload, 'groupId'>;

/** Percentiles of one latency measure, in milliseconds (microsecond resolution, 3 significant digits). */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** A client group: what `SpawnClientGroup`, `SetWorkload`, `PauseClientGroup` … answer. */
export interface ClientGroupInfo {
  groupId: string;
  worker: string;
  service: string;
  /** The client app, or null for the default request factory. */
  client: string | null;
  clientIds: string[];
  state: ClientGroupState;
  /** The experiment of the current workload (the SetWorkload's correlationId, else the spawn's). */
  experimentId: string | null;
  workload: WorkloadDescription | null;
  maxInFlight: number;
  /** Requests sent since the group was spawned (routing failures included, dropped ones not). */
  requests: number;
  /** Requests with status < 0 or ≥ 300 (galileo's ClientInfo.failed). */
  failures: number;
  inFlight: number;
  /** Sent later than the lateness threshold after their intended time. */
  late: number;
  /** Not sent: due while the group had maxInFlight requests outstanding. */
  dropped: number;
  /** Requests per second of the current workload, since it was set (until it ended or paused). */
  achievedRate: number;
  latencyMs: { serviceTime: LatencySummary; responseTime: LatencySummary };
}

/** What a worker answers to `GetWorkerInfo`. */
export interface WorkerInfo {
  name: string;
  tracing: boolean;
  groups: ClientGroupInfo[];
}

/** What a worker answers to `PingWorker`. */
export interface PingReply {
  name: string;
  tracing: boolean;
  groups: number;
  uptimeMs: number;
}

/** What a worker answers to `StartTracing` / `PauseTracing`. */
export interface TracingReply {
  name: string;
  tracing: boolean;
}
