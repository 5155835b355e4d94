import { z } from 'zod';
import { defineArrivalProcess } from './arrival-process.js';
import { positiveNumber } from './param-schemas.js';

/**
 * galileo's `constant(x)`: every interarrival is x seconds. Rate form: x = 1/rate.
 * x must be > 0; galileo's generator crashed on 0 ("as fast as possible"), here a burst is
 * expressed as a tiny interarrival with a request limit instead.
 */
export const constantProcess = defineArrivalProcess({
  name: 'constant',
  signature: 'constant(value): value > 0 is the interarrival time in seconds',
  positional: ['value'],
  schema: z.strictObject({ value: positiveNumber() }),
  draw: ({ value }) => value,
  rateParams: (rate) => ({ value: 1 / rate }),
});
