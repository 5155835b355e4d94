export { createLogger, type CreateLoggerOptions } from './create-logger.js';
export { forExperiment } from './experiment-logger.js';
export { redactPaths } from './secret-redaction.js';
export { createTestLogger, type LogLine, type TestLogger } from './test-logger.js';
export type { Logger } from 'pino';
