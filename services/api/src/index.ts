export { createApi, type Api, type ApiDatabase, type ApiDeps } from './api.js';
export {
  apiConfigFrom,
  apiConfigSpec,
  authProblem,
  isLoopback,
  loadApiConfig,
  type ApiConfig,
  type ApiEnvironmentConfig,
} from './config.js';
export { openApiDocument } from './openapi.js';
export { streamBusEvents, DEFAULT_EVENTS_PATTERN } from './events-stream.js';
export * from './experiments/experiment.js';
export * from './experiments/experiment-queue.js';
export * from './experiments/experiment-control.js';
export * from './experiments/experiment-operations.js';
export * from './experiments/submission.js';
export * from './apps/app-repository.js';
export * from './apps/zip.js';
export * from './report/compute-report.js';
export * from './report/percentiles.js';
export * from './report/load-experiment-data.js';
export * from './report/render-text.js';
export * from './report/render-html.js';
