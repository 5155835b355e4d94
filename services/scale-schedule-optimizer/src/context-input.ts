import { labels, podTypes, type GalileoContext } from '@galileo/context';
import type { OsmoticInput, OsmoticPod, TraceGroup } from '@galileo/osmotic';

export interface ContextInputOptions {
  /** Seconds of CPU telemetry averaged per replica (`schedule_scale_opt_lookback`). */
  lookbackSeconds: number;
  /** The trace column of rtt_log: `rtt` (s, ×1000 → ms) or `network_latency` (ms). */
  targetTimeMeasure: 'rtt' | 'network_latency';
}

/**
 * The adapter from libs/context to the plain values libs/osmotic computes over: zones from node
 * labels, one gateway per zone (its api-gateway pod's node), worker nodes with allocatable,
 * function replicas with their mean CPU percentage, and the status-200 traces of the trace
 * window grouped by (function, serving zone, client zone).
 */
export function osmoticInputFromContext(ctx: GalileoContext, options: ContextInputOptions): OsmoticInput {
  const zones = ctx.zones();
  const gateways: OsmoticInput['gateways'][number][] = [];
  for (const zone of zones) {
    const g = ctx.gateway(zone);
    if (g && g.nodeName) gateways.push({ zone, node: g.nodeName });
  }
  const nodes = ctx.nodes().map((n) => ({
    name: n.node,
    zone: n.zone ?? null,
    worker: n.labels[labels.workerRole] === 'true',
    allocatable: n.allocatable,
  }));
  const pods: OsmoticPod[] = [];
  for (const p of ctx.pods()) {
    if (p.function === undefined || p.type === podTypes.apiGateway) continue;
    const first = Object.values(p.containers)[0];
    const share = p.status === 'Running' ? ctx.podCpuShare(p, options.lookbackSeconds) : undefined;
    const cores = ctx.node(p.nodeName)?.cpus ?? 1;
    pods.push({
      name: p.name,
      fn: p.function,
      zone: ctx.zoneOf(p) ?? null,
      node: p.nodeName || null,
      status: p.status,
      image: first?.image ?? '',
      labels: p.labels,
      namespace: p.namespace || 'default',
      resourceRequests: first?.resourceRequests ?? {},
      ...(p.containerId ? { containerId: p.containerId } : {}),
      // percentage (100 = one core) = share of the node × cores × 100 (galileo-context telemetry/util.py)
      cpuMean: share === undefined ? null : share * cores * 100,
    });
  }

  const traces: TraceGroup[] = [];
  const timeLists: number[][] = [];
  for (const zone of zones) {
    const groups = new Map<
      string,
      { fn: string; clientZone: string; clients: Map<string, number>; times: number[] }
    >();
    for (const t of ctx.tracesInZone(zone)) {
      if (t.status !== 200 || t.function === undefined || t.originZone === undefined) continue;
      const time = options.targetTimeMeasure === 'rtt' ? t.rtt * 1000 : t.networkLatencyMs;
      if (time === undefined) continue;
      const key = `${t.function}\u0000${t.originZone}`;
      let g = groups.get(key);
      if (!g)
        groups.set(key, (g = { fn: t.function, clientZone: t.originZone, clients: new Map(), times: [] }));
      g.clients.set(t.client, (g.clients.get(t.client) ?? 0) + 1);
      g.times.push(time);
    }
    for (const g of groups.values()) {
      let client = '';
      let best = -1;
      for (const [c, n] of g.clients) if (n > best) [client, best] = [c, n];
      traces.push({
        fn: g.fn,
        zone,
        clientZone: g.clientZone,
        client,
        count: g.times.length,
        times: g.times,
      });
      timeLists.push(g.times);
    }
  }
  // One column of target times for the round: each group's times are a view of it (a round at
  // scale holds hundreds of thousands of groups; small arrays each cost the GC and the cache).
  let total = 0;
  for (const list of timeLists) total += list.length;
  const column = new Float64Array(total);
  let offset = 0;
  for (const [i, list] of timeLists.entries()) {
    column.set(list, offset);
    traces[i] = { ...traces[i]!, times: column.subarray(offset, offset + list.length) };
    offset += list.length;
  }

  return {
    now: ctx.now(),
    zones,
    gateways,
    nodes,
    pods,
    traces,
    latency: (a, b) => ctx.latency.latency(a, b),
    maxLatency: ctx.latency.maxLatency,
    functions: ctx.functions(),
  };
}
