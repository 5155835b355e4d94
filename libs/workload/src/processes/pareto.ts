import { z } from 'zod';
import { paretoVariate } from '../random/python-variates.js';
import { defineArrivalProcess } from './arrival-process.js';
import { positiveNumber } from './param-schemas.js';

/**
 * Python's `paretovariate(alpha)`: interarrivals ≥ 1 second with shape alpha; mean alpha/(alpha−1)
 * for alpha > 1 (infinite otherwise). Scale it by choosing a different process if 1 s is too long.
 */
export const paretoProcess = defineArrivalProcess({
  name: 'pareto',
  aliases: ['paretovariate'],
  signature:
    'paretovariate(alpha): shape alpha > 0; interarrival ≥ 1 s, mean alpha/(alpha−1) s for alpha > 1',
  positional: ['alpha'],
  schema: z.strictObject({ alpha: positiveNumber() }),
  draw: ({ alpha }, random) => paretoVariate(random, alpha),
});
