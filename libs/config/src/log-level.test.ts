import { describe, expect, it } from 'vitest';
import { envLogLevel, parseLogLevel } from './log-level.js';

describe('parseLogLevel', () => {
  it.each([
    ['DEBUG', 'debug'],
    ['INFO', 'info'],
    ['WARN', 'warn'],
    ['WARNING', 'warn'],
    ['ERROR', 'error'],
    ['CRITICAL', 'fatal'],
    ['FATAL', 'fatal'],
    ['NOTSET', 'trace'],
    ['debug', 'debug'],
    ['Warning', 'warn'],
    ['trace', 'trace'],
    ['info', 'info'],
    ['warn', 'warn'],
    ['error', 'error'],
    ['fatal', 'fatal'],
    ['silent', 'silent'],
    [' info ', 'info'],
  ])('%j → %s', (text, level) => {
    expect(parseLogLevel(text)).toBe(level);
  });

  it.each(['verbose', '10', '', 'information'])('rejects %j', (text) => {
    expect(parseLogLevel(text)).toBeUndefined();
  });

  it('lists the accepted names in the expected text', () => {
    expect(envLogLevel().safeParse('verbose').error?.issues[0]?.message).toBe(
      'expected a log level: DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL or trace, debug, info, warn, error, fatal, silent',
    );
  });
});
