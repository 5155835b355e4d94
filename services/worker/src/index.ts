export { createWorker, workerCommandPatterns, type Worker, type WorkerDeps } from './worker.js';
export {
  createWorkerClient,
  type BroadcastReply,
  type CommandOptions,
  type GroupRef,
  type WorkerClient,
} from './worker-client.js';
export {
  workerConfigSpec,
  loadWorkerConfig,
  type WorkerConfig,
  type WorkerEnvironmentConfig,
} from './config.js';
export { labelsFromEnvironment } from './labels.js';
export {
  listLiveWorkers,
  pruneExpiredWorkers,
  readWorkerLabels,
  type WorkerListOptions,
} from './worker-list.js';
export { workerKeys, type WorkerKeys } from './worker-keys.js';
export { formatTraceLine, parseTraceLine } from './trace-line.js';
export { WORKER_COMMANDS, type PingReply, type TracingReply, type WorkerInfo } from './command-handlers.js';
export type { ClientGroupInfo, ClientGroupState, WorkloadDescription } from './client-group.js';
export type { LatencySummary } from './latency-recorder.js';
export type { AppRequest, GalileoKwargs, HttpRequestSpec } from './request-factory.js';
export type { ClientAppContext, ClientAppModule } from './client-apps.js';
export { systemClock, type Clock } from './clock.js';
export { DISPATCH_EARLY_MS } from './scheduler.js';
export { HEARTBEAT_TTL_INTERVALS } from './heartbeat.js';
