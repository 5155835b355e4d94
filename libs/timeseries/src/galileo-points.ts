import { LineBuffer } from './line-buffer.js';
import { fnv1a, formatLine, secondsToNs, secondsToNsText } from './line-protocol.js';

/**
 * galileo's InfluxDB layout (protocols §7.3): measurements `telemetry`, `traces`, `events` with
 * galileo's tag names — except that values of high cardinality are **fields**, not tags.
 *
 * galileo-db stored `ts` (the timestamp as text) as a tag of telemetry and events, and created,
 * sent, done, response and headers as tags of traces: every point became its own series, and
 * InfluxDB's series index grows with every request (the classic cardinality explosion; bodies and
 * headers as tags also hit the 64 KiB key limit). Here they are fields. The tags left are bounded
 * sets: exp_id, node, metric, subsystem; service, client, status, server; name.
 *
 * Idempotency: InfluxDB overwrites a point with the same series key (measurement + tags) and
 * timestamp, so a redelivered message must produce the same key and time, and two different
 * messages must not. Telemetry's natural key (node, metric, subsystem, timestamp) is its series
 * key plus its time. A trace's time is `sent` (galileo's choice; `created` when it was never
 * sent) to the microsecond, and the nanosecond digits are a hash of the request id (0–999), so
 * two traces of one series sent in the same microsecond still differ; events likewise with the
 * event id. Write with precision `ns`.
 */
export interface TelemetryPoint {
  experimentId: string;
  node: string;
  metric: string;
  subsystem: string | null;
  timestamp: number;
  value: number;
}

export interface TracePoint {
  requestId: string;
  client: string;
  service: string;
  created: number;
  sent: number;
  done: number;
  status: number | null;
  server: string | null;
  experimentId: string | null;
  headers: string | null;
  response: string | null;
}

export interface EventPoint {
  experimentId: string;
  timestamp: number;
  name: string;
  value: string | null;
  /** The bus event id; spreads events of one name within one microsecond. */
  eventId: string | null;
}

export function telemetryLine(p: TelemetryPoint): string {
  return formatLine(
    'telemetry',
    { exp_id: p.experimentId, metric: p.metric, node: p.node, subsystem: p.subsystem },
    { value: p.value, ts: p.timestamp },
    secondsToNsText(p.timestamp),
  );
}

/** The time of a trace point (see above). */
export function traceTimestampNs(p: Pick<TracePoint, 'requestId' | 'sent' | 'created'>): bigint {
  const at = p.sent > 0 ? p.sent : p.created;
  return secondsToNs(at) + BigInt(fnv1a(p.requestId) % 1000);
}

/**
 * A trace as one line of text (tests, peers, tools). The recorder writes traces with
 * `appendTraceLine` straight into a request body; this is that function's output as a string.
 */
export function traceLine(p: TracePoint): string {
  const out = new LineBuffer(1024);
  appendTraceLine(out, p);
  return out.bytes().toString('utf8');
}

export function eventLine(p: EventPoint): string {
  return formatLine(
    'events',
    { exp_id: p.experimentId, name: p.name },
    { value: p.value ?? '', ts: p.timestamp },
    secondsToNsText(p.timestamp, p.eventId ? fnv1a(p.eventId) % 1000 : 0),
  );
}

// ---- the same points written into a LineBuffer (one request body per batch, no string per point)

const bufferTag = (out: LineBuffer, prefix: string, value: string | null) => {
  if (value === null || value === '') return;
  out.ascii(prefix);
  out.key(value);
};
const bufferNum = (out: LineBuffer, prefix: string, value: number) => {
  if (!Number.isFinite(value)) return;
  out.ascii(prefix);
  out.number(value);
};

/** Appends `secondsToNsText(seconds, extraNs)` (digits straight into the buffer when they are plain). */
const bufferTimestamp = (out: LineBuffer, seconds: number, extraNs = 0) => {
  const us = Math.round(seconds * 1e6);
  if (us > 0 && us <= Number.MAX_SAFE_INTEGER) {
    out.integer(us);
    out.integer(extraNs, 3);
  } else out.ascii(secondsToNsText(seconds, extraNs));
};

/** Appends the bytes of `traceLine(p)` as one more point. */
export function appendTraceLine(out: LineBuffer, p: TracePoint): void {
  out.beginLine();
  out.ascii('traces');
  bufferTag(out, ',client=', p.client);
  bufferTag(out, ',exp_id=', p.experimentId);
  bufferTag(out, ',server=', p.server);
  bufferTag(out, ',service=', p.service);
  if (p.status !== null) {
    out.ascii(',status=');
    out.number(p.status);
  }
  out.ascii(' request_id=');
  out.quoted(p.requestId);
  bufferNum(out, ',created=', p.created);
  bufferNum(out, ',sent=', p.sent);
  bufferNum(out, ',done=', p.done);
  if (p.sent > 0) bufferNum(out, ',rt=', p.done - p.sent);
  if (p.headers !== null) {
    out.ascii(',headers=');
    out.quoted(p.headers);
  }
  if (p.response !== null) {
    out.ascii(',response=');
    out.quoted(p.response);
  }
  out.ascii(' ');
  bufferTimestamp(out, p.sent > 0 ? p.sent : p.created, fnv1a(p.requestId) % 1000);
}

/**
 * Appends the bytes of `telemetryLine(p)` as one more point; false (and nothing written) when the
 * reading has no finite timestamp (no point time; `telemetryLine` would make a line the store refuses).
 */
export function appendTelemetryLine(out: LineBuffer, p: TelemetryPoint): boolean {
  const value = Number.isFinite(p.value);
  const ts = Number.isFinite(p.timestamp);
  if (!ts) return false;
  out.beginLine();
  out.ascii('telemetry');
  bufferTag(out, ',exp_id=', p.experimentId);
  bufferTag(out, ',metric=', p.metric);
  bufferTag(out, ',node=', p.node);
  bufferTag(out, ',subsystem=', p.subsystem);
  if (value) {
    out.ascii(' value=');
    out.number(p.value);
  }
  if (ts) {
    out.ascii(value ? ',ts=' : ' ts=');
    out.number(p.timestamp);
  }
  out.ascii(' ');
  bufferTimestamp(out, p.timestamp);
  return true;
}

/** Appends `eventLine(p)` (events are few: the string function is good enough). */
export function appendEventLine(out: LineBuffer, p: EventPoint): void {
  const line = eventLine(p);
  out.beginLine();
  out.text(line);
}
