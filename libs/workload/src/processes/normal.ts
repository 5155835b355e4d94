import { z } from 'zod';
import { normalVariate } from '../random/python-variates.js';
import { defineArrivalProcess } from './arrival-process.js';
import { nonNegativeNumber, positiveNumber } from './param-schemas.js';

/**
 * Python's `normalvariate(mu, sigma=1.0)` (also `gauss`, same distribution): mean mu seconds,
 * standard deviation sigma. Draws ≤ 0 are clamped, so keep sigma well below mu.
 */
export const normalProcess = defineArrivalProcess({
  name: 'normal',
  aliases: ['normalvariate', 'gauss'],
  signature:
    'normalvariate(mu, sigma=1.0): mu > 0 is the mean interarrival in seconds, sigma ≥ 0 its standard deviation',
  positional: ['mu', 'sigma'],
  schema: z.strictObject({ mu: positiveNumber(), sigma: nonNegativeNumber().default(1) }),
  draw: ({ mu, sigma }, random) => normalVariate(random, mu, sigma),
});
