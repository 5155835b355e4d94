/** Per-request overrides from the query string: `?cpuMs=20&cpuIterations=1e6&responseBytes=4096`. */
export interface RequestOverrides {
  cpuMs?: number;
  cpuIterations?: number;
  responseBytes?: number;
}

const LIMITS: Record<keyof RequestOverrides, number> = {
  cpuMs: 60_000,
  cpuIterations: 1_000_000_000,
  responseBytes: 64 * 1024 * 1024,
};

export function parseRequestOverrides(
  query: URLSearchParams,
): { ok: true; value: RequestOverrides } | { ok: false; error: string } {
  const overrides: RequestOverrides = {};
  for (const key of Object.keys(LIMITS) as (keyof RequestOverrides)[]) {
    const text = query.get(key);
    if (text === null) continue;
    const value = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isInteger(value) || value < 0 || value > LIMITS[key]) {
      return {
        ok: false,
        error: `query parameter ${key} must be an integer between 0 and ${LIMITS[key]}, got ${JSON.stringify(text)}`,
      };
    }
    overrides[key] = value;
  }
  return { ok: true, value: overrides };
}
