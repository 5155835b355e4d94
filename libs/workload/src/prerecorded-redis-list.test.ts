import { describe, expect, it } from 'vitest';
import { prerecordedFromRedisList } from './prerecorded-redis-list.js';

describe('prerecordedFromRedisList', () => {
  it('reverses the LPUSHed list and replaces zeros with 1e-11', () => {
    // LPUSH key 0.1 0 0.3  →  LRANGE key 0 -1 = ['0.3', '0', '0.1']
    expect(prerecordedFromRedisList(['0.3', '0', '0.1'])).toEqual({ ok: true, value: [0.1, 1e-11, 0.3] });
  });

  it('accepts the decimal forms Python writes', () => {
    expect(prerecordedFromRedisList(['1e-3', '2.0', ' 5 ', '.25', '0.0'])).toEqual({
      ok: true,
      value: [1e-11, 0.25, 5, 2, 0.001],
    });
    expect(prerecordedFromRedisList([])).toEqual({ ok: true, value: [] });
  });

  it.each([
    [['0.1', 'abc', '0.2'], 1],
    [['', '0.1'], 0],
    [['0.1', '-1'], 1],
    [['inf'], 0],
    [['NaN'], 0],
    [['0x10'], 0],
    [['1,5'], 0],
  ])('rejects %j, naming LRANGE index %i', (values, index) => {
    const result = prerecordedFromRedisList(values);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'invalid-profile', index });
    expect(result.error.message).toContain(`element ${index} of the Redis list`);
    expect(result.error.message).toContain('expected a decimal number of seconds ≥ 0');
  });
});
