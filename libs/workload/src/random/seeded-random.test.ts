import { describe, expect, it } from 'vitest';
import { createSeededRandom, xoshiro128StarStar } from './seeded-random.js';

describe('xoshiro128StarStar', () => {
  it('matches the reference implementation for the state [1, 2, 3, 4]', () => {
    const next = xoshiro128StarStar([1, 2, 3, 4]);
    expect([next(), next(), next(), next(), next(), next()]).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492,
    ]);
  });
});

describe('createSeededRandom', () => {
  const take = (seed: number | string, count: number) => {
    const random = createSeededRandom(seed);
    return Array.from({ length: count }, () => random.next());
  };

  it('gives the same sequence for the same seed', () => {
    expect(take(42, 1000)).toEqual(take(42, 1000));
    expect(take('w1:squeezenet:0', 1000)).toEqual(take('w1:squeezenet:0', 1000));
  });

  it('gives different sequences for different seeds, and tells 1 from "1"', () => {
    expect(take(1, 10)).not.toEqual(take(2, 10));
    expect(take(1, 10)).not.toEqual(take('1', 10));
    expect(take(0, 10)).not.toEqual(take(-1, 10));
  });

  it('draws uniformly from [0, 1)', () => {
    const draws = take(7, 100_000);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 3);
    const deciles = new Array<number>(10).fill(0);
    for (const d of draws) deciles[Math.floor(d * 10)]! += 1;
    for (const count of deciles) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});
