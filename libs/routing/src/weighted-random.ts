import { fail, ok, type RoutingResult } from './result.js';
import { weightsProblem } from './weight-validation.js';

/** A source of uniform numbers in [0, 1); `@galileo/workload`'s seeded random fits, or `{ next: Math.random }`. */
export interface RandomSource {
  next(): number;
}

/**
 * An index drawn with probability proportional to its weight, like galileo's WeightedRandomBalancer
 * (`random.choices(hosts, weights)`): weights are not truncated, a weight of 0 is never drawn.
 */
export function weightedRandom(weights: readonly number[], random: RandomSource): RoutingResult<number> {
  const problem = weightsProblem(weights);
  if (problem) return fail(`Weighted random: ${problem}`);
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return fail(`Weighted random: every weight is 0 (got ${weights.join(', ')})`);
  const target = random.next() * total;
  let cumulative = 0;
  let lastPositive = 0;
  for (let index = 0; index < weights.length; index++) {
    const weight = weights[index]!;
    if (weight <= 0) continue;
    cumulative += weight;
    lastPositive = index;
    if (target < cumulative) return ok(index);
  }
  return ok(lastPositive); // rounding left target at the very top
}
