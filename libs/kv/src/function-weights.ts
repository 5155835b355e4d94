/**
 * The load balancer's weights for one function in one zone, exactly as the go-load-balancer reads
 * them (reference osmotic-optimizers §1): key `golb/function/<zone>/<fn>`, value
 * `{"ips": ["10.0.0.1:8080", …], "weights": [3, …]}` with integer weights in the same order.
 */
export interface FunctionWeights {
  readonly ips: readonly string[];
  readonly weights: readonly number[];
}

export interface WeightEntry {
  readonly zone: string;
  readonly fn: string;
  readonly weights: FunctionWeights;
}

export type KvResult<T> = { ok: true; value: T } | { ok: false; error: string };

export const DEFAULT_WEIGHT_PREFIX = 'golb/function/';

/** `<prefix><zone>/<fn>`. */
export function weightKey(prefix: string, zone: string, fn: string): string {
  return `${prefix}${zone}/${fn}`;
}

/** The zone's key prefix, with the trailing slash (so `zone-a` never matches `zone-ab`). */
export function zonePrefix(prefix: string, zone: string): string {
  return `${prefix}${zone}/`;
}

/** Splits a key below the prefix into zone and function: exactly `<zone>/<fn>`, or an error. */
export function parseWeightKey(prefix: string, key: string): KvResult<{ zone: string; fn: string }> {
  if (!key.startsWith(prefix))
    return { ok: false, error: `key ${JSON.stringify(key)} is not below ${JSON.stringify(prefix)}` };
  const parts = key.slice(prefix.length).split('/');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    return {
      ok: false,
      error: `key ${JSON.stringify(key)}: expected ${prefix}<zone>/<function> (exactly one zone and one function part)`,
    };
  }
  return { ok: true, value: { zone: parts[0]!, fn: parts[1]! } };
}

/** Checks weights before they are written or used: non-empty, same lengths, integers ≥ 0, one ≥ 1 not required. */
export function weightsProblem(weights: FunctionWeights): string | undefined {
  if (!Array.isArray(weights.ips) || !Array.isArray(weights.weights))
    return 'expected "ips" and "weights" arrays';
  if (weights.ips.length === 0) return 'an empty "ips" list (a function without replicas is not written)';
  if (weights.ips.length !== weights.weights.length) {
    return `${weights.ips.length} ips but ${weights.weights.length} weights (they pair up by position)`;
  }
  for (const ip of weights.ips) {
    if (typeof ip !== 'string' || ip.trim() === '')
      return `ip ${JSON.stringify(ip)} is not a non-empty host[:port] string`;
  }
  for (const w of weights.weights) {
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0) {
      return `weight ${JSON.stringify(w)} is not an integer ≥ 0 (the Go balancer reads []int)`;
    }
  }
  return undefined;
}

/** Reads a stored value; anything the Go balancer would drop is an error value with the reason. */
export function parseFunctionWeights(raw: string): KvResult<FunctionWeights> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    return { ok: false, error: `not JSON (${(e as Error).message}): ${JSON.stringify(raw.slice(0, 120))}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return {
      ok: false,
      error: `expected {"ips": [...], "weights": [...]}, got ${JSON.stringify(raw.slice(0, 120))}`,
    };
  }
  const value = parsed as { ips?: unknown; weights?: unknown };
  const weights = { ips: value.ips, weights: value.weights } as FunctionWeights;
  const problem = weightsProblem(weights);
  if (problem) return { ok: false, error: problem };
  return { ok: true, value: { ips: [...weights.ips], weights: [...weights.weights] } };
}

/** The stored form: `{"ips":[…],"weights":[…]}`. */
export function formatFunctionWeights(weights: FunctionWeights): string {
  return JSON.stringify({ ips: weights.ips, weights: weights.weights });
}

export function sameWeights(a: FunctionWeights | undefined, b: FunctionWeights | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.ips.length !== b.ips.length) return false;
  for (let i = 0; i < a.ips.length; i++)
    if (a.ips[i] !== b.ips[i] || a.weights[i] !== b.weights[i]) return false;
  return true;
}
