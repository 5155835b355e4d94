/**
 * Hand-written checks of a payload's exact shape, for the event types that arrive by the hundred
 * thousand (traces, telemetry). When a check says yes, the zod schema would accept the payload and
 * return an equal object, so the decoder takes the parsed object as it is: no schema pass and no
 * copy per trace or reading. When it says no, the schema decides and words the error. The checks
 * are conservative: a plain object with exactly the schema's keys and values of exactly its types.
 * (exact-shape.test.ts holds them against their schemas.)
 */

/** A plain object (JSON.parse makes these) with exactly `keys` own enumerable keys. */
export function isPlainObjectWithKeys(v: unknown, keys: number): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  let n = 0;
  // for-in sees own keys only here (a polluted Object.prototype adds keys, and the answer is no)
  for (const _ in v) n++;
  return n === keys;
}

/** zod's `z.number()`: finite. */
export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** zod's `z.number().int()`: a safe integer. */
export const isSafeInteger = (v: unknown): v is number => Number.isSafeInteger(v);
/** zod's `z.string().min(1)`. */
export const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
/** zod's `z.string().nullable()`. */
export const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
