import { defineConfig, envVar, type ConfigOf } from './env-var.js';
import { envLogLevel } from './log-level.js';

/** Log level for every service: galileo's worker/experimentd name first, the recorder's as fallback. */
export const loggingConfigSpec = defineConfig({
  level: envVar({
    name: 'galileo_logging_level',
    aliases: ['galileo_log_level'],
    schema: envLogLevel(),
    default: 'info',
    description:
      'Log level, Python style (`DEBUG`, `INFO`, `WARN`, `WARNING`, `ERROR`, `CRITICAL`) or pino style (`trace` … `fatal`, `silent`), case-insensitive.',
  }),
});

export type LoggingConfig = ConfigOf<typeof loggingConfigSpec>;
