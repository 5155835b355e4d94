import { hostname } from 'node:os';
import pino from 'pino';
import type { DestinationStream, LogFn, Logger, LoggerOptions } from 'pino';
import {
  censorSecretFields,
  loadConfig,
  loggingConfigSpec,
  maskUrlCredentials,
  secretMask,
  type Environment,
  type LogLevel,
} from '@galileo/config';
import { redactPaths } from './secret-redaction.js';

export interface CreateLoggerOptions {
  /** Carried by every line, e.g. `worker`, `experimentd`. */
  service: string;
  /** Overrides the level from the environment. */
  level?: LogLevel;
  /** Where `galileo_logging_level` / `galileo_log_level` are read; defaults to `process.env`. */
  env?: Environment;
  /** Defaults to stdout. */
  destination?: DestinationStream;
}

const censorErrorSecrets = (error: unknown): unknown => {
  const serialized = pino.stdSerializers.err(error as Error);
  return typeof serialized === 'object' && serialized !== null
    ? censorSecretFields({ ...serialized })
    : serialized;
};

function loggerOptions(service: string, level: LogLevel): LoggerOptions {
  return {
    level,
    base: { service, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...redactPaths], censor: secretMask },
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => censorSecretFields(bindings),
      log: (fields) => censorSecretFields(fields),
    },
    serializers: { err: censorErrorSecrets, error: censorErrorSecrets },
    hooks: {
      logMethod(args, method) {
        method.apply(this, maskMessageArguments(args));
      },
    },
  };
}

/** The message pino takes from an error when none is given: `logger.error(err)`, `logger.error({ err })`. */
function messageOfError(first: unknown): string | undefined {
  if (first instanceof Error) return first.message;
  if (typeof first !== 'object' || first === null || 'msg' in first || !('err' in first)) return undefined;
  return first.err instanceof Error ? first.err.message : undefined;
}

// The message and its interpolation arguments are not fields, so the formatters never see them.
function maskMessageArguments(args: Parameters<LogFn>): Parameters<LogFn> {
  const masked = args.map((arg) => (typeof arg === 'string' ? maskUrlCredentials(arg) : arg));
  const errorMessage = args.length === 1 ? messageOfError(args[0]) : undefined;
  if (errorMessage !== undefined) masked.push(maskUrlCredentials(errorMessage));
  return masked as Parameters<LogFn>;
}

// pino applies `formatters.bindings` to the base bindings only, not to `child()` bindings. Children
// are created with Object.create(parent), so this override is inherited by every descendant.
function censorChildBindings(logger: Logger): void {
  const createChild = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return createChild.call(this, censorSecretFields(bindings), options);
  } as Logger['child'];
}

/**
 * A pino JSON logger whose every line carries `service`, with credentials censored: any field
 * named like a secret (`isSecretName`, two levels deep), the usual redact paths, and URL passwords
 * in strings, messages and errors. The level comes from `level`, else from the environment; an
 * invalid level in the environment falls back to `info` and is reported as the first (warn) line.
 */
export function createLogger({
  service,
  level,
  env = process.env,
  destination,
}: CreateLoggerOptions): Logger {
  const configured = level === undefined ? loadConfig(loggingConfigSpec, env) : undefined;
  const resolved = level ?? (configured?.ok ? configured.value.level : 'info');
  const options = loggerOptions(service, resolved);
  const logger = destination === undefined ? pino(options) : pino(options, destination);
  censorChildBindings(logger);
  if (configured !== undefined && !configured.ok) {
    logger.warn({ problems: configured.error.lines }, 'invalid log level in the environment, using info');
  }
  return logger;
}
