/**
 * InfluxDB line protocol: `measurement,tag=v,… field=v,… <timestamp>`. Escaping as the
 * InfluxDB v2 reference says: measurement `,` and space; tag keys, tag values and field keys
 * `,`, `=` and space; string field values `"` and `\`, and line breaks as `\n`/`\r` (a line break
 * would end the point; galileo's trace lines escape them the same way). Tags with empty values are left out
 * (line protocol has no empty tag value).
 */
export type FieldValue = number | string | boolean | { int: number };

// Each escape tests first: most names and values need none, and a test is cheaper than a replace.
const MEASUREMENT_SPECIAL = /[\\, \n]/;
const KEY_SPECIAL = /[\\,= \n]/;
const STRING_SPECIAL = /[\\"\n\r]/;
export const escapeMeasurement = (s: string) =>
  MEASUREMENT_SPECIAL.test(s) ? s.replace(/[\\, ]/g, '\\$&').replace(/\n/g, '\\n') : s;
/** A tag key, tag value or field key. */
export const escapeKey = (s: string) =>
  KEY_SPECIAL.test(s) ? s.replace(/[\\,= ]/g, '\\$&').replace(/\n/g, '\\n') : s;
/** The inside of a string field value (the quotes are the caller's). */
export const escapeString = (s: string) =>
  STRING_SPECIAL.test(s) ? s.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;

/**
 * One point. Tags are written in the order given: pass them sorted by key (InfluxDB's
 * recommendation; the series key is the same either way). `timestampNs` is an integer as a
 * bigint or a string of digits.
 */
export function formatLine(
  measurement: string,
  tags: Readonly<Record<string, string | null | undefined>>,
  fields: Readonly<Record<string, FieldValue | null | undefined>>,
  timestampNs: bigint | string,
): string {
  let line = escapeMeasurement(measurement);
  for (const key in tags) {
    const value = tags[key];
    if (value === null || value === undefined || value === '') continue;
    line += `,${escapeKey(key)}=${escapeKey(value)}`;
  }
  let first = true;
  for (const [key, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    line += `${first ? ' ' : ','}${escapeKey(key)}=${formatField(value)}`;
    first = false;
  }
  if (first) throw new Error(`a line protocol point needs at least one field (measurement ${measurement})`);
  return `${line} ${timestampNs}`;
}

function formatField(value: FieldValue): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return `"${escapeString(value)}"`;
  return `${Math.trunc(value.int)}i`;
}

/** Epoch seconds (a float, as galileo's) → integer nanoseconds, to the microsecond, deterministically. */
export function secondsToNs(seconds: number): bigint {
  return BigInt(Math.round(seconds * 1e6)) * 1000n;
}

/**
 * The same as `secondsToNs(seconds) + extraNs` (0 ≤ extraNs < 1000) as a string of digits,
 * without BigInt (microseconds since 1970 stay below 2^53 until the year 2255).
 */
export function secondsToNsText(seconds: number, extraNs = 0): string {
  const us = Math.round(seconds * 1e6);
  if (us <= 0) return String(secondsToNs(seconds) + BigInt(extraNs));
  const ns = extraNs < 10 ? `00${extraNs}` : extraNs < 100 ? `0${extraNs}` : String(extraNs);
  return `${us}${ns}`;
}

/** 32-bit FNV-1a of a string: a stable, cheap spread of ids over the sub-microsecond digits. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
