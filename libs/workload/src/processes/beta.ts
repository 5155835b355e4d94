import { z } from 'zod';
import { betaVariate } from '../random/python-variates.js';
import { defineArrivalProcess } from './arrival-process.js';
import { positiveNumber } from './param-schemas.js';

/** Python's `betavariate(alpha, beta)`: interarrivals in [0, 1] seconds, mean alpha/(alpha+beta). */
export const betaProcess = defineArrivalProcess({
  name: 'beta',
  aliases: ['betavariate'],
  signature:
    'betavariate(alpha, beta): alpha > 0, beta > 0; interarrival in [0, 1] s with mean alpha/(alpha+beta)',
  positional: ['alpha', 'beta'],
  schema: z.strictObject({ alpha: positiveNumber(), beta: positiveNumber() }),
  draw: ({ alpha, beta }, random) => betaVariate(random, alpha, beta),
});
