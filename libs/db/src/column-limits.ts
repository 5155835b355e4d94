/**
 * What galileo's columns can hold (galileodb/sql/schema.sql, protocols §7.2): VARCHAR(n) counts
 * characters, TEXT holds 65,535 bytes of UTF-8. MariaDB in strict mode rejects a whole statement
 * when one value is too long, so values are cut to fit here, the same way for both databases.
 */
export const TEXT_BYTES = 65_535;
export const MEDIUMTEXT_BYTES = 16_777_215;

/** Cuts a string to at most `max` characters (never splitting a surrogate pair). */
export function fitChars(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate without its pair
  return value.slice(0, end);
}

/** Cuts a string to at most `maxBytes` bytes of UTF-8, at a character boundary. */
export function fitBytes(value: string, maxBytes: number = TEXT_BYTES): string {
  // A UTF-16 code unit never needs more than 3 bytes, so short strings need no encoding.
  if (value.length * 3 <= maxBytes) return value;
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length <= maxBytes) return value;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1; // back to the start of the cut character
  return bytes.toString('utf8', 0, end);
}

export function fitCharsOrNull(value: string | null | undefined, max: number): string | null {
  return value === null || value === undefined ? null : fitChars(value, max);
}

export function fitBytesOrNull(
  value: string | null | undefined,
  maxBytes: number = TEXT_BYTES,
): string | null {
  return value === null || value === undefined ? null : fitBytes(value, maxBytes);
}

/** Column widths of galileo's identities and names. */
export const limits = {
  experimentId: 100,
  experimentName: 100,
  creator: 100,
  status: 30,
  node: 50,
  infoKey: 50,
  metric: 100,
  subsystem: 100,
  eventName: 100,
  eventId: 64,
  requestId: 36,
  client: 50,
  service: 50,
  server: 50,
  projection: 100,
} as const;
