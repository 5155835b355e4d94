import { z } from 'zod';
import { vonMisesVariate } from '../random/python-variates.js';
import { defineArrivalProcess } from './arrival-process.js';
import { finiteNumber, nonNegativeNumber } from './param-schemas.js';

/**
 * Python's `vonmisesvariate(mu, kappa)`: an angle in [0, 2π) taken as seconds, concentrated around
 * mu (radians) with concentration kappa ≥ 0 (kappa = 0: uniform over [0, 2π)).
 */
export const vonMisesProcess = defineArrivalProcess({
  name: 'vonmises',
  aliases: ['vonmisesvariate'],
  signature:
    'vonmisesvariate(mu, kappa): mean angle mu (radians), concentration kappa ≥ 0; interarrival in [0, 2π) s',
  positional: ['mu', 'kappa'],
  schema: z.strictObject({ mu: finiteNumber(), kappa: nonNegativeNumber() }),
  draw: ({ mu, kappa }, random) => vonMisesVariate(random, mu, kappa),
});
