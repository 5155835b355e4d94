/**
 * Kubernetes resource quantities (`500m`, `1`, `0.5`, `200Mi`, `1Gi`, `1e3`, `128974848`), parsed
 * as the API server does: a signed decimal number, then a binary suffix (Ki Mi Gi Ti Pi Ei), a
 * decimal suffix (n u m k M G T P E) or an exponent (e3, E-2). galileo-context parsed CPU by
 * dropping the `m` and multiplying by 1000, inflating millicores 1000× (reference §5 step 6);
 * here `500m` is 0.5 and `1` is 1.
 */
const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

export type QuantityResult = { ok: true; value: number } | { ok: false; error: string };

/** The quantity's value in base units (cores for CPU, bytes for memory, a count for pods). */
export function parseQuantity(text: string | number): QuantityResult {
  if (typeof text === 'number') {
    return Number.isFinite(text)
      ? { ok: true, value: text }
      : { ok: false, error: `expected a finite number, got ${text}` };
  }
  const trimmed = text.trim();
  const m = QUANTITY.exec(trimmed);
  if (!m) {
    return {
      ok: false,
      error: `expected a Kubernetes quantity such as 500m, 1, 0.5, 200Mi, 1Gi or 1e3, got ${JSON.stringify(text)}`,
    };
  }
  const number = Number(m[1]);
  if (m[2] !== undefined) return { ok: true, value: number * 10 ** Number(m[2].slice(1)) };
  const suffix = m[3] ?? '';
  const factor = BINARY[suffix] ?? DECIMAL[suffix]!;
  return { ok: true, value: number * factor };
}

/** CPU in millicores (`500m` → 500, `1` → 1000, `0.25` → 250); null when it does not parse. */
export function cpuMillis(text: string | number | undefined | null): number | null {
  if (text === undefined || text === null) return null;
  const q = parseQuantity(text);
  return q.ok ? Math.round(q.value * 1000 * 1e6) / 1e6 : null;
}

/** Memory in bytes (`200Mi` → 209715200, `1G` → 1e9); null when it does not parse. */
export function memoryBytes(text: string | number | undefined | null): number | null {
  if (text === undefined || text === null) return null;
  const q = parseQuantity(text);
  return q.ok ? q.value : null;
}
