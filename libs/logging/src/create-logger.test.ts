import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.js';
import { createTestLogger, type LogLine } from './test-logger.js';

function capture(options: { env?: Record<string, string>; level?: 'debug' | 'warn' }) {
  const chunks: string[] = [];
  const logger = createLogger({
    service: 'worker',
    env: options.env ?? {},
    ...(options.level && { level: options.level }),
    destination: { write: (chunk: string) => void chunks.push(chunk) },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes JSON lines carrying the service, level name, time and message', () => {
    const { logger, lines } = capture({});
    logger.info({ workers: 3 }, 'registered');
    expect(lines()).toEqual([
      expect.objectContaining({ service: 'worker', level: 'info', msg: 'registered', workers: 3 }),
    ]);
    expect(lines()[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('keeps the service on child logger lines', () => {
    const { logger, lines } = capture({});
    logger.child({ component: 'router' }).warn('no hosts');
    expect(lines()[0]).toMatchObject({ service: 'worker', component: 'router', msg: 'no hosts' });
  });

  it('defaults to info', () => {
    const { logger } = capture({});
    expect(logger.level).toBe('info');
  });

  it.each([
    [{ galileo_logging_level: 'DEBUG' }, 'debug'],
    [{ galileo_logging_level: 'WARNING' }, 'warn'],
    [{ galileo_logging_level: 'critical' }, 'fatal'],
    [{ galileo_log_level: 'ERROR' }, 'error'],
    [{ galileo_logging_level: 'trace', galileo_log_level: 'ERROR' }, 'trace'],
  ])('takes the level from %j', (env, level) => {
    expect(capture({ env }).logger.level).toBe(level);
  });

  it('lets the level option win over the environment', () => {
    expect(capture({ env: { galileo_logging_level: 'DEBUG' }, level: 'warn' }).logger.level).toBe('warn');
  });

  it('filters lines below the level', () => {
    const { logger, lines } = capture({ env: { galileo_logging_level: 'WARN' } });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines().map((line) => line.msg)).toEqual(['shown']);
  });

  it('falls back to info and says why when the environment has a bad level', () => {
    const { logger, lines } = capture({ env: { galileo_logging_level: 'loud' } });
    expect(logger.level).toBe('info');
    expect(lines()[0]).toMatchObject({
      level: 'warn',
      msg: 'invalid log level in the environment, using info',
      problems: [expect.stringMatching(/^galileo_logging_level="loud": expected a log level/)],
    });
  });
});

describe('createTestLogger', () => {
  it('captures parsed lines and raw text at trace level', () => {
    const { logger, lines, text } = createTestLogger({ service: 'experimentd' });
    logger.trace('tick');
    expect(lines()).toEqual([
      expect.objectContaining({ service: 'experimentd', level: 'trace', msg: 'tick' }),
    ]);
    expect(text().endsWith('\n')).toBe(true);
  });
});
