import {
  createGalileoContext,
  createLatencyGraph,
  nodeInfo,
  podInfo,
  type GalileoContext,
} from '@galileo/context';

/**
 * The cluster of the hand-computed heuristic tests: zone-a (gateway a0, replicas on a1 at 10 ms
 * using 20 % of the node CPU and a2 at 40 ms using 50 %), zone-b (gateway b0, replica on b1 at 5 ms
 * without telemetry), zone-c (gateway c0, no replica); gateways 30/20/20 ms apart.
 */
export function fixtureContext(fn: string, now = 1000): { context: GalileoContext; setNow(t: number): void } {
  let t = now;
  const latency = createLatencyGraph({
    a1: { a0: 10 },
    a2: { a0: 40 },
    b1: { b0: 5 },
    a0: { b0: 30, c0: 20 },
    b0: { c0: 20 },
  });
  const context = createGalileoContext({ clock: () => t, latencyGraph: latency });
  for (const [node, zone] of [
    ['a0', 'zone-a'],
    ['a1', 'zone-a'],
    ['a2', 'zone-a'],
    ['b0', 'zone-b'],
    ['b1', 'zone-b'],
    ['c0', 'zone-c'],
  ] as const) {
    context.setNodeInfo(nodeInfo(node, { zone, cpus: 4 }));
  }
  const pods = [
    podInfo({ name: 'gw-a', node: 'a0', ip: '10.0.0.1', port: 8079, type: 'api-gateway' }),
    podInfo({ name: 'gw-b', node: 'b0', ip: '10.0.0.2', port: 8079, type: 'api-gateway' }),
    podInfo({ name: 'gw-c', node: 'c0', ip: '10.0.0.3', port: 8079, type: 'api-gateway' }),
    podInfo({ name: `${fn}-deployment-a1`, node: 'a1', ip: '10.42.0.1', fn, type: 'fn', containerId: 'ca1' }),
    podInfo({ name: `${fn}-deployment-a2`, node: 'a2', ip: '10.42.0.2', fn, type: 'fn', containerId: 'ca2' }),
    podInfo({ name: `${fn}-deployment-b1`, node: 'b1', ip: '10.42.1.1', fn, type: 'fn', containerId: 'cb1' }),
  ];
  context.replacePods(pods);
  return { context, setNow: (v) => void (t = v) };
}

/** Writes cumulative cgroup CPU counters so the container's share of a 4-core node is `share` over [from, to]. */
export function writeContainerShare(
  context: GalileoContext,
  node: string,
  containerId: string,
  share: number,
  from: number,
  to: number,
): void {
  const nsPerSecond = share * 4 * 1e9; // share · cores · 1000 mcores · 1e6 ns/ms
  for (let ts = from; ts <= to; ts++) {
    context.recordTelemetry({
      node,
      metric: 'kubernetes_cgrp_cpu',
      subsystem: containerId,
      timestamp: ts,
      value: (ts - from) * nsPerSecond + 5e12,
    });
  }
}
