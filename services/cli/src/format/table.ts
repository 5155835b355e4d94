/**
 * galileo's shell tables (galileo/shell/printer.py): `+---+` separators and `| x |` rows, columns
 * left-aligned and as wide as their content.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((r) => headers.map((_, i) => cellText(r[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const separator = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (values: readonly string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [separator, line(headers), separator, ...cells.map(line), separator].map((l) => `${l}\n`).join('');
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3);
  return JSON.stringify(value);
}

/** Epoch seconds as `YYYY-MM-DD HH:MM:SS` (UTC), blank when unset. */
export function formatEpoch(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  return new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19);
}
