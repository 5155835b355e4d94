// A straightforward reference of one osmotic round (reference §5), written for clarity, not
// speed: filter the traces per gateway and function, merge, order, compute each component with
// formulas.ts, then decide with plain arrays and sorts. reference.test.ts compares the optimised
// round (columns, counting sorts, caches, lazily built rows) against it on random contexts.
import { randomBytes } from 'node:crypto';
import {
  combinedPressure,
  cpuUsagePressure,
  latencyRequirementLogPressure,
  latencyRequirementPressure,
  networkDistancePressure,
  percentile,
  requestPressure,
  rttLogPressure,
  type PressureName,
} from '../formulas.js';
import {
  DEFAULT_CPU_REQUEST,
  DEFAULT_MEMORY_REQUEST,
  ZONE_LABEL,
  type OsmoticInput,
  type OsmoticParameters,
  type OsmoticPod,
  type TraceGroup,
} from '../input.js';
import type { OsmoticSkip, PressureRow } from '../pressure.js';
import { cpuMillis, memoryBytes } from '../quantity.js';
import { podCreationRequest, type OsmoticRecord, type ScaleScheduleRecord } from '../records.js';

export interface ReferenceFunction {
  fn: string;
  zone: string;
  gateway: string;
  utilization: number;
  requiredLatency: number;
  avgDistance: number;
  runningPods: number;
  cpuMean: number;
  rows: PressureRow[];
  mean: number;
}

export interface ReferenceRound {
  functions: ReferenceFunction[];
  rows: PressureRow[];
  skips: OsmoticSkip[];
  actions: ScaleScheduleRecord[];
  records: OsmoticRecord[];
}

export function referenceRound(input: OsmoticInput, params: OsmoticParameters): ReferenceRound {
  const skips: OsmoticSkip[] = [];
  const functions: ReferenceFunction[] = [];
  const gatewayOf = (zone: string) => input.gateways.find((g) => g.zone === zone);
  const runningIn = (fn: string, zone: string) =>
    input.pods.filter((p) => p.fn === fn && p.zone === zone && p.status === 'Running');

  const servedZones = [...new Set(input.traces.map((t) => t.zone))].sort();
  for (const zone of servedZones) {
    const gateway = gatewayOf(zone);
    if (!gateway) {
      skips.push({ reason: 'traces were served in a zone without an API gateway', zone });
      continue;
    }
    const zoneNodes = input.nodes.filter((n) => n.zone === zone).map((n) => n.name);
    const latencies = zoneNodes
      .map((n) => (n === gateway.node ? 0 : input.latency(gateway.node, n)))
      .filter((l): l is number => l !== undefined);
    const count = latencies.length + (zoneNodes.includes(gateway.node) ? 0 : 1);
    const avgDistance = count > 0 ? latencies.reduce((s, l) => s + l, 0) / count : 0;
    const atGateway = input.traces.filter((t) => t.zone === zone);
    for (const fn of [...new Set(atGateway.map((t) => t.fn))].sort()) {
      if (!input.pods.some((p) => p.fn === fn && p.status === 'Running')) {
        skips.push({ reason: 'no running replica of the function', fn, zone });
        continue;
      }
      const required = params.latencyRequirement(fn);
      if (required === undefined || !(required > 0)) {
        skips.push({
          reason: `no latency requirement for the function (schedule_scale_opt_latency_requirement_${fn})`,
          fn,
          zone,
        });
        continue;
      }
      // one group per client zone, in order of first appearance
      const groups: TraceGroup[] = [];
      for (const t of atGateway.filter((g) => g.fn === fn)) {
        const i = groups.findIndex((g) => g.clientZone === t.clientZone);
        if (i < 0) groups.push(t);
        else {
          const o = groups[i]!;
          groups[i] = {
            ...o,
            client: t.count > o.count ? t.client : o.client,
            count: o.count + t.count,
            times: [...Array.from(o.times), ...Array.from(t.times)],
          };
        }
      }
      const internal = groups.filter((g) => g.clientZone === zone);
      const external = groups.filter((g) => g.clientZone !== zone).sort((a, b) => b.count - a.count);
      const max = Math.max(0, ...groups.map((g) => g.count));
      const running = runningIn(fn, zone);
      const cpus = running.map((p) => p.cpuMean).filter((c): c is number => c !== null && Number.isFinite(c));
      const cpuMean = cpus.length > 0 ? cpus.reduce((s, c) => s + c, 0) / cpus.length : 0;
      const rows: PressureRow[] = [];
      for (const g of [...internal, ...external]) {
        let distance: number;
        if (g.clientZone === zone) distance = avgDistance;
        else {
          const other = gatewayOf(g.clientZone);
          const l = other ? input.latency(other.node, gateway.node) : undefined;
          if (l === undefined) {
            skips.push({
              reason: other
                ? `the latency graph has no entry between gateways ${other.node} and ${gateway.node}`
                : 'the client zone has no API gateway',
              fn,
              zone,
              clientZone: g.clientZone,
            });
            continue;
          }
          distance = l;
        }
        const time = percentile(g.times, params.percentile);
        const values: Record<PressureName, number> = {
          request: requestPressure(g.count, max),
          rtt_log: rttLogPressure(time, params.logistic),
          network_distance: networkDistancePressure(distance, input.maxLatency),
          latency_req_unbound: latencyRequirementPressure(distance, required),
          latency_req_log: latencyRequirementLogPressure(distance, required, params.logistic),
          cpu_usage: cpuUsagePressure(cpuMean),
        };
        rows.push({
          fn,
          zone,
          clientZone: g.clientZone,
          value: combinedPressure(values, params.pressures, params.weights),
          gateway: gateway.node,
          client: g.client,
          count: g.count,
          request: values.request,
          rttLog: values.rtt_log,
          networkDistance: values.network_distance,
          latencyReqUnbound: values.latency_req_unbound,
          latencyReqLog: values.latency_req_log,
          time,
          distance,
        });
      }
      if (rows.length === 0) continue;
      functions.push({
        fn,
        zone,
        gateway: gateway.node,
        utilization: groups.reduce((s, g) => s + g.count, 0) / Math.max(1, input.zones.length),
        requiredLatency: required,
        avgDistance,
        runningPods: running.length,
        cpuMean,
        rows,
        mean: rows.reduce((s, r) => s + r.value, 0) / rows.length,
      });
    }
  }
  const decision = referenceDecisions(input, params, functions);
  return {
    functions,
    rows: functions.flatMap((f) => f.rows),
    skips: [...skips, ...decision.skips],
    actions: decision.actions,
    records: [
      ...referenceRecords(input, params, functions),
      ...decision.actions.map((value) => ({ name: 'scale_schedule' as const, value })),
    ],
  };
}

function referenceRecords(
  input: OsmoticInput,
  params: OsmoticParameters,
  functions: ReferenceFunction[],
): OsmoticRecord[] {
  const ts = input.now;
  const out: OsmoticRecord[] = [];
  const gateways = [...new Set(functions.map((f) => f.zone))];
  for (const zone of gateways) {
    const fs = functions.filter((f) => f.zone === zone);
    const values: number[] = [];
    for (const f of fs) {
      const { fn } = f;
      out.push({
        name: 'cpu_usage_pressure',
        value: { ts, fn, running_pods: f.runningPods, cpu_mean: f.cpuMean, zone },
      });
      for (const r of f.rows) {
        const x = r.clientZone;
        const t = Number.isFinite(r.time) ? r.time : 0;
        const common = { fn, client: r.client, required_latency: f.requiredLatency, gateway: f.gateway };
        out.push({
          name: 'pressure_req',
          value: {
            ts,
            value: r.request,
            weight: r.count,
            utilization: f.utilization,
            client: `gateway-${x}`,
            fn,
            gateway: f.gateway,
            zone,
          },
        });
        out.push({
          name: 'pressure_rtt_log',
          value: {
            ts,
            type: 'rtt',
            value: r.rttLog,
            fn,
            distance: t,
            client: r.client,
            required_latency: f.requiredLatency,
            gateway: f.gateway,
            max_value: -1,
            scaled_value: t,
            zone,
          },
        });
        out.push({
          name: 'pressure_dist',
          value: {
            ts,
            value: r.networkDistance,
            distance: r.distance,
            client: `gateway-${x}`,
            avg_distance: f.avgDistance,
            gateway: f.gateway,
            max_value: input.maxLatency,
            scaled_value: -1,
            zone,
          },
        });
        const latencyReq = {
          ts,
          type: 'network_latency' as const,
          value: r.latencyReqUnbound,
          fn,
          distance: r.distance,
          client: common.client,
          required_latency: common.required_latency,
          gateway: common.gateway,
          max_value: -1,
          scaled_value: -1,
          zone,
        };
        out.push({ name: 'pressure_latency_req', value: latencyReq });
        if (params.duplicateLatencyRequirement ?? true)
          out.push({ name: 'pressure_latency_requirement', value: latencyReq });
        out.push({ name: 'pressure_latency_req_log', value: { ...latencyReq, value: r.latencyReqLog } });
        out.push({
          name: 'pressure_client',
          value: { ts, client: r.client, client_zone: x, fn, fn_zone: zone, value: r.value },
        });
        out.push({
          name: 'pressure_fn',
          value: { ts, fn, fn_zone: zone, client_zone: x, mean: r.value, std: 0, min: r.value, max: r.value },
        });
        values.push(r.value);
      }
    }
    let sum = 0;
    for (const v of values) sum += v;
    const mean = sum / values.length;
    out.push({
      name: 'api_pressure',
      value: {
        ts,
        node: fs[0]!.gateway,
        zone,
        mean,
        median: mean,
        std: 0 / values.length,
        min: mean,
        max: mean,
      },
    });
  }
  return out;
}

interface Usage {
  name: string;
  zone: string | null;
  worker: boolean;
  podCapacity: number;
  cpuCapacity: number;
  memCapacity: number;
  pods: number;
  cpu: number;
  mem: number;
}

function requests(r: Readonly<Record<string, string>>) {
  return {
    cpu: cpuMillis(r.cpu ?? DEFAULT_CPU_REQUEST) ?? (cpuMillis(DEFAULT_CPU_REQUEST) as number),
    mem: memoryBytes(r.memory ?? DEFAULT_MEMORY_REQUEST) ?? (memoryBytes(DEFAULT_MEMORY_REQUEST) as number),
  };
}

function referenceDecisions(
  input: OsmoticInput,
  params: OsmoticParameters,
  functions: ReferenceFunction[],
): { actions: ScaleScheduleRecord[]; skips: OsmoticSkip[] } {
  const ts = input.now;
  const skips: OsmoticSkip[] = [];
  if (functions.length === 0) return { actions: [], skips };
  const suffix = params.podSuffix ?? (() => randomBytes(3).toString('hex').slice(0, 5));
  const pressureOf = (fn: string, zone: string) => functions.find((f) => f.fn === fn && f.zone === zone);
  const running = (fn: string, zone?: string) =>
    input.pods.filter(
      (p) => p.fn === fn && p.status === 'Running' && (zone === undefined || p.zone === zone),
    );
  const pending = (fn: string, zone?: string) =>
    input.pods.filter(
      (p) => p.fn === fn && p.status === 'Pending' && (zone === undefined || p.zone === zone),
    );
  const gatewayOf = (zone: string) => input.gateways.find((g) => g.zone === zone);
  const podRequest = (pod: OsmoticPod) => ({
    ts,
    pod_name: pod.name,
    container_id: pod.containerId ?? 'N/A',
    image: pod.image,
    labels: { ...pod.labels },
    resource_requests: { ...pod.resourceRequests },
    namespace: pod.namespace,
  });

  const fnNames = [...new Set(input.functions ?? input.pods.map((p) => p.fn))].sort();
  const zones = [...input.zones].sort();
  const deletes: ScaleScheduleRecord[] = [];
  const left = new Map(fnNames.map((fn) => [fn, running(fn).length]));
  for (const fn of fnNames) {
    for (const zone of zones) {
      const f = pressureOf(fn, zone);
      const mean = f ? f.mean : null;
      if (mean !== null && !(mean < params.minThreshold)) continue;
      if (pending(fn, zone).length > 0) continue;
      const pods = running(fn, zone);
      if (pods.length === 0) continue;
      if (left.get(fn)! <= 1) {
        skips.push({ reason: 'scale-down skipped: the last replica of the function is kept', fn, zone });
        continue;
      }
      const victim = pods.reduce((v, p) => ((p.cpuMean ?? 0) < (v.cpuMean ?? 0) ? p : v));
      left.set(fn, left.get(fn)! - 1);
      const pod = podRequest(victim);
      deletes.push({
        ts,
        fn,
        pod,
        origin_zone: zone,
        dest_zone: zone,
        delete: true,
        gateway: f?.gateway ?? gatewayOf(zone)?.node ?? null,
        value: mean,
        threshold: params.minThreshold,
        pod_creation_request: podCreationRequest(pod, fn),
      });
    }
  }

  const usage: Usage[] = input.nodes.map((n) => ({
    name: n.name,
    zone: n.zone,
    worker: n.worker,
    podCapacity: n.allocatable.pods === undefined ? Infinity : (memoryBytes(n.allocatable.pods) ?? Infinity),
    cpuCapacity: cpuMillis(n.allocatable.cpu) ?? Infinity,
    memCapacity: memoryBytes(n.allocatable.memory) ?? Infinity,
    pods: 0,
    cpu: 0,
    mem: 0,
  }));
  // a name twice: the last node of that name counts (a Map by name)
  const byName = new Map(usage.map((u) => [u.name, u]));
  for (const p of input.pods) {
    if (p.node === null || (p.status !== 'Running' && p.status !== 'Pending')) continue;
    const u = byName.get(p.node);
    if (!u) continue;
    const r = requests(p.resourceRequests);
    u.pods++;
    u.cpu += r.cpu;
    u.mem += r.mem;
  }
  const hosts = [...byName.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .filter((u) => u.worker && u.zone !== null);
  const fit = (zone: string, r: { cpu: number; mem: number }) =>
    hosts.find(
      (u) =>
        u.zone === zone &&
        u.pods < u.podCapacity &&
        u.cpuCapacity - u.cpu >= r.cpu &&
        u.memCapacity - u.mem > r.mem,
    ) ?? null;
  const hostZones = new Set(hosts.map((u) => u.zone));
  const templates = [...input.pods]
    .sort((a, b) => a.name.localeCompare(b.name))
    .filter((p) => p.status === 'Running');

  const candidates = functions
    .flatMap((f) => f.rows)
    .filter((r) => r.value > params.maxThreshold)
    .sort((a, b) => b.value - a.value || a.fn.localeCompare(b.fn) || a.zone.localeCompare(b.zone));
  const creates: ScaleScheduleRecord[] = [];
  for (const row of candidates) {
    const { fn, zone: origin, clientZone: target } = row;
    const template = templates.find((p) => p.fn === fn);
    if (!template) {
      skips.push({ reason: 'no running replica to copy the pod from', fn, zone: origin, clientZone: target });
      continue;
    }
    const replicas =
      running(fn).length +
      pending(fn).length +
      creates.filter((c) => c.fn === fn).length -
      deletes.filter((d) => d.fn === fn).length;
    if (!(replicas < params.maxReplicas)) {
      skips.push({
        reason: `replica cap reached (${replicas} of at most ${params.maxReplicas})`,
        fn,
        zone: origin,
        clientZone: target,
      });
      continue;
    }
    const req = requests(template.resourceRequests);
    let dest: string | null = null;
    let host = fit(target, req);
    if (host) dest = target;
    else {
      const latencyTo = (o: string) => {
        const a = gatewayOf(o);
        const b = gatewayOf(target);
        if (!a || !b) return Infinity;
        return input.latency(a.node, b.node) ?? Infinity;
      };
      const others = zones
        .filter((o) => o !== target && hostZones.has(o))
        .map((o) => ({ o, l: latencyTo(o) }))
        .sort((a, b) => a.l - b.l || a.o.localeCompare(b.o))
        .map((x) => x.o);
      for (const o of others) {
        const p = pressureOf(fn, o)?.rows.find((r) => r.clientZone === target)?.value;
        if (p === undefined || !(p < params.maxThreshold)) continue;
        host = fit(o, req);
        if (host) {
          dest = o;
          break;
        }
      }
      if (!host)
        for (const o of others) {
          host = fit(o, req);
          if (host) {
            dest = o;
            break;
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
    const pod = {
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
  const kept = deletes.filter((d) => {
    if (!creates.some((c) => c.fn === d.fn && c.dest_zone === d.dest_zone)) return true;
    skips.push({
      reason: 'scale-down dropped: the same round creates a replica there (zero-sum)',
      fn: d.fn,
      zone: d.dest_zone,
    });
    return false;
  });
  return { actions: [...creates, ...kept], skips };
}
