export { createWorker, workerCommandPatterns, type Worker, type WorkerDeps } from './worker.js';
export {
  workerConfigSpec,
  loadWorkerConfig,
  type WorkerConfig,
  type WorkerEnvironmentConfig,
} from './config.js';
export { labelsFromEnvironment } from './labels.js';
export { formatTraceLine, parseTraceLine } from './trace-line.js';
export { WORKER_COMMANDS } from './command-handlers.js';
export type { AppRequest, GalileoKwargs, HttpRequestSpec } from './request-factory.js';
export type { ClientAppContext, ClientAppModule } from './client-apps.js';
export { systemClock, type Clock } from './clock.js';
export { DISPATCH_EARLY_MS } from './scheduler.js';
export { HEARTBEAT_TTL_INTERVALS } from './heartbeat.js';
