import type { EventRecord, Experiment, NodeInfoRecord, TelemetryRecord, TraceRecord } from '@galileo/db';
import { summarize, type Distribution } from './percentiles.js';

/**
 * The report of one experiment: pure, values in and values out. The API's
 * `GET /api/experiments/{id}/report` and `galileo report` both call `computeReport` on the rows
 * of the experiment database, so the numbers are the same wherever they are read.
 *
 * Definitions:
 * - a request is one trace row of the experiment; it failed when its status is < 0 or ≥ 300
 *   (galileo's ClientInfo.failed);
 * - latency is `done − created`: from the **intended** send time (the worker stamps `created` with
 *   the time the arrival process scheduled, so a late send counts against the system, not for it)
 *   to the end of the response, over every request;
 * - throughput is requests ÷ the experiment's length (end − start; the traces' span when unknown);
 * - CPU is telemd's `cpu` metric (percent), memory its `ram` metric (kB used).
 */
export interface ExperimentData {
  experiment: Experiment;
  traces: readonly TraceRecord[];
  telemetry: readonly TelemetryRecord[];
  events: readonly EventRecord[];
  nodeinfo?: readonly NodeInfoRecord[];
}

export interface NodeUsage {
  node: string;
  cpuPercent: Distribution | null;
  memoryKb: Distribution | null;
  /** From node info: cores and RAM (kB) when telemd recorded them. */
  cpus: number | null;
  ramKb: number | null;
}

export interface ReportEvent {
  timestamp: number;
  /** Seconds since the start of the report window. */
  t: number;
  name: string;
  value: unknown;
}

export interface Timeline {
  /** Bucket width in seconds. */
  bucketS: number;
  /** Start of every bucket, seconds since the window start. */
  t: number[];
  requests: number[];
  /** Requests per second in the bucket. */
  rate: number[];
  errors: number[];
  /** Latency percentiles per bucket (ms); null in an empty bucket. */
  p50: (number | null)[];
  p90: (number | null)[];
  p99: (number | null)[];
}

export type SeriesPoint = [t: number, value: number];

export interface ExperimentReport {
  experiment: Experiment;
  window: { start: number | null; end: number | null; durationS: number | null };
  requests: {
    total: number;
    succeeded: number;
    failed: number;
    /** Count per status code as text (`"200"`, `"-1"` for requests that got no response). */
    byStatus: Record<string, number>;
  };
  latencyMs: Distribution | null;
  throughput: { requestsPerSecond: number | null; succeededPerSecond: number | null };
  services: { service: string; requests: number; failed: number; latencyMs: Distribution | null }[];
  nodes: NodeUsage[];
  /** `pressure_*` and `api_pressure` events. */
  pressure: ReportEvent[];
  /** `scale_schedule` and `pod/*` events. */
  scaling: ReportEvent[];
  /** Every event name with its count. */
  eventCounts: Record<string, number>;
  timeline: Timeline;
  /** CPU percent per node over time (bucket means). */
  cpuTimeline: Record<string, SeriesPoint[]>;
  /** Replicas per zone after every scaling event (a step series). */
  replicasTimeline: Record<string, SeriesPoint[]>;
  /** Every event, for markers on the charts. */
  markers: ReportEvent[];
}

const MAX_BUCKETS = 300;

export function isFailedStatus(status: number | null): boolean {
  return status === null || status < 0 || status >= 300;
}

export function computeReport(data: ExperimentData): ExperimentReport {
  const { experiment, traces, telemetry, events } = data;

  let firstCreated = Infinity;
  let lastDone = -Infinity;
  for (const t of traces) {
    if (t.created < firstCreated) firstCreated = t.created;
    if (t.done > lastDone) lastDone = t.done;
  }
  const start = experiment.start ?? (traces.length > 0 ? firstCreated : null);
  const end = experiment.end ?? (traces.length > 0 ? lastDone : null);
  const durationS = start !== null && end !== null && end > start ? end - start : null;
  const origin = start ?? firstCreated;

  const byStatus: Record<string, number> = {};
  const latencies = new Float64Array(traces.length);
  let failed = 0;
  const perService = new Map<string, { requests: number; failed: number; latencies: number[] }>();
  traces.forEach((t, i) => {
    const key = String(t.status ?? -1);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    const bad = isFailedStatus(t.status);
    if (bad) failed++;
    const latency = (t.done - t.created) * 1000;
    latencies[i] = latency;
    let s = perService.get(t.service);
    if (!s) perService.set(t.service, (s = { requests: 0, failed: 0, latencies: [] }));
    s.requests++;
    if (bad) s.failed++;
    s.latencies.push(latency);
  });
  const total = traces.length;
  const succeeded = total - failed;

  const span = durationS ?? (traces.length > 0 ? Math.max(lastDone - firstCreated, 1e-9) : 0);
  const bucketS = Math.max(1, Math.ceil(span / MAX_BUCKETS));
  const bucketCount = traces.length > 0 || durationS !== null ? Math.max(1, Math.ceil(span / bucketS)) : 0;
  const timeline = buildTimeline(traces, origin, bucketS, bucketCount);

  const reportEvents: ReportEvent[] = events.map((e) => ({
    timestamp: e.timestamp,
    t: Number.isFinite(origin) ? e.timestamp - origin : 0,
    name: e.name,
    value: parseEventValue(e.value),
  }));
  const eventCounts: Record<string, number> = {};
  for (const e of reportEvents) eventCounts[e.name] = (eventCounts[e.name] ?? 0) + 1;

  return {
    experiment,
    window: { start, end, durationS },
    requests: { total, succeeded, failed, byStatus },
    latencyMs: summarize(latencies),
    throughput: {
      requestsPerSecond: durationS ? total / durationS : null,
      succeededPerSecond: durationS ? succeeded / durationS : null,
    },
    services: [...perService.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([service, s]) => ({
        service,
        requests: s.requests,
        failed: s.failed,
        latencyMs: summarize(s.latencies),
      })),
    nodes: nodeUsage(telemetry, data.nodeinfo ?? []),
    pressure: reportEvents.filter((e) => isPressureEvent(e.name)),
    scaling: reportEvents.filter((e) => isScalingEvent(e.name)),
    eventCounts,
    timeline,
    cpuTimeline: cpuTimeline(telemetry, origin, bucketS),
    replicasTimeline: replicasTimeline(reportEvents),
    markers: reportEvents,
  };
}

export function isPressureEvent(name: string): boolean {
  return name.startsWith('pressure') || name === 'api_pressure' || name.endsWith('_pressure');
}

export function isScalingEvent(name: string): boolean {
  return name === 'scale_schedule' || name.startsWith('pod/') || name.startsWith('pod_');
}

function parseEventValue(value: string | null): unknown {
  if (value === null) return null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function buildTimeline(
  traces: readonly TraceRecord[],
  origin: number,
  bucketS: number,
  count: number,
): Timeline {
  const buckets = Array.from({ length: count }, () => ({ latencies: [] as number[], errors: 0 }));
  for (const t of traces) {
    const i = Math.min(count - 1, Math.max(0, Math.floor((t.created - origin) / bucketS)));
    const b = buckets[i];
    if (!b) continue;
    b.latencies.push((t.done - t.created) * 1000);
    if (isFailedStatus(t.status)) b.errors++;
  }
  const timeline: Timeline = {
    bucketS,
    t: [],
    requests: [],
    rate: [],
    errors: [],
    p50: [],
    p90: [],
    p99: [],
  };
  buckets.forEach((b, i) => {
    const s = summarize(b.latencies);
    timeline.t.push(i * bucketS);
    timeline.requests.push(b.latencies.length);
    timeline.rate.push(b.latencies.length / bucketS);
    timeline.errors.push(b.errors);
    timeline.p50.push(s?.p50 ?? null);
    timeline.p90.push(s?.p90 ?? null);
    timeline.p99.push(s?.p99 ?? null);
  });
  return timeline;
}

function nodeUsage(telemetry: readonly TelemetryRecord[], nodeinfo: readonly NodeInfoRecord[]): NodeUsage[] {
  const cpu = new Map<string, number[]>();
  const ram = new Map<string, number[]>();
  for (const p of telemetry) {
    if (p.subsystem !== null && p.subsystem !== '') continue;
    const target = p.metric === 'cpu' ? cpu : p.metric === 'ram' ? ram : null;
    if (!target) continue;
    let values = target.get(p.node);
    if (!values) target.set(p.node, (values = []));
    values.push(p.value);
  }
  const info = new Map(nodeinfo.map((n) => [n.node, n.info]));
  const nodes = [...new Set([...cpu.keys(), ...ram.keys()])].sort();
  const num = (v: string | undefined) =>
    v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : null;
  return nodes.map((node) => ({
    node,
    cpuPercent: summarize(cpu.get(node) ?? []),
    memoryKb: summarize(ram.get(node) ?? []),
    cpus: num(info.get(node)?.cpus),
    ramKb: num(info.get(node)?.ram),
  }));
}

function cpuTimeline(
  telemetry: readonly TelemetryRecord[],
  origin: number,
  bucketS: number,
): Record<string, SeriesPoint[]> {
  const sums = new Map<string, Map<number, { sum: number; n: number }>>();
  for (const p of telemetry) {
    if (p.metric !== 'cpu' || (p.subsystem !== null && p.subsystem !== '')) continue;
    const bucket = Math.floor((p.timestamp - origin) / bucketS);
    let node = sums.get(p.node);
    if (!node) sums.set(p.node, (node = new Map()));
    const b = node.get(bucket) ?? { sum: 0, n: 0 };
    b.sum += p.value;
    b.n++;
    node.set(bucket, b);
  }
  const out: Record<string, SeriesPoint[]> = {};
  for (const [node, buckets] of [...sums.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out[node] = [...buckets.entries()].sort(([a], [b]) => a - b).map(([k, b]) => [k * bucketS, b.sum / b.n]);
  }
  return out;
}

const ZONE_LABEL = 'ether.edgerun.io/zone';

/**
 * Replicas per zone, folded from the pod events (`pod/running` adds, `pod/delete`/`pod/shutdown`
 * remove; osmotic-optimizers.md "Pods") and `scale_schedule` (adds, or removes with `delete: true`).
 */
function replicasTimeline(events: readonly ReportEvent[]): Record<string, SeriesPoint[]> {
  const pods = new Map<string, Set<string>>();
  const out: Record<string, SeriesPoint[]> = {};
  const record = (zone: string, t: number) => {
    (out[zone] ??= []).push([t, pods.get(zone)?.size ?? 0]);
  };
  for (const e of events) {
    if (!isScalingEvent(e.name) || e.value === null || typeof e.value !== 'object') continue;
    const v = e.value as Record<string, unknown>;
    const pod = (typeof v.pod === 'object' && v.pod !== null ? v.pod : v) as Record<string, unknown>;
    const labels = (typeof pod.labels === 'object' && pod.labels !== null ? pod.labels : {}) as Record<
      string,
      unknown
    >;
    const zone =
      stringOf(labels[ZONE_LABEL]) ?? stringOf(v.dest_zone) ?? stringOf(v.zone) ?? stringOf(pod.zone);
    const name = stringOf(pod.pod_name) ?? stringOf(pod.name) ?? stringOf(v.pod_name) ?? stringOf(v.name);
    if (!zone || !name) continue;
    let adds: boolean | null = null;
    if (e.name === 'scale_schedule') adds = v.delete !== true;
    else if (e.name === 'pod/running' || e.name === 'pod/create') adds = true;
    else if (e.name === 'pod/delete' || e.name === 'pod/shutdown') adds = false;
    if (adds === null) continue;
    let set = pods.get(zone);
    if (!set) pods.set(zone, (set = new Set()));
    if (adds) set.add(name);
    else set.delete(name);
    record(zone, e.t);
  }
  return out;
}

const stringOf = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
