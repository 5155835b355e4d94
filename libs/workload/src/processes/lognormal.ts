import { z } from 'zod';
import { lognormalVariate } from '../random/python-variates.js';
import { defineArrivalProcess } from './arrival-process.js';
import { finiteNumber, nonNegativeNumber } from './param-schemas.js';

/**
 * Python's `lognormvariate(mu, sigma)`: the natural log of the interarrival (seconds) is normal with
 * mean mu and standard deviation sigma; mean exp(mu + sigma²/2).
 */
export const lognormalProcess = defineArrivalProcess({
  name: 'lognormal',
  aliases: ['lognormvariate'],
  signature:
    'lognormvariate(mu, sigma): ln(interarrival in s) ~ normal(mu, sigma), sigma ≥ 0; mean exp(mu + sigma²/2) s',
  positional: ['mu', 'sigma'],
  schema: z.strictObject({ mu: finiteNumber(), sigma: nonNegativeNumber() }),
  draw: ({ mu, sigma }, random) => lognormalVariate(random, mu, sigma),
});
