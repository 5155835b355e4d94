import { describe, expect, it } from 'vitest';
import { weightedRandom } from './weighted-random.js';

/** A deterministic uniform source: a linear congruential generator is plenty for ratio checks. */
function lcg(seed: number) {
  let state = seed >>> 0;
  return {
    next() {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    },
  };
}

describe('weightedRandom', () => {
  it('draws indexes in proportion to (untruncated) weights and never a zero weight', () => {
    const random = lcg(7);
    const weights = [0.5, 0, 1.5, 2];
    const counts = [0, 0, 0, 0];
    for (let k = 0; k < 40_000; k++) {
      const drawn = weightedRandom(weights, random);
      if (!drawn.ok) throw new Error(drawn.error);
      counts[drawn.value]! += 1;
    }
    expect(counts[1]).toBe(0);
    expect(Math.abs(counts[0]! - 5_000)).toBeLessThan(400);
    expect(Math.abs(counts[2]! - 15_000)).toBeLessThan(600);
    expect(Math.abs(counts[3]! - 20_000)).toBeLessThan(600);
  });

  it('maps the ends of [0, 1) onto the first and last positive weights', () => {
    expect(weightedRandom([0, 1, 1, 0], { next: () => 0 })).toEqual({ ok: true, value: 1 });
    expect(weightedRandom([0, 1, 1, 0], { next: () => 0.9999999999999999 })).toEqual({ ok: true, value: 2 });
  });

  it('answers all-zero and bad weights with an error value', () => {
    expect(weightedRandom([0, 0], lcg(1))).toEqual({
      ok: false,
      error: 'Weighted random: every weight is 0 (got 0, 0)',
    });
    expect(weightedRandom([], lcg(1))).toMatchObject({ ok: false });
    expect(weightedRandom([1, Infinity], lcg(1))).toMatchObject({ ok: false });
  });
});
