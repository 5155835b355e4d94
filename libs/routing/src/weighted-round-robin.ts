import { fail, ok, type RoutingResult } from './result.js';
import { weightsProblem } from './weight-validation.js';

/**
 * LVS weighted round-robin (http://kb.linuxvirtualserver.org/wiki/Weighted_Round-Robin_Scheduling),
 * exactly as galileo's WeightedRoundRobinBalancer (protocols §4.3): state i = −1, cw = 0; weights
 * truncated to integers; each step i = (i + 1) mod n, and when i wraps to 0, cw −= gcd(weights)
 * and, if cw ≤ 0, cw = max(weights); index i is chosen when weights[i] ≥ cw. A weight of 0 (or
 * below 1 before truncation) is never chosen. Weights [1, 2] give 1, 0, 1, 1, 0, 1, …
 *
 * One implementation for the worker's routers and the load balancer.
 */
export interface WeightedRoundRobin {
  /** The index chosen next. Never fails: a weight list that cannot choose is rejected up front. */
  next(): number;
  /**
   * Replaces the weights, keeping the rotation where it is: the position stays (moved to the end of
   * the round if the list got shorter) and the current weight is capped at the new maximum, so
   * a lowered maximum takes effect at once instead of after idle rounds. Rejected weights leave
   * the old ones in place.
   */
  update(weights: readonly number[]): RoutingResult<void>;
  /** The integer weights in use. */
  readonly weights: readonly number[];
}

export function createWeightedRoundRobin(weights: readonly number[]): RoutingResult<WeightedRoundRobin> {
  const prepared = prepareWeights(weights);
  if (!prepared.ok) return prepared;
  let { integers, step, max } = prepared.value;
  let i = -1;
  let cw = 0;

  return ok({
    get weights() {
      return integers;
    },
    next() {
      const n = integers.length;
      for (;;) {
        i = (i + 1) % n;
        if (i === 0) {
          cw -= step;
          if (cw <= 0) cw = max; // max > 0: an all-zero list was rejected
        }
        if (integers[i]! >= cw) return i;
      }
    },
    update(next) {
      const updated = prepareWeights(next);
      if (!updated.ok) return updated;
      ({ integers, step, max } = updated.value);
      if (i >= integers.length) i = integers.length - 1;
      if (cw > max) cw = max;
      return ok(undefined);
    },
  });
}

interface PreparedWeights {
  integers: number[];
  step: number;
  max: number;
}

function prepareWeights(weights: readonly number[]): RoutingResult<PreparedWeights> {
  const problem = weightsProblem(weights);
  if (problem) return fail(`Weighted round robin: ${problem}`);
  const integers = weights.map((w) => Math.trunc(w));
  const max = Math.max(...integers);
  if (max === 0) {
    return fail(
      `Weighted round robin: every weight is 0 after truncation to integers (got ${weights.join(', ')}); at least one weight must be ≥ 1`,
    );
  }
  return ok({ integers, step: integers.reduce(gcd), max });
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
