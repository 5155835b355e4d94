import type { Logger } from 'pino';

/** A child logger whose lines also carry the `experimentId` they concern. */
export function forExperiment(logger: Logger, experimentId: string): Logger {
  return logger.child({ experimentId });
}
