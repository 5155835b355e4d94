import { z } from 'zod';
import { uniformVariate } from '../random/python-variates.js';
import { defineArrivalProcess } from './arrival-process.js';
import { finiteNumber } from './param-schemas.js';

/**
 * Python's `uniform(a, b)`: interarrivals uniform between a and b seconds (mean (a+b)/2).
 * Rate form: uniform(0, 2/rate). Draws ≤ 0 are clamped; a range entirely ≤ 0 is rejected.
 */
export const uniformProcess = defineArrivalProcess({
  name: 'uniform',
  signature: 'uniform(a, b): interarrival uniform between a and b seconds (mean (a+b)/2); max(a, b) > 0',
  positional: ['a', 'b'],
  schema: z.strictObject({ a: finiteNumber(), b: finiteNumber() }).refine(({ a, b }) => Math.max(a, b) > 0, {
    error: 'the larger of a and b must be > 0, otherwise every interarrival would be ≤ 0',
  }),
  draw: ({ a, b }, random) => uniformVariate(random, a, b),
  rateParams: (rate) => ({ a: 0, b: 2 / rate }),
});
