import type { EventRecord, TelemetryRecord, TraceRecord } from '@galileo/db';

/**
 * The export formats of `galileo export`: CSV with a header row (RFC 4180 quoting, empty field =
 * null) and JSON lines, with galileo-db's column names in lower case and its column order, so
 * `pandas.read_csv(path)` / `pandas.read_json(path, lines=True)` read them as they are.
 */
export const TRACE_COLUMNS = [
  'request_id',
  'client',
  'service',
  'created',
  'sent',
  'done',
  'status',
  'server',
  'exp_id',
  'headers',
  'response',
] as const;
export const TELEMETRY_COLUMNS = ['exp_id', 'timestamp', 'metric', 'subsystem', 'node', 'value'] as const;
export const EVENT_COLUMNS = ['exp_id', 'timestamp', 'name', 'value'] as const;

type Row = Record<string, string | number | null>;

export const traceRow = (t: TraceRecord): Row => ({
  request_id: t.requestId,
  client: t.client,
  service: t.service,
  created: t.created,
  sent: t.sent,
  done: t.done,
  status: t.status,
  server: t.server,
  exp_id: t.experimentId,
  headers: t.headers,
  response: t.response,
});

export const telemetryRow = (t: TelemetryRecord): Row => ({
  exp_id: t.experimentId,
  timestamp: t.timestamp,
  metric: t.metric,
  subsystem: t.subsystem,
  node: t.node,
  value: t.value,
});

export const eventRow = (e: EventRecord): Row => ({
  exp_id: e.experimentId,
  timestamp: e.timestamp,
  name: e.name,
  value: e.value,
});

export function csvField(value: string | number | null): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvHeader(columns: readonly string[]): string {
  return `${columns.join(',')}\n`;
}

export function csvLine(columns: readonly string[], row: Row): string {
  return `${columns.map((c) => csvField(row[c] ?? null)).join(',')}\n`;
}

export function jsonLine(columns: readonly string[], row: Row): string {
  return `${JSON.stringify(Object.fromEntries(columns.map((c) => [c, row[c] ?? null])))}\n`;
}
