import { MIN_INTERARRIVAL_S } from './processes/arrival-process.js';
import { err, ok, type Result } from './result.js';
import type { WorkloadError } from './workload-error.js';

const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * Turns the Redis LIST galileo keeps a prerecorded profile in (key = client id, filled with LPUSH,
 * read with LRANGE 0 -1) into interarrival times in seconds, in the order they are to be replayed:
 * the list is reversed, and zeros become 1e-11 as galileo-experiments writes them. Anything that
 * is not a decimal number ≥ 0 is rejected, naming its LRANGE index. Values must be plain decimal
 * strings; galileo-experiments' pickled values are not understood.
 */
export function prerecordedFromRedisList(values: readonly string[]): Result<number[], WorkloadError> {
  const interarrivals: number[] = [];
  for (let index = values.length - 1; index >= 0; index--) {
    const text = values[index] ?? '';
    const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(value) || value < 0) {
      return err({
        kind: 'invalid-profile',
        index,
        message: `Prerecorded profile: element ${index} of the Redis list (LRANGE index) is ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}; expected a decimal number of seconds ≥ 0`,
      });
    }
    interarrivals.push(value === 0 ? MIN_INTERARRIVAL_S : value);
  }
  return ok(interarrivals);
}
