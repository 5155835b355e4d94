import { describe, expect, it } from 'vitest';
import { envDuration, parseDurationMs } from './duration.js';

describe('parseDurationMs', () => {
  it.each([
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['2h', 7_200_000],
    ['1h2m3s4ms', 3_723_004],
    ['10', 10_000],
    ['1m30', 90_000],
    ['0.5', 500],
    ['1.5s', 1_500],
    [' 5s ', 5_000],
    ['0', 0],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', 'abc', '10x', 's', '-5s', '10 s', '1.2.3', '5S', '10s5x'])('rejects %j', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });
});

describe('envDuration', () => {
  it('parses to milliseconds', () => {
    expect(envDuration().parse('1m')).toBe(60_000);
  });

  it('says which forms it expects', () => {
    const parsed = envDuration().safeParse('ten seconds');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(
      'expected a duration such as 10s, 1m30s, 500ms or a number of seconds',
    );
  });
});
