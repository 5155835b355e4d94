import { z } from 'zod';
import { triangularVariate } from '../random/python-variates.js';
import { defineArrivalProcess } from './arrival-process.js';
import { finiteNumber } from './param-schemas.js';

/**
 * Python's `triangular(low=0.0, high=1.0, mode=None)`: interarrivals between low and high seconds,
 * peaking at mode (default the midpoint); mean (low + high + mode)/3.
 */
export const triangularProcess = defineArrivalProcess({
  name: 'triangular',
  signature:
    'triangular(low=0.0, high=1.0, mode=(low+high)/2): low ≤ mode ≤ high seconds, high > 0; mean (low+high+mode)/3 s',
  positional: ['low', 'high', 'mode'],
  schema: z
    .strictObject({
      low: finiteNumber().default(0),
      high: finiteNumber().default(1),
      mode: finiteNumber().optional(),
    })
    .refine(({ low, high }) => low <= high, { error: 'low must be ≤ high', path: ['low'] })
    .refine(({ low, high, mode }) => mode === undefined || (low <= mode && mode <= high), {
      error: 'mode must lie between low and high',
      path: ['mode'],
    })
    .refine(({ high }) => high > 0, {
      error: 'high must be > 0, otherwise every interarrival would be ≤ 0',
      path: ['high'],
    }),
  draw: ({ low, high, mode }, random) => triangularVariate(random, low, high, mode),
});
