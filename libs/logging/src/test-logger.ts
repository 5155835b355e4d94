import type { LogLevel } from '@galileo/config';
import type { Logger } from 'pino';
import { createLogger } from './create-logger.js';

export type LogLine = Record<string, unknown>;

export interface TestLogger {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines(): LogLine[];
  /** Everything written so far, as the raw JSON text. */
  text(): string;
}

/** A logger that keeps its lines in memory (synchronously), for tests that assert on logs. */
export function createTestLogger(options: { service?: string; level?: LogLevel } = {}): TestLogger {
  const chunks: string[] = [];
  const logger = createLogger({
    service: options.service ?? 'test',
    level: options.level ?? 'trace',
    destination: { write: (chunk: string) => void chunks.push(chunk) },
  });
  const text = (): string => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line !== '')
        .map((line): LogLine => JSON.parse(line) as LogLine),
  };
}
