import { describe, expect, it } from 'vitest';
import { createWeightedRoundRobin, type WeightedRoundRobin } from './weighted-round-robin.js';

/**
 * The reference algorithm, transcribed line by line from the LVS wiki / galileo's
 * WeightedRoundRobinBalancer.generator (protocols §4.3), independently of the implementation.
 */
function* referenceWeightedRoundRobin(weights: readonly number[]): Generator<number> {
  const w = weights.map((x) => Math.trunc(x));
  const n = w.length;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let i = -1;
  let cw = 0;
  for (;;) {
    i = (i + 1) % n;
    if (i === 0) {
      cw = cw - w.reduce(gcd);
      if (cw <= 0) {
        cw = Math.max(...w);
        if (cw === 0) return;
      }
    }
    if (w[i]! >= cw) yield i;
  }
}

function take(source: { next(): number } | Generator<number>, count: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const value = source.next();
    out.push(typeof value === 'number' ? value : (value.value as number));
  }
  return out;
}

function wrr(weights: readonly number[]): WeightedRoundRobin {
  const created = createWeightedRoundRobin(weights);
  if (!created.ok) throw new Error(created.error);
  return created.value;
}

describe('weightedRoundRobin', () => {
  it('gives host2, host1, host2, … for weights [1, 2] (protocols §4.3)', () => {
    expect(take(wrr([1, 2]), 6)).toEqual([1, 0, 1, 1, 0, 1]);
  });

  it.each([
    [[1, 2]],
    [[5, 1, 3]],
    [[4, 2, 6]],
    [[1, 0, 3, 0]],
    [[2.9, 1.2, 3.99]],
    [[7]],
    [[10, 10, 10]],
    [[100, 1]],
  ])('matches the reference algorithm for %j over 10 000 steps', (weights) => {
    expect(take(wrr(weights), 10_000)).toEqual(take(referenceWeightedRoundRobin(weights), 10_000));
  });

  it('chooses hosts in the ratio of their weights', () => {
    const weights = [5, 1, 3];
    const counts = [0, 0, 0];
    for (const index of take(wrr(weights), 9 * 1000)) counts[index]! += 1;
    expect(counts).toEqual([5000, 1000, 3000]);
  });

  it('never chooses a weight of 0 or a fractional weight below 1', () => {
    expect(new Set(take(wrr([0, 3, 0.9, 1]), 1000))).toEqual(new Set([1, 3]));
  });

  it('answers an all-zero list, an empty list and bad weights with an error value', () => {
    expect(createWeightedRoundRobin([0, 0.5])).toEqual({
      ok: false,
      error:
        'Weighted round robin: every weight is 0 after truncation to integers (got 0, 0.5); at least one weight must be ≥ 1',
    });
    expect(createWeightedRoundRobin([])).toMatchObject({
      ok: false,
      error: expect.stringContaining('at least one'),
    });
    expect(createWeightedRoundRobin([1, -1])).toMatchObject({
      ok: false,
      error: 'Weighted round robin: weight 1 must be a finite number ≥ 0, got -1',
    });
    expect(createWeightedRoundRobin([Number.NaN])).toMatchObject({ ok: false });
  });

  it('keeps rotating sensibly when weights change', () => {
    const balancer = wrr([1, 2]);
    take(balancer, 3);
    expect(balancer.update([3, 1, 1])).toEqual({ ok: true, value: undefined });
    expect(balancer.weights).toEqual([3, 1, 1]);
    const counts = [0, 0, 0];
    for (const index of take(balancer, 5 * 100)) counts[index]! += 1;
    expect(Math.abs(counts[0]! - 300)).toBeLessThanOrEqual(3);
    expect(Math.abs(counts[1]! - 100)).toBeLessThanOrEqual(3);
  });

  it('lowers a large maximum at once and survives a shorter list', () => {
    const balancer = wrr([1000, 1, 1]);
    take(balancer, 2);
    balancer.update([1, 1]);
    expect(take(balancer, 4).sort()).toEqual([0, 0, 1, 1]);
  });

  it('keeps the old weights when an update is rejected', () => {
    const balancer = wrr([1, 2]);
    expect(balancer.update([0, 0])).toMatchObject({ ok: false });
    expect(balancer.weights).toEqual([1, 2]);
    expect(take(balancer, 3)).toEqual([1, 0, 1]);
  });
});
