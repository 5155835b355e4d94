import { z } from 'zod';
import { exponentialVariate } from '../random/python-variates.js';
import { defineArrivalProcess } from './arrival-process.js';
import { positiveNumber } from './param-schemas.js';

/** Poisson arrivals, Python's `expovariate(lambd=1.0)`: lambd arrivals per second, mean interarrival 1/lambd s. */
export const exponentialProcess = defineArrivalProcess({
  name: 'exponential',
  aliases: ['expovariate', 'poisson'],
  signature: 'expovariate(lambd=1.0): lambd > 0 is the arrival rate per second (mean interarrival 1/lambd s)',
  positional: ['lambd'],
  schema: z.strictObject({ lambd: positiveNumber().default(1) }),
  draw: ({ lambd }, random) => exponentialVariate(random, lambd),
  rateParams: (rate) => ({ lambd: rate }),
});
