import type { RequestTrace, TelemetryReading } from '@galileo/events';
import { createLatencyGraph, type LatencyGraph } from './latency-graph.js';
import { labels, podTypes, type PodStatus } from './labels.js';
import type { NodeInfo } from './node-info.js';
import { parsePod, withStatus, type PodInfo } from './pods.js';
import { WindowMap, type Point } from './sliding-window.js';
import {
  finalHost,
  forwardingHeaders,
  headerSeconds,
  hostOf,
  parseTraceHeaders,
  requestHops,
} from './trace-headers.js';

/** Node metrics galileo-context keeps (reference §3). */
export const NODE_METRICS = ['cpu', 'ram', 'load'] as const;
/** Per-container metrics (`telem/<node>/<metric>/<containerId>`) galileo-context keeps. */
export const CONTAINER_METRICS = [
  'kubernetes_cgrp_cpu',
  'kubernetes_cgrp_mem',
  'kubernetes_cgrp_blkio',
] as const;

/** One successful request as the context keeps it: per serving node, in the trace window. */
export interface ContextTrace {
  /** `done` (epoch s). */
  readonly ts: number;
  readonly sent: number;
  readonly done: number;
  /** done − sent, seconds. */
  readonly rtt: number;
  /** ((X-Start − sent) + (done − X-End)) · 1000 ms; undefined without X-Start/X-End. */
  readonly networkLatencyMs?: number;
  readonly function?: string;
  readonly service: string;
  readonly image?: string;
  readonly containerId?: string;
  readonly pod: string;
  readonly node: string;
  readonly client: string;
  readonly clientNode?: string;
  readonly originZone?: string;
  readonly destZone?: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface PodFilter {
  function?: string;
  zone?: string;
  type?: string;
  /** Default: any status. */
  status?: PodStatus;
  node?: string;
}

export interface ContextOptions {
  /** `galileo_context_telemetry_window_size` (s, default 60). */
  telemetryWindowSeconds?: number;
  /** `galileo_context_trace_window_size` (s, default 60). */
  traceWindowSeconds?: number;
  /** Epoch seconds; defaults to the wall clock. Tests and benchmarks pass their own. */
  clock?: () => number;
  latencyGraph?: LatencyGraph;
  /** Zones used when no node carries a zone label (proposal §9.3: fall back to a configured list). */
  fallbackZones?: readonly string[];
  /** Update the latency graph from the forwarding headers of each recorded trace (default true). */
  updateLatencyFromTraces?: boolean;
}

export interface ContextStats {
  readonly nodes: number;
  readonly pods: number;
  readonly telemetryRecorded: number;
  readonly tracesRecorded: number;
  /** Traces not kept: failed, or no pod matched their X-Final-Host. */
  readonly tracesSkipped: number;
  readonly podEvents: number;
}

/**
 * The runtime context the optimizers read (galileo-context, reference §3): windows of telemetry
 * and traces, node infos, pods, zones, functions and the latency graph. A pure in-memory model:
 * writes are plain method calls (the bus feed in `bus-feed.ts` is one caller, a test or benchmark
 * building a synthetic cluster another), reads never do I/O.
 */
export interface GalileoContext {
  /** The context's clock (epoch seconds). */
  now(): number;
  readonly telemetryWindowSeconds: number;
  readonly traceWindowSeconds: number;
  readonly latency: LatencyGraph;

  recordTelemetry(reading: TelemetryReading): void;
  /** Stores a trace under its serving node; returns what was stored, or undefined when skipped. */
  recordTrace(trace: RequestTrace): ContextTrace | undefined;
  /** A `galileo/events` event: `pod/<create|pending|running|shutdown|delete>`, `scale_schedule` with `delete`. */
  applyGalileoEvent(name: string, value: unknown): void;
  setNodeInfo(info: NodeInfo): void;
  /** Replaces every node info (a fresh read of `telemd.info:*`). */
  replaceNodeInfos(infos: readonly NodeInfo[]): void;
  upsertPod(pod: PodInfo): void;
  /** Replaces every pod (a listing from the orchestrator). */
  replacePods(pods: readonly PodInfo[]): void;

  nodeTelemetry(node: string, metric: string): Point[];
  containerTelemetry(containerId: string, metric: string): Point[];
  /** Mean share of the node's CPU (0..1) used by a container over the last `lookback` s (reference §3 `percentage_relative`). */
  containerCpuShare(containerId: string, lookbackSeconds: number, cores: number): number | undefined;
  /** Mean node CPU utilisation (telemd `cpu`, percent) over the lookback, as 0..1. */
  nodeCpuShare(node: string, lookbackSeconds: number): number | undefined;
  /** A pod's CPU share: its container's telemetry, else its node's `cpu` reading; undefined without either. */
  podCpuShare(pod: PodInfo, lookbackSeconds: number): number | undefined;

  traces(node: string): ContextTrace[];
  /** Traces served by nodes of a zone (galileo-context `get_traces_api_gateway`). */
  tracesInZone(zone: string): ContextTrace[];
  tracesForFunction(fn: string, options?: { since?: number; until?: number; zone?: string }): ContextTrace[];

  nodes(): NodeInfo[];
  node(name: string): NodeInfo | undefined;
  /** Zones of the node labels (sorted), else the pods' zone labels, else the fallback list. */
  zones(): string[];
  nodesInZone(zone: string): NodeInfo[];
  /** A pod's zone: its node's zone label, else its own zone label. */
  zoneOf(pod: PodInfo): string | undefined;

  pods(filter?: PodFilter): PodInfo[];
  pod(name: string): PodInfo | undefined;
  /** The pod at `ip:port` (or the only pod with that IP). */
  podAt(hostPort: string): PodInfo | undefined;
  /** Running function replicas (`type` not api-gateway) of a function, optionally in one zone. */
  replicas(fn: string, zone?: string): PodInfo[];
  /** The running api-gateway pod of a zone. */
  gateway(zone: string): PodInfo | undefined;
  /** Function names of the pod labels (sorted). */
  functions(): string[];
  stats(): ContextStats;
}

const SEP = '\u0000';
const KEEP_NODE = new Set<string>(NODE_METRICS);
const KEEP_CONTAINER = new Set<string>(CONTAINER_METRICS);

export function createGalileoContext(options: ContextOptions = {}): GalileoContext {
  const telemetryWindowSeconds = options.telemetryWindowSeconds ?? 60;
  const traceWindowSeconds = options.traceWindowSeconds ?? 60;
  const clock = options.clock ?? (() => Date.now() / 1000);
  const latency = options.latencyGraph ?? createLatencyGraph();
  const updateLatency = options.updateLatencyFromTraces ?? true;
  const fallbackZones = [...(options.fallbackZones ?? [])];

  const nodeTelem = new WindowMap<number>(telemetryWindowSeconds);
  const containerTelem = new WindowMap<number>(telemetryWindowSeconds);
  const traceWindows = new WindowMap<ContextTrace>(traceWindowSeconds);
  const nodeInfos = new Map<string, NodeInfo>();
  const podsByName = new Map<string, PodInfo>();
  const counters = { telemetryRecorded: 0, tracesRecorded: 0, tracesSkipped: 0, podEvents: 0 };

  // Indexes rebuilt lazily after a pod or node change (reads vastly outnumber changes).
  let indexVersion = 0;
  let builtVersion = -1;
  let byAddress = new Map<string, PodInfo>();
  let byIp = new Map<string, PodInfo[]>();
  let replicasByFn = new Map<string, PodInfo[]>();
  let gateways = new Map<string, PodInfo>();
  let zoneList: string[] = [];
  let fnList: string[] = [];
  const changed = () => void indexVersion++;

  const zoneOf = (pod: PodInfo): string | undefined => nodeInfos.get(pod.nodeName)?.zone ?? pod.zoneLabel;

  const index = () => {
    if (builtVersion === indexVersion) return;
    byAddress = new Map();
    byIp = new Map();
    replicasByFn = new Map();
    gateways = new Map();
    const fns = new Set<string>();
    const zones = new Set<string>();
    for (const n of nodeInfos.values()) if (n.zone) zones.add(n.zone);
    const podZones = new Set<string>();
    for (const pod of podsByName.values()) {
      if (pod.function) fns.add(pod.function);
      const zone = zoneOf(pod);
      if (zone) podZones.add(zone);
      if (pod.status !== 'Running') continue;
      if (pod.podIP) {
        byAddress.set(pod.url, pod);
        const same = byIp.get(pod.podIP);
        if (same) same.push(pod);
        else byIp.set(pod.podIP, [pod]);
      }
      if (pod.type === podTypes.apiGateway) {
        if (zone && !gateways.has(zone)) gateways.set(zone, pod);
      } else if (pod.function) {
        const list = replicasByFn.get(pod.function);
        if (list) list.push(pod);
        else replicasByFn.set(pod.function, [pod]);
      }
    }
    // Pods that are not Running still resolve traces that arrive after their shutdown.
    for (const pod of podsByName.values()) {
      if (pod.status === 'Running' || !pod.podIP) continue;
      if (!byAddress.has(pod.url)) byAddress.set(pod.url, pod);
      if (!byIp.has(pod.podIP)) byIp.set(pod.podIP, [pod]);
    }
    const nameOrder = (a: PodInfo, b: PodInfo) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const list of replicasByFn.values()) list.sort(nameOrder);
    zoneList = [...(zones.size > 0 ? zones : podZones.size > 0 ? podZones : fallbackZones)].sort();
    fnList = [...fns].sort();
    builtVersion = indexVersion;
  };

  const podAt = (hostPort: string): PodInfo | undefined => {
    index();
    const exact = byAddress.get(hostPort);
    if (exact) return exact;
    const same = byIp.get(hostOf(hostPort));
    return same && same.length === 1 ? same[0] : undefined;
  };

  const clientNodeOf = (client: string): string | undefined => {
    // Our workers name clients `<worker>:<service>:<n>` and the worker is named after its node.
    const first = client.split(':')[0] ?? '';
    if (nodeInfos.has(first)) return first;
    // galileo-context: a pod on a client-role node whose name occurs in the client id.
    for (const pod of podsByName.values()) {
      if (pod.name !== '' && client.includes(pod.name)) {
        const node = nodeInfos.get(pod.nodeName);
        if (node?.labels[labels.clientRole] === 'true') return pod.nodeName;
      }
    }
    return undefined;
  };

  const upsertPod = (pod: PodInfo) => {
    podsByName.set(pod.name, pod);
    changed();
  };

  const setStatus = (name: string, status: PodStatus) => {
    const pod = podsByName.get(name);
    if (pod && pod.status !== status) upsertPod(withStatus(pod, status));
  };

  const meanCpuShare = (points: readonly Point[], cores: number): number | undefined => {
    let sum = 0;
    let count = 0;
    for (let i = 1; i < points.length; i++) {
      const dt = points[i]!.ts - points[i - 1]!.ts;
      if (dt <= 0) continue;
      const milliCores = (points[i]!.value - points[i - 1]!.value) / 1e6 / dt;
      if (milliCores < 0) continue; // counter reset (container restarted)
      sum += milliCores / (10 * cores * 100);
      count++;
    }
    return count === 0 ? undefined : sum / count;
  };

  const context: GalileoContext = {
    now: clock,
    telemetryWindowSeconds,
    traceWindowSeconds,
    latency,

    recordTelemetry(reading) {
      const now = clock();
      if (reading.subsystem === null) {
        if (!KEEP_NODE.has(reading.metric)) return;
        nodeTelem.append(reading.node + SEP + reading.metric, reading.timestamp, reading.value, now);
      } else {
        if (!KEEP_CONTAINER.has(reading.metric)) return;
        containerTelem.append(
          reading.subsystem + SEP + reading.metric,
          reading.timestamp,
          reading.value,
          now,
        );
      }
      counters.telemetryRecorded++;
    },

    recordTrace(trace) {
      if (trace.status < 0) {
        counters.tracesSkipped++;
        return undefined;
      }
      const headers = parseTraceHeaders(trace.headers);
      const served = finalHost(headers);
      const pod = served === undefined ? undefined : podAt(served);
      if (!pod) {
        counters.tracesSkipped++;
        return undefined;
      }
      const clientNode = clientNodeOf(trace.client);
      const start = headerSeconds(headers, forwardingHeaders.start);
      const end = headerSeconds(headers, forwardingHeaders.end);
      const originZone =
        /zone-./.exec(trace.client)?.[0] ?? (clientNode ? nodeInfos.get(clientNode)?.zone : undefined);
      const destZone = zoneOf(pod);
      const first = Object.values(pod.containers)[0];
      const stored: ContextTrace = {
        ts: trace.done,
        sent: trace.sent,
        done: trace.done,
        rtt: trace.done - trace.sent,
        ...(start !== undefined &&
          end !== undefined && { networkLatencyMs: (start - trace.sent + (trace.done - end)) * 1000 }),
        ...(pod.function !== undefined && { function: pod.function }),
        service: trace.service,
        ...(first?.image && { image: first.image }),
        ...(pod.containerId && { containerId: pod.containerId }),
        pod: pod.name,
        node: pod.nodeName,
        client: trace.client,
        ...(clientNode !== undefined && { clientNode }),
        ...(originZone !== undefined && { originZone }),
        ...(destZone !== undefined && { destZone }),
        status: trace.status,
        headers,
      };
      traceWindows.append(pod.nodeName, trace.sent, stored, clock());
      counters.tracesRecorded++;
      if (updateLatency) {
        for (const hop of requestHops(clientNode, trace.sent, headers, pod.nodeName)) {
          latency.update(hop.from, hop.to, hop.ms);
        }
      }
      return stored;
    },

    applyGalileoEvent(name, value) {
      if (name.startsWith('pod/')) {
        counters.podEvents++;
        const event = name.slice(4);
        const parsed = parsePod(value);
        if (!parsed.ok) return;
        const pod = parsed.value;
        if (event === 'shutdown' || event === 'delete') {
          const existing = podsByName.get(pod.name);
          upsertPod(withStatus(existing ?? pod, 'Not Running'));
        } else if (event === 'create' || event === 'pending' || event === 'running') {
          const existing = podsByName.get(pod.name);
          // galileo-context updates a stored pod only while it is Pending/Running: a late
          // `running` does not revive a pod that was shut down.
          if (
            !existing ||
            existing.status === 'Pending' ||
            existing.status === 'Running' ||
            existing.status === 'Unknown'
          ) {
            upsertPod(event === 'running' && pod.status !== 'Running' ? withStatus(pod, 'Running') : pod);
          }
        }
      } else if (name === 'scale_schedule' && value && typeof value === 'object') {
        const v = value as Record<string, unknown>;
        if (v.delete === true) {
          const nested = v.pod && typeof v.pod === 'object' ? (v.pod as Record<string, unknown>) : {};
          const podName = [v.pod_name, nested.pod_name, nested.name, v.podName].find(
            (x) => typeof x === 'string',
          );
          if (typeof podName === 'string') setStatus(podName, 'Not Running');
        }
      }
    },

    setNodeInfo(info) {
      nodeInfos.set(info.node, info);
      changed();
    },
    replaceNodeInfos(infos) {
      nodeInfos.clear();
      for (const info of infos) nodeInfos.set(info.node, info);
      changed();
    },
    upsertPod,
    replacePods(pods) {
      podsByName.clear();
      for (const pod of pods) podsByName.set(pod.name, pod);
      changed();
    },

    nodeTelemetry: (node, metric) => nodeTelem.read(node + SEP + metric, clock()),
    containerTelemetry: (containerId, metric) => containerTelem.read(containerId + SEP + metric, clock()),
    containerCpuShare(containerId, lookbackSeconds, cores) {
      const now = clock();
      const points = containerTelem.since(
        containerId + SEP + 'kubernetes_cgrp_cpu',
        now - lookbackSeconds,
        now,
      );
      return meanCpuShare(points, cores > 0 ? cores : 1);
    },
    nodeCpuShare(node, lookbackSeconds) {
      const now = clock();
      const points = nodeTelem.since(node + SEP + 'cpu', now - lookbackSeconds, now);
      if (points.length === 0) return undefined;
      let sum = 0;
      for (const p of points) sum += p.value;
      return Math.min(1, Math.max(0, sum / points.length / 100));
    },
    podCpuShare(pod, lookbackSeconds) {
      if (pod.containerId) {
        const cores = nodeInfos.get(pod.nodeName)?.cpus ?? 1;
        const share = context.containerCpuShare(pod.containerId, lookbackSeconds, cores);
        if (share !== undefined) return share;
      }
      return context.nodeCpuShare(pod.nodeName, lookbackSeconds);
    },

    traces: (node) => traceWindows.read(node, clock()).map((p) => p.value),
    tracesInZone(zone) {
      const out: ContextTrace[] = [];
      for (const node of context.nodesInZone(zone)) out.push(...context.traces(node.node));
      return out;
    },
    tracesForFunction(fn, filter = {}) {
      const out: ContextTrace[] = [];
      const now = clock();
      for (const node of traceWindows.keys()) {
        for (const { value } of traceWindows.read(node, now)) {
          if (value.function !== fn) continue;
          if (filter.since !== undefined && value.ts < filter.since) continue;
          if (filter.until !== undefined && value.ts > filter.until) continue;
          if (filter.zone !== undefined && value.destZone !== filter.zone) continue;
          out.push(value);
        }
      }
      return out.sort((a, b) => a.ts - b.ts);
    },

    nodes: () => [...nodeInfos.values()],
    node: (name) => nodeInfos.get(name),
    zones() {
      index();
      return [...zoneList];
    },
    nodesInZone: (zone) => [...nodeInfos.values()].filter((n) => n.zone === zone),
    zoneOf,

    pods(filter = {}) {
      const out: PodInfo[] = [];
      for (const pod of podsByName.values()) {
        if (filter.function !== undefined && pod.function !== filter.function) continue;
        if (filter.type !== undefined && pod.type !== filter.type) continue;
        if (filter.status !== undefined && pod.status !== filter.status) continue;
        if (filter.node !== undefined && pod.nodeName !== filter.node) continue;
        if (filter.zone !== undefined && zoneOf(pod) !== filter.zone) continue;
        out.push(pod);
      }
      return out;
    },
    pod: (name) => podsByName.get(name),
    podAt,
    replicas(fn, zone) {
      index();
      const all = replicasByFn.get(fn) ?? [];
      return zone === undefined ? [...all] : all.filter((p) => zoneOf(p) === zone);
    },
    gateway(zone) {
      index();
      return gateways.get(zone);
    },
    functions() {
      index();
      return [...fnList];
    },
    stats: () => ({ nodes: nodeInfos.size, pods: podsByName.size, ...counters }),
  };
  return context;
}
