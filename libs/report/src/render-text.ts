import type { ExperimentReport } from './compute-report.js';
import type { Distribution } from './percentiles.js';

const ms = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '-' : `${v.toFixed(1)} ms`;
const num = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
const time = (s: number | null) =>
  s === null ? '-' : new Date(s * 1000).toISOString().replace('.000Z', 'Z');

/** The terminal summary of `galileo report <id>`: plain text, one fact per line, aligned. */
export function renderReportText(report: ExperimentReport): string {
  const { experiment: e, requests: r, latencyMs: l } = report;
  const lines: string[] = [];
  lines.push(`experiment ${e.id}  ${e.name ?? ''}  (${e.status})`);
  lines.push(
    `  window      ${time(report.window.start)} → ${time(report.window.end)}  (${num(report.window.durationS)} s)`,
  );
  lines.push(
    `  requests    ${r.total}  ok ${r.succeeded}  failed ${r.failed}${r.total ? ` (${((100 * r.failed) / r.total).toFixed(2)} %)` : ''}`,
  );
  const statuses = Object.entries(r.byStatus).sort(([a], [b]) => Number(a) - Number(b));
  if (statuses.length > 0) {
    lines.push(
      `  by status   ${statuses.map(([s, n]) => `${s === '-1' ? 'no response' : s}: ${n}`).join('  ')}`,
    );
  }
  lines.push(`  latency     ${latencyLine(l)}   (from the intended send time)`);
  lines.push(
    `  throughput  ${num(report.throughput.requestsPerSecond)} req/s  (ok ${num(report.throughput.succeededPerSecond)} req/s)`,
  );
  if (report.services.length > 1) {
    lines.push('  services');
    for (const s of report.services) {
      lines.push(
        `    ${s.service.padEnd(24)} ${String(s.requests).padStart(8)} req  ${String(s.failed).padStart(6)} failed  p99 ${ms(s.latencyMs?.p99)}`,
      );
    }
  }
  if (report.nodes.length > 0) {
    lines.push('  nodes                         cpu mean   cpu max   mem mean      mem max');
    for (const n of report.nodes) {
      lines.push(
        `    ${n.node.padEnd(24)} ${`${num(n.cpuPercent?.mean)} %`.padStart(10)} ${`${num(n.cpuPercent?.max)} %`.padStart(9)} ${mb(n.memoryKb?.mean).padStart(10)} ${mb(n.memoryKb?.max).padStart(12)}`,
      );
    }
  } else {
    lines.push('  nodes       no telemetry recorded');
  }
  lines.push(`  pressure    ${eventSummary(report.pressure.map((p) => p.name))}`);
  lines.push(`  scaling     ${eventSummary(report.scaling.map((p) => p.name))}`);
  for (const s of report.scaling.slice(0, 10))
    lines.push(`    +${s.t.toFixed(1)} s  ${s.name}  ${short(s.value)}`);
  if (report.scaling.length > 10) lines.push(`    … ${report.scaling.length - 10} more`);
  return `${lines.join('\n')}\n`;
}

/** `galileo report <a> <b>`: the figures of two experiments side by side with the change. */
export function renderComparisonText(a: ExperimentReport, b: ExperimentReport): string {
  const rows: [string, number | null, number | null][] = [
    ['requests', a.requests.total, b.requests.total],
    ['failed', a.requests.failed, b.requests.failed],
    ['throughput req/s', a.throughput.requestsPerSecond, b.throughput.requestsPerSecond],
    ['latency p50 ms', a.latencyMs?.p50 ?? null, b.latencyMs?.p50 ?? null],
    ['latency p90 ms', a.latencyMs?.p90 ?? null, b.latencyMs?.p90 ?? null],
    ['latency p99 ms', a.latencyMs?.p99 ?? null, b.latencyMs?.p99 ?? null],
    ['latency max ms', a.latencyMs?.max ?? null, b.latencyMs?.max ?? null],
    ['pressure events', a.pressure.length, b.pressure.length],
    ['scaling events', a.scaling.length, b.scaling.length],
  ];
  const head = `${''.padEnd(20)} ${a.experiment.id.padStart(20)} ${b.experiment.id.padStart(20)} ${'change'.padStart(10)}`;
  const lines = [head];
  for (const [label, x, y] of rows) {
    const change = x !== null && y !== null && x !== 0 ? `${(((y - x) / x) * 100).toFixed(1)} %` : '-';
    lines.push(
      `${label.padEnd(20)} ${num(x, 2).padStart(20)} ${num(y, 2).padStart(20)} ${change.padStart(10)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function latencyLine(l: Distribution | null): string {
  if (!l) return 'no requests';
  return `p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  max ${ms(l.max)}`;
}

function mb(kb: number | null | undefined): string {
  return kb === null || kb === undefined ? '-' : `${(kb / 1024).toFixed(1)} MB`;
}

function eventSummary(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts.entries()].map(([n, c]) => `${n} ×${c}`).join('  ');
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}…` : text;
}
