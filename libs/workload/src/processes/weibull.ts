import { z } from 'zod';
import { weibullVariate } from '../random/python-variates.js';
import { defineArrivalProcess } from './arrival-process.js';
import { positiveNumber } from './param-schemas.js';

/** Python's `weibullvariate(alpha, beta)`: scale alpha (seconds), shape beta; mean alpha·Γ(1 + 1/beta). */
export const weibullProcess = defineArrivalProcess({
  name: 'weibull',
  aliases: ['weibullvariate'],
  signature:
    'weibullvariate(alpha, beta): scale alpha > 0 in seconds, shape beta > 0; mean alpha·Γ(1+1/beta) s',
  positional: ['alpha', 'beta'],
  schema: z.strictObject({ alpha: positiveNumber(), beta: positiveNumber() }),
  draw: ({ alpha, beta }, random) => weibullVariate(random, alpha, beta),
});
