// Small random contexts with the edge cases of a round: zones without a gateway, nodes without a
// zone, pods in every state, duplicate groups of one client zone, empty and long time lists,
// counts that differ from the number of times, missing latencies and requirements, random
// components, weights, thresholds and percentiles.
import { createSeededRandom } from '@galileo/workload';
import { PRESSURE_NAMES, type PressureName } from '../formulas.js';
import type { OsmoticInput, OsmoticParameters, OsmoticPod, TraceGroup } from '../input.js';

/** A seeded PRNG (@galileo/workload's); the optimizer benchmark builds its synthetic context with it too. */
export function rng(seed: number): () => number {
  const random = createSeededRandom(seed);
  return () => random.next();
}

export function randomCase(
  seed: number,
  asTyped: boolean,
): { input: OsmoticInput; params: () => OsmoticParameters } {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const nz = 1 + int(6);
  const zones = Array.from({ length: nz }, (_, i) => `zone-${String.fromCharCode(97 + i)}`);
  const extraZones = ['zone-x', 'zone-y'];
  const gateways = zones.filter(() => r() < 0.85).map((zone) => ({ zone, node: `gw-${zone}` }));
  if (r() < 0.2 && gateways.length > 0) gateways.push({ zone: gateways[0]!.zone, node: 'gw-dup' });
  const nodes: OsmoticInput['nodes'][number][] = [];
  for (const z of zones) {
    nodes.push({
      name: `gw-${z}`,
      zone: r() < 0.9 ? z : null,
      worker: r() < 0.3,
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
    });
    const w = int(3);
    for (let i = 0; i < w; i++)
      nodes.push({
        name: `w${i}-${z}`,
        zone: r() < 0.95 ? z : null,
        worker: r() < 0.9,
        allocatable:
          r() < 0.3
            ? { cpu: '500m', memory: '300Mi', pods: String(1 + int(3)) }
            : r() < 0.1
              ? {}
              : { cpu: '4', memory: '8Gi', pods: '110' },
      });
  }
  const nf = 1 + int(5);
  const fns = Array.from({ length: nf }, (_, i) => (i === 0 ? 'resnet' : `fn_${i}`));
  const pods: OsmoticPod[] = [];
  const statuses = ['Running', 'Running', 'Running', 'Pending', 'Failed', 'Not Running'];
  const np = int(20);
  for (let i = 0; i < np; i++) {
    const fn = fns[int(nf)]!;
    const z = r() < 0.95 ? zones[int(nz)]! : null;
    const node = z === null ? null : r() < 0.9 ? `w${int(3)}-${z}` : null;
    pods.push({
      name: `${fn.replace(/_/g, '-')}-deployment-${(seed * 1000 + i).toString(36)}${r() < 0.2 ? 'A' : ''}`,
      fn,
      zone: z,
      node,
      status: statuses[int(statuses.length)]!,
      image: `edgerun/${fn}:1.0`,
      labels: { 'ether.edgerun.io/function': fn, type: 'fn', ...(z ? { 'ether.edgerun.io/zone': z } : {}) },
      namespace: 'default',
      resourceRequests: r() < 0.2 ? {} : { cpu: `${100 + int(900)}m`, memory: `${64 + int(300)}Mi` },
      ...(r() < 0.5 ? { containerId: `c${i}` } : {}),
      cpuMean: r() < 0.1 ? null : r() < 0.05 ? Number.NaN : r() * 150,
    });
  }
  const traces: TraceGroup[] = [];
  const ng = int(40);
  const allZones = [...zones, ...extraZones];
  for (let i = 0; i < ng; i++) {
    const n = r() < 0.05 ? 0 : r() < 0.1 ? 1 : r() < 0.05 ? 65 + int(40) : 1 + int(12);
    const base = r() * 100;
    const list = Array.from({ length: n }, () => (r() < 0.2 ? Math.round(base) : base + r() * 50));
    const zone = r() < 0.93 ? zones[int(nz)]! : allZones[int(allZones.length)]!;
    const clientZone = r() < 0.9 ? zones[int(nz)]! : allZones[int(allZones.length)]!;
    traces.push({
      fn: r() < 0.95 ? fns[int(nf)]! : 'unknown_fn',
      zone,
      clientZone,
      client: `galileo-worker-${clientZone}-${int(3)}:x:0`,
      count: r() < 0.8 ? n : int(30),
      times: asTyped ? Float64Array.from(list) : list,
    });
  }
  const lat = new Map<string, number>();
  const names = nodes.map((n) => n.name).concat(['gw-dup']);
  for (const a of names)
    for (const b of names) if (a < b && r() < 0.9) lat.set(`${a}|${b}`, r() < 0.2 ? int(50) : r() * 80);
  const pressures: PressureName[] = PRESSURE_NAMES.filter(() => r() < 0.5);
  if (r() < 0.3) pressures.push(PRESSURE_NAMES[int(6)]!);
  const weights =
    r() < 0.3
      ? Object.fromEntries(PRESSURE_NAMES.filter(() => r() < 0.5).map((p) => [p, 0.5 + r() * 2]))
      : undefined;
  const reqs = new Map(fns.map((f) => [f, r() < 0.1 ? undefined : r() < 0.05 ? 0 : 20 + int(100)]));
  const maxThreshold = r() < 0.5 ? 0.8 : r() * 0.5;
  const minThreshold = r() * 0.3;
  const percentileQ = [50, 90, 95, 99, 100, 0][int(6)]!;
  const maxReplicas = 1 + int(10);
  const withFunctions = r() < 0.3;
  const maxLatency = r() < 0.1 ? 0 : 80;
  const input: OsmoticInput = {
    now: 1_700_000_000 + seed,
    zones,
    gateways,
    nodes,
    pods,
    traces,
    latency: (a, b) => (a === b ? 0 : lat.get(a < b ? `${a}|${b}` : `${b}|${a}`)),
    maxLatency,
    ...(withFunctions ? { functions: [...fns, 'no_pods_fn'] } : {}),
  };
  const dup = r() < 0.5;
  const offset = r() < 0.2 ? 0.1 : 0;
  const params = (): OsmoticParameters => {
    let k = 0;
    return {
      maxThreshold,
      minThreshold,
      pressures,
      ...(weights ? { weights } : {}),
      logistic: { a: 250, b: 1, c: 0.2, d: 35, offset },
      percentile: percentileQ,
      latencyRequirement: (fn) => reqs.get(fn) ?? (fn === 'unknown_fn' ? 50 : undefined),
      maxReplicas,
      duplicateLatencyRequirement: dup,
      podSuffix: () => `s${String(++k).padStart(4, '0')}`,
    };
  };
  return { input, params };
}
