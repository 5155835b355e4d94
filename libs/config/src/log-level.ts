import { envField, type EnvField } from './env-field.js';

/** pino's level names, `silent` included. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

// Python logging names (galileo's --logging values) and pino names, both case-insensitive.
const levelNames: ReadonlyMap<string, LogLevel> = new Map([
  ['notset', 'trace'],
  ['trace', 'trace'],
  ['debug', 'debug'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['warning', 'warn'],
  ['error', 'error'],
  ['critical', 'fatal'],
  ['fatal', 'fatal'],
  ['silent', 'silent'],
]);

/** `DEBUG` → `debug`, `WARNING` → `warn`, `CRITICAL` → `fatal`, `trace` → `trace`; undefined if unknown. */
export function parseLogLevel(text: string): LogLevel | undefined {
  return levelNames.get(text.trim().toLowerCase());
}

export function envLogLevel(): EnvField<LogLevel> {
  return envField<LogLevel>(
    'a log level: DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL or trace, debug, info, warn, error, fatal, silent',
    (raw) => {
      const value = parseLogLevel(raw);
      return value === undefined ? { ok: false } : { ok: true, value };
    },
  );
}
