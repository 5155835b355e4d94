import { randomBytes } from 'node:crypto';
import {
  DEFAULT_CPU_REQUEST,
  DEFAULT_MEMORY_REQUEST,
  ZONE_LABEL,
  type OsmoticInput,
  type OsmoticNode,
  type OsmoticParameters,
  type OsmoticPod,
} from './input.js';
import {
  fnZoneKey,
  indexRound,
  type FunctionPressure,
  type OsmoticSkip,
  type PressureResult,
  type RoundIndex,
} from './pressure.js';
import { cpuMillis, memoryBytes } from './quantity.js';
import { podCreationRequest, type PodRequestRecord, type ScaleScheduleRecord } from './records.js';

export interface DecisionResult {
  /** Creates first, then the deletes that survived zero-sum removal. */
  actions: ScaleScheduleRecord[];
  skips: OsmoticSkip[];
}

interface NodeUsage {
  node: OsmoticNode;
  podCapacity: number;
  cpuCapacity: number;
  memCapacity: number;
  pods: number;
  cpu: number;
  mem: number;
}

interface Requests {
  cpu: number;
  mem: number;
}

const randomSuffix = () => randomBytes(3).toString('hex').slice(0, 5);

function requestsOf(resourceRequests: Readonly<Record<string, string>>): Requests {
  return {
    cpu: cpuMillis(resourceRequests.cpu ?? DEFAULT_CPU_REQUEST) ?? (cpuMillis(DEFAULT_CPU_REQUEST) as number),
    mem:
      memoryBytes(resourceRequests.memory ?? DEFAULT_MEMORY_REQUEST) ??
      (memoryBytes(DEFAULT_MEMORY_REQUEST) as number),
  };
}

/**
 * Free capacity per worker node: allocatable minus the requests of the pods placed there
 * (Running or Pending). A node without an allocatable value for a resource is not limited by it.
 */
function nodeUsage(input: OsmoticInput): Map<string, NodeUsage> {
  const usage = new Map<string, NodeUsage>();
  for (const node of input.nodes) {
    const pods = node.allocatable.pods;
    usage.set(node.name, {
      node,
      podCapacity: pods === undefined ? Infinity : (memoryBytes(pods) ?? Infinity),
      cpuCapacity: cpuMillis(node.allocatable.cpu) ?? Infinity,
      memCapacity: memoryBytes(node.allocatable.memory) ?? Infinity,
      pods: 0,
      cpu: 0,
      mem: 0,
    });
  }
  for (const pod of input.pods) {
    if (pod.node === null || (pod.status !== 'Running' && pod.status !== 'Pending')) continue;
    const u = usage.get(pod.node);
    if (!u) continue;
    const r = requestsOf(pod.resourceRequests);
    u.pods++;
    u.cpu += r.cpu;
    u.mem += r.mem;
  }
  return usage;
}

/** zone_has_enough_resources: the first worker node of the zone the request fits on, or null. */
function fittingNode(zone: string, req: Requests, byZone: Map<string, NodeUsage[]>): NodeUsage | null {
  for (const u of byZone.get(zone) ?? []) {
    if (u.pods < u.podCapacity && u.cpuCapacity - u.cpu >= req.cpu && u.memCapacity - u.mem > req.mem)
      return u;
  }
  return null;
}

function podRequestOf(pod: OsmoticPod, ts: number): PodRequestRecord {
  return {
    ts,
    pod_name: pod.name,
    container_id: pod.containerId ?? 'N/A',
    image: pod.image,
    labels: { ...pod.labels },
    resource_requests: { ...pod.resourceRequests },
    namespace: pod.namespace,
  };
}

/**
 * The decision step of OsmoticScalerSchedulerOptimizer.run (reference §5): scale-down
 * candidates and the teardown policy, scale-up candidates against the replica cap, the
 * destination zone with a resource fit, and zero-sum removal. Pure: the pod names' suffixes
 * come from `params.podSuffix`.
 */
export function decideScaling(
  input: OsmoticInput,
  params: OsmoticParameters,
  pressures: Pick<PressureResult, 'gateways'>,
  index: RoundIndex = indexRound(input),
): DecisionResult {
  const ts = input.now;
  const skips: OsmoticSkip[] = [];
  const functionPressures: FunctionPressure[] = [];
  for (const gw of pressures.gateways) for (const f of gw.functions) functionPressures.push(f);
  if (functionPressures.length === 0) return { actions: [], skips };
  const suffix = params.podSuffix ?? randomSuffix;

  // the mean over client zones per (fn, z), and P[fn, z, x] looked up only when a fallback needs it
  // (by function, then zone: no key strings per lookup)
  const byFnZone = new Map<string, Map<string, FunctionPressure>>();
  for (const f of functionPressures) {
    let byZone = byFnZone.get(f.fn);
    if (!byZone) byFnZone.set(f.fn, (byZone = new Map()));
    if (!byZone.has(f.zone)) byZone.set(f.zone, f);
  }
  const pressureAt = (fn: string, zone: string, clientZone: string) => {
    const f = byFnZone.get(fn)?.get(zone);
    if (!f) return undefined;
    for (let i = 0; i < f.size; i++) if (f.group(i).clientZone === clientZone) return f.value(i);
    return undefined;
  };

  const functions = [...new Set(input.functions ?? input.pods.map((p) => p.fn))].sort();
  const zones = [...input.zones].sort();

  // 2.–3. scale down, never below one replica cluster-wide
  const deletes: ScaleScheduleRecord[] = [];
  const budget = new Map<string, number>();
  for (const fn of functions) budget.set(fn, index.runningCountByFn.get(fn) ?? 0);
  for (const fn of functions) {
    const pressuresOfFn = byFnZone.get(fn);
    for (const zone of zones) {
      const m = pressuresOfFn?.get(zone);
      const mean = m ? m.mean : null;
      if (mean !== null && !(mean < params.minThreshold)) continue;
      const key = fnZoneKey(fn, zone);
      if ((index.pendingByFnZone.get(key) ?? 0) > 0) continue;
      const running = index.runningByFnZone.get(key);
      if (!running || running.length === 0) continue;
      const left = budget.get(fn) ?? 0;
      if (left <= 1) {
        skips.push({ reason: 'scale-down skipped: the last replica of the function is kept', fn, zone });
        continue;
      }
      let victim = running[0]!;
      for (const p of running) if ((p.cpuMean ?? 0) < (victim.cpuMean ?? 0)) victim = p;
      budget.set(fn, left - 1);
      const pod = podRequestOf(victim, ts);
      deletes.push({
        ts,
        fn,
        pod,
        origin_zone: zone,
        dest_zone: zone,
        delete: true,
        gateway: m?.gateway ?? index.gatewayByZone.get(zone)?.node ?? null,
        value: mean,
        threshold: params.minThreshold,
        pod_creation_request: podCreationRequest(pod, fn),
      });
    }
  }

  // 4.–7. scale up
  const usage = nodeUsage(input);
  const usageByZone = new Map<string, NodeUsage[]>();
  for (const u of [...usage.values()].sort((a, b) => a.node.name.localeCompare(b.node.name))) {
    if (!u.node.worker || u.node.zone === null) continue;
    let list = usageByZone.get(u.node.zone);
    if (!list) usageByZone.set(u.node.zone, (list = []));
    list.push(u);
  }
  // the template of a function: its Running pod first by name (localeCompare; the first of equal
  // names), as the first Running pod of the pods sorted by name — without sorting them all
  const templateByFn = new Map<string, OsmoticPod>();
  for (const p of input.pods) {
    if (p.status !== 'Running') continue;
    const t = templateByFn.get(p.fn);
    if (t === undefined || p.name.localeCompare(t.name) < 0) templateByFn.set(p.fn, p);
  }
  const deletesByFn = new Map<string, number>();
  for (const d of deletes) deletesByFn.set(d.fn, (deletesByFn.get(d.fn) ?? 0) + 1);
  const acceptedByFn = new Map<string, number>();
  const creates: ScaleScheduleRecord[] = [];
  const latencyBetweenGateways = (a: string, b: string): number => {
    const ga = index.gatewayByZone.get(a);
    const gb = index.gatewayByZone.get(b);
    if (!ga || !gb) return Infinity;
    return a === b ? 0 : (input.latency(ga.node, gb.node) ?? Infinity);
  };

  const candidates: { fn: string; zone: string; clientZone: string; value: number; gateway: string }[] = [];
  for (const f of functionPressures) {
    for (let i = 0; i < f.size; i++) {
      const value = f.value(i);
      if (value > params.maxThreshold)
        candidates.push({
          fn: f.fn,
          zone: f.zone,
          clientZone: f.group(i).clientZone,
          value,
          gateway: f.gateway,
        });
    }
  }
  // the hottest first, so the replica cap and the free capacity go where the pressure is highest
  candidates.sort((a, b) => b.value - a.value || a.fn.localeCompare(b.fn) || a.zone.localeCompare(b.zone));
  for (const row of candidates) {
    const { fn, zone: origin, clientZone: target } = row;
    const template = templateByFn.get(fn);
    if (!template) {
      skips.push({ reason: 'no running replica to copy the pod from', fn, zone: origin, clientZone: target });
      continue;
    }
    // The cap counts the deletes of the same function (the original subtracted every
    // function's deletes, letting one function's scale-down lift another's cap).
    const replicas =
      (index.runningCountByFn.get(fn) ?? 0) +
      (index.pendingCountByFn.get(fn) ?? 0) +
      (acceptedByFn.get(fn) ?? 0) -
      (deletesByFn.get(fn) ?? 0);
    if (!(replicas < params.maxReplicas)) {
      skips.push({
        reason: `replica cap reached (${replicas} of at most ${params.maxReplicas})`,
        fn,
        zone: origin,
        clientZone: target,
      });
      continue;
    }
    const req = requestsOf(template.resourceRequests);
    let dest: string | null = null;
    let host = fittingNode(target, req, usageByZone);
    if (host) dest = target;
    else {
      const others = zones
        .filter((o) => o !== target && usageByZone.has(o))
        .map((o) => ({ o, l: latencyBetweenGateways(o, target) }))
        .sort((a, b) => a.l - b.l || a.o.localeCompare(b.o));
      for (const { o } of others) {
        const p = pressureAt(fn, o, target);
        if (p === undefined || !(p < params.maxThreshold)) continue;
        host = fittingNode(o, req, usageByZone);
        if (host) {
          dest = o;
          break;
        }
      }
      if (!host) {
        for (const { o } of others) {
          host = fittingNode(o, req, usageByZone);
          if (host) {
            dest = o;
            break;
          }
        }
      }
    }
    if (!host || dest === null) {
      skips.push({
        reason: 'no zone can host another replica (no worker node with enough pods, cpu and memory left)',
        fn,
        zone: origin,
        clientZone: target,
      });
      continue;
    }
    host.pods++;
    host.cpu += req.cpu;
    host.mem += req.mem;
    acceptedByFn.set(fn, (acceptedByFn.get(fn) ?? 0) + 1);
    const pod: PodRequestRecord = {
      ts,
      pod_name: `${fn.replace(/_/g, '-')}-deployment-${suffix()}`,
      container_id: 'N/A',
      image: template.image,
      labels: { ...template.labels, [ZONE_LABEL]: dest },
      resource_requests: { ...template.resourceRequests },
      namespace: template.namespace,
    };
    creates.push({
      ts,
      fn,
      pod,
      origin_zone: origin,
      dest_zone: dest,
      delete: false,
      gateway: row.gateway,
      value: row.value,
      threshold: params.maxThreshold,
      pod_creation_request: podCreationRequest(pod, fn),
    });
  }

  // 8. zero-sum: a delete where the same round creates the function again is dropped
  const created = new Set(creates.map((c) => fnZoneKey(c.fn, c.dest_zone)));
  const kept = deletes.filter((d) => {
    if (!created.has(fnZoneKey(d.fn, d.dest_zone))) return true;
    skips.push({
      reason: 'scale-down dropped: the same round creates a replica there (zero-sum)',
      fn: d.fn,
      zone: d.dest_zone,
    });
    return false;
  });
  return { actions: [...creates, ...kept], skips };
}
