import type { RoutingRecord } from './routing-record.js';

/**
 * The shell's `rtbl` table (galileo/shell/printer.py sprint_routing_table, protocols §4.5): columns
 * Service (25 wide, left-aligned), Hosts (20, right), Weights (9, right), one row per host, the
 * service name on its first row only, a separator after each record, weights printed as Python
 * floats (`1.0`). Longer values widen their row, as Python's `%-25s` does. Every line ends in `\n`.
 */
export function formatRoutingTable(records: readonly RoutingRecord[]): string {
  const separator = `+-${'-'.repeat(25)}-+-${'-'.repeat(20)}-+-${'-'.repeat(9)}-+`;
  const row = (service: string, host: string, weight: string) =>
    `| ${service.padEnd(25)} | ${host.padStart(20)} | ${weight.padStart(9)} |`;
  const lines = [separator, row('Service', 'Hosts', 'Weights'), separator];
  for (const record of records) {
    record.hosts.forEach((host, i) => {
      lines.push(row(i === 0 ? record.service : '', host, pythonFloat(record.weights[i] ?? 0)));
    });
    lines.push(separator);
  }
  return lines.map((line) => `${line}\n`).join('');
}

/** Python's `str(float)`: shortest round-trip digits, `1.0` for integers, exponent form below 1e-4 and from 1e16. */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  const sign = value < 0 ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const integer = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${integer}.${fraction || '0'}`;
}
