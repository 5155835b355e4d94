import { createSeededRandom } from '@galileo/workload';
import { createGalileoContext, type ContextOptions, type GalileoContext } from './galileo-context.js';
import { createLatencyGraph } from './latency-graph.js';
import { labels, podTypes, type PodStatus } from './labels.js';
import type { NodeInfo } from './node-info.js';
import { parsePod, type PodInfo } from './pods.js';

/** The adapter's pod JSON (what `pod/<event>` carries) for a test or a synthetic cluster. */
export function podJson(options: {
  name: string;
  node: string;
  ip: string;
  port?: number;
  fn?: string;
  type?: string;
  zone?: string;
  status?: PodStatus;
  containerId?: string;
  image?: string;
  cpuRequest?: string;
  memoryRequest?: string;
  extraLabels?: Record<string, string>;
}): Record<string, unknown> {
  const podLabels: Record<string, string> = { ...options.extraLabels };
  if (options.fn !== undefined) podLabels[labels.function] = options.fn;
  if (options.type !== undefined) podLabels[labels.type] = options.type;
  if (options.zone !== undefined) podLabels[labels.zone] = options.zone;
  const requests: Record<string, string> = {};
  if (options.cpuRequest) requests.cpu = JSON.stringify(options.cpuRequest);
  if (options.memoryRequest) requests.memory = JSON.stringify(options.memoryRequest);
  return {
    podUid: `uid-${options.name}`,
    name: options.name,
    namespace: 'default',
    qosClass: 'Burstable',
    labels: podLabels,
    status: options.status ?? 'Running',
    startTime: '2026-01-01T00:00:00Z',
    podIP: options.ip,
    nodeName: options.node,
    hostIP: options.ip,
    containers: {
      main: {
        id: `containerd://${options.containerId ?? `c-${options.name}`}`,
        name: 'main',
        image: options.image ?? `${options.fn ?? 'app'}:latest`,
        port: options.port ?? 8080,
        resource_requests: requests,
        resource_limits: {},
      },
    },
  };
}

export function podInfo(options: Parameters<typeof podJson>[0]): PodInfo {
  const parsed = parsePod(podJson(options));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

export function nodeInfo(
  node: string,
  options: {
    zone?: string;
    cpus?: number;
    role?: 'worker' | 'client';
    extraLabels?: Record<string, string>;
  } = {},
): NodeInfo {
  const nodeLabels: Record<string, string> = { [labels.hostname]: node, ...options.extraLabels };
  if (options.zone !== undefined) nodeLabels[labels.zone] = options.zone;
  if (options.role === 'client') nodeLabels[labels.clientRole] = 'true';
  else nodeLabels[labels.workerRole] = 'true';
  return {
    node,
    arch: 'x86_64',
    cpus: options.cpus ?? 4,
    ram: 8_000_000,
    disk: [],
    net: [],
    labels: nodeLabels,
    allocatable: { cpu: `${(options.cpus ?? 4) * 1000}m`, memory: '8Gi' },
    ...(options.zone !== undefined && { zone: options.zone }),
  };
}

export interface SyntheticClusterOptions {
  nodes: number;
  functions: number;
  zones: number;
  /** Replicas of each function in each zone (default 2). */
  replicasPerZone?: number;
  /** Seed of the deterministic pseudo-random CPU readings and latencies (default 1). */
  seed?: number;
  /** Node CPU samples per node written into the window (default 5, 1 s apart). */
  samples?: number;
  context?: ContextOptions;
}

/**
 * A deterministic synthetic cluster for benchmarks and tests: nodes spread evenly over zones
 * `zone-0…`, one api-gateway per zone, `replicasPerZone` replicas of every function in every zone,
 * node CPU readings and a full latency graph between each zone's nodes and its gateway, and
 * between gateways.
 */
export function createSyntheticContext(options: SyntheticClusterOptions): GalileoContext {
  const seeded = createSeededRandom(options.seed ?? 1);
  const random = () => seeded.next();
  const now = 1_700_000_000;
  const graph = createLatencyGraph();
  const ctx = createGalileoContext({ clock: () => now, latencyGraph: graph, ...options.context });
  const zones = Array.from({ length: options.zones }, (_, i) => `zone-${i}`);
  const nodesByZone = new Map<string, string[]>(zones.map((z) => [z, []]));
  for (let i = 0; i < options.nodes; i++) {
    const zone = zones[i % zones.length]!;
    const node = `node-${i}`;
    nodesByZone.get(zone)!.push(node);
    ctx.setNodeInfo(nodeInfo(node, { zone, cpus: 4 }));
    const load = random() * 100;
    for (let s = (options.samples ?? 5) - 1; s >= 0; s--) {
      ctx.recordTelemetry({ node, metric: 'cpu', subsystem: null, timestamp: now - s, value: load });
    }
  }
  const pods: PodInfo[] = [];
  let ip = 0;
  const nextIp = () => {
    ip++;
    return `10.42.${(ip >> 8) & 255}.${ip & 255}`;
  };
  const gatewayNode = new Map<string, string>();
  for (const zone of zones) {
    const node = nodesByZone.get(zone)![0]!;
    gatewayNode.set(zone, node);
    pods.push(
      podInfo({
        name: `gateway-${zone}`,
        node,
        ip: `10.0.0.${zones.indexOf(zone) + 1}`,
        type: podTypes.apiGateway,
        zone,
      }),
    );
    for (const other of nodesByZone.get(zone)!) {
      if (other !== node) graph.update(node, other, 1 + random() * 60);
    }
  }
  for (let a = 0; a < zones.length; a++)
    for (let b = a + 1; b < zones.length; b++) {
      graph.update(gatewayNode.get(zones[a]!)!, gatewayNode.get(zones[b]!)!, 20 + random() * 100);
    }
  const replicas = options.replicasPerZone ?? 2;
  for (let f = 0; f < options.functions; f++) {
    const fn = `fn_${f}`;
    for (const zone of zones) {
      const zoneNodes = nodesByZone.get(zone)!;
      for (let r = 0; r < replicas; r++) {
        const node = zoneNodes[Math.floor(random() * zoneNodes.length)]!;
        pods.push(
          podInfo({
            name: `fn-${f}-deployment-${zone}-${r}`,
            node,
            ip: nextIp(),
            fn,
            type: podTypes.function,
          }),
        );
      }
    }
  }
  ctx.replacePods(pods);
  return ctx;
}
