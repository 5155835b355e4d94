import type { GalileoContext, PodInfo } from '@galileo/context';
import type { HeuristicInput, HeuristicParams, ZoneInput } from './weight-heuristic.js';

/**
 * Reads one function's heuristic input from the context: per zone the Running replicas (with
 * their CPU share over the lookback: container telemetry, else the node's `cpu`), and the zone's
 * api-gateway. `cpuShares` memoises shares within one reconcile run.
 */
export function heuristicInput(
  context: GalileoContext,
  fn: string,
  options: {
    params: HeuristicParams;
    threshold: number;
    lookbackSeconds: number;
    zones?: readonly string[];
    cpuShares?: Map<string, number | undefined>;
  },
): HeuristicInput {
  const shares = options.cpuShares ?? new Map<string, number | undefined>();
  const share = (pod: PodInfo) => {
    if (shares.has(pod.name)) return shares.get(pod.name);
    const s = context.podCpuShare(pod, options.lookbackSeconds);
    shares.set(pod.name, s);
    return s;
  };
  const zones: ZoneInput[] = (options.zones ?? context.zones()).map((zone) => {
    const gateway = context.gateway(zone);
    return {
      zone,
      ...(gateway && { gateway: { address: gateway.url, node: gateway.nodeName } }),
      replicas: context
        .replicas(fn, zone)
        .map((pod) => ({ address: pod.url, node: pod.nodeName, cpuShare: share(pod) })),
    };
  });
  return {
    zones,
    latency: (a, b) => context.latency.latency(a, b),
    maxLatencyMs: context.latency.maxLatency,
    params: options.params,
    threshold: options.threshold,
  };
}
