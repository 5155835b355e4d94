/**
 * telemd's wire format (protocols §6.1): channel `telem/<node>/<metric>[/<subsystem>]`, payload
 * `"<unix ts> <value>"`, the value printed like Go's `%f` (six decimals).
 *
 * The timestamp is sound here: seconds, a dot and nine zero-padded digits of nanoseconds. Read as
 * a decimal number (galileo's way) it is the right instant, and read the Go agent's way
 * (`<seconds>.<nanoseconds>`, see `parseGoTelemdTimestamp` in @galileo/bus) it is the same
 * instant, so a consumer of either agent needs no switch for ours.
 */
export function telemdChannel(node: string, topic: string): string {
  return `telem/${node}/${topic}`;
}

/** Epoch nanoseconds → `<seconds>.<nnnnnnnnn>`. */
export function formatTelemdTimestamp(epochNs: bigint): string {
  const seconds = epochNs / 1_000_000_000n;
  const nanos = epochNs % 1_000_000_000n;
  return `${seconds}.${nanos.toString().padStart(9, '0')}`;
}

export function formatTelemdValue(value: number): string {
  return value.toFixed(6);
}

export function formatTelemdPayload(epochNs: bigint, value: number): string {
  return `${formatTelemdTimestamp(epochNs)} ${formatTelemdValue(value)}`;
}

/** What the Go agent prints for the same instant: `"%d.%d"` of (Unix seconds, UnixNano mod Unix seconds). */
export function formatGoTelemdTimestamp(epochNs: bigint): string {
  const seconds = epochNs / 1_000_000_000n;
  return `${seconds}.${epochNs % seconds}`;
}

/** Epoch nanoseconds from the wall clock, with sub-millisecond resolution. */
export function wallClockNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}
