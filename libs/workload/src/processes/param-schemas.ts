import { z } from 'zod';

/** Number schemas whose messages say what a parameter must be; the received value is appended. */
export const finiteNumber = () => z.number({ error: 'must be a finite number' });
export const positiveNumber = () => finiteNumber().gt(0, { error: 'must be > 0' });
export const nonNegativeNumber = () => finiteNumber().gte(0, { error: 'must be ≥ 0' });
