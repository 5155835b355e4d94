import type { z } from 'zod';

/**
 * Turns zod issues into lines a user can act on: `lambd: must be > 0, got -1`,
 * `alpha: is required`, `unknown parameter(s) 'foo'; expected alpha, beta`.
 */
export function issueMessages(error: z.ZodError, input: unknown, expectedKeys: readonly string[]): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `'${k}'`).join(', ');
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      return `${where}unknown key(s) ${keys}${expectedKeys.length > 0 && where === '' ? `; expected ${expectedKeys.join(', ')}` : ''}`;
    }
    if (issue.path.length === 0) return issue.message;
    const path = issue.path.map(String).join('.');
    const received = valueAt(input, issue.path);
    if (received === undefined) return `${path}: is required`;
    return `${path}: ${issue.message}, got ${describeValue(received)}`;
  });
}

/** The value at a zod issue's path in the input (to say what was received). */
export function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** A short rendering of a received value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
