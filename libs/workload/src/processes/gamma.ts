import { z } from 'zod';
import { gammaVariate } from '../random/python-variates.js';
import { defineArrivalProcess } from './arrival-process.js';
import { positiveNumber } from './param-schemas.js';

/** Python's `gammavariate(alpha, beta)`: shape alpha, scale beta (seconds); mean alpha·beta, variance alpha·beta². */
export const gammaProcess = defineArrivalProcess({
  name: 'gamma',
  aliases: ['gammavariate'],
  signature: 'gammavariate(alpha, beta): shape alpha > 0, scale beta > 0 in seconds; mean alpha·beta s',
  positional: ['alpha', 'beta'],
  schema: z.strictObject({ alpha: positiveNumber(), beta: positiveNumber() }),
  draw: ({ alpha, beta }, random) => gammaVariate(random, alpha, beta),
});
