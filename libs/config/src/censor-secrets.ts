import { isSecretName } from './secret-names.js';
import { maskUrlCredentials } from './url-credentials.js';

export const secretMask = '***';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * A copy of `value` in which every property whose name `isSecretName()` is replaced by `***` and
 * every string has URL passwords masked, down to `depth` levels of nested plain objects and arrays
 * (deeper values, class instances and errors are kept as they are). The input is never mutated.
 */
export function censorSecrets(value: unknown, depth = 3): unknown {
  if (typeof value === 'string') return maskUrlCredentials(value);
  if (depth <= 0) return value;
  if (Array.isArray(value)) return value.map((item) => censorSecrets(item, depth - 1));
  return isPlainObject(value) ? censorSecretFields(value, depth) : value;
}

/** censorSecrets for an object whose own properties are the top level (a log line, a config). */
export function censorSecretFields(
  fields: Readonly<Record<string, unknown>>,
  depth = 3,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(fields)) {
    copy[key] =
      isSecretName(key) && item !== undefined && item !== null ? secretMask : censorSecrets(item, depth - 1);
  }
  return copy;
}
