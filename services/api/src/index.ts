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
export * from './apps/app-repository.js';
export * from './apps/zip.js';
