/** The subset of a pino logger that runService uses. */
export interface ServiceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  fatal(obj: object, msg?: string): void;
}

export interface RunServiceOptions {
  logger: ServiceLogger;
  /** Starts the service; a throw ends the process with exit code 1 after `stop`. */
  start: () => Promise<void>;
  /** Drains and closes: finish in-flight work, ack, close connections. */
  stop: () => Promise<void>;
  /** Longest a stop may take before the process exits anyway (default 25 s, under Kubernetes' 30 s). */
  graceMs?: number;
  /** For tests: what ends the process (default process.exit). */
  exit?: (code: number) => void;
}

/**
 * The edge of every `main.ts`: starts the service, and on SIGTERM or SIGINT stops it within its
 * grace period (a second signal, or the period running out, exits at once with code 1). Fatal
 * errors are logged with context, never swallowed.
 */
export async function runService(options: RunServiceOptions): Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const graceMs = options.graceMs ?? 25_000;
  const { logger } = options;
  let stopping = false;

  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal, graceMs }, 'stopping');
    const timer = setTimeout(() => {
      logger.error({ signal, graceMs }, 'stop took longer than the grace period: exiting');
      exit(1);
    }, graceMs);
    timer.unref();
    try {
      await options.stop();
      clearTimeout(timer);
      logger.info({ signal }, 'stopped');
      exit(0);
    } catch (e) {
      clearTimeout(timer);
      logger.error({ err: e }, 'stopping failed');
      exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    await options.start();
    logger.info({}, 'started');
  } catch (e) {
    logger.fatal({ err: e }, 'failed to start');
    stopping = true;
    await options.stop().catch(() => undefined);
    exit(1);
  }
}
