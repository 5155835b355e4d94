import type { Environment } from '@galileo/config';

export const THRESHOLD_PREFIX = 'osmotic_lb_opt_threshold_';

/**
 * `osmotic_lb_opt_threshold_<fn>` (documented by lb-opt, never read by it; reference §4): the
 * target CPU utilisation of a function's replicas, in (0, 1]. `<fn>` uses `_` for `-`, like
 * function names. Returns the thresholds, or every bad variable with what was expected.
 */
export function thresholdsFromEnvironment(
  env: Environment,
): { ok: true; value: Record<string, number> } | { ok: false; error: string[] } {
  const value: Record<string, number> = {};
  const errors: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(THRESHOLD_PREFIX) || raw === undefined || raw.trim() === '') continue;
    const fn = name.slice(THRESHOLD_PREFIX.length).replaceAll('-', '_');
    const n = Number(raw);
    if (fn === '' || !Number.isFinite(n) || n <= 0 || n > 1) {
      errors.push(`${name}=${JSON.stringify(raw)}: expected a CPU utilisation threshold in (0, 1], e.g. 0.3`);
      continue;
    }
    value[fn] = n;
  }
  return errors.length > 0 ? { ok: false, error: errors } : { ok: true, value };
}
