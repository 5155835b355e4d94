export { ConfigError, formatProblem, type ConfigProblem } from './config-error.js';
export { censorSecretFields, censorSecrets, secretMask } from './censor-secrets.js';
export { describeConfig } from './describe-config.js';
export { envDuration, parseDurationMs } from './duration.js';
export { envField, expectedOf, type EnvField, type FieldParse } from './env-field.js';
export {
  defineConfig,
  envVar,
  isEnvVar,
  type ConfigOf,
  type ConfigSpec,
  type EnvDefault,
  type EnvVar,
} from './env-var.js';
export { envHost, envHostPort, isHost, parseHostPort, type HostPort } from './host-port.js';
export { envList, type ListOptions } from './list-field.js';
export { loadConfig, loadConfigOrExit, type Environment, type ExitOptions } from './load-config.js';
export { envLogLevel, parseLogLevel, type LogLevel } from './log-level.js';
export { loggingConfigSpec, type LoggingConfig } from './logging-config.js';
export { printMasked } from './masked-printing.js';
export { redisConfigSpec, type RedisConfig } from './redis-config.js';
export { redisOptions, redisRetryDelay } from './redis-options.js';
export { envRedisUrl, parseRedisUrl, type RedisUrl } from './redis-url.js';
export { err, ok, type Result } from './result.js';
export { envBool, envEnum, envFloat, envInt, envPort, envString, type NumberRange } from './scalar-fields.js';
export { isSecretName } from './secret-names.js';
export { maskUrlCredentials } from './url-credentials.js';
