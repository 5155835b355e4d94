import { describe, expect, it } from 'vitest';
import { osmoticInputFromContext } from './context-input.js';
import { hotContext, NOW } from './test-support.js';

describe('libs/context → osmotic input', () => {
  it('takes zones, gateways, worker nodes, replicas with CPU percentage, and grouped traces', () => {
    const input = osmoticInputFromContext(hotContext(20), { lookbackSeconds: 20, targetTimeMeasure: 'rtt' });
    expect(input.now).toBe(NOW);
    expect(input.zones).toEqual(['zone-a', 'zone-b']);
    expect(input.gateways).toEqual([
      { zone: 'zone-a', node: 'gw-a' },
      { zone: 'zone-b', node: 'gw-b' },
    ]);
    expect(input.nodes.find((n) => n.name === 'node-b1')).toEqual({
      name: 'node-b1',
      zone: 'zone-b',
      worker: true,
      allocatable: { cpu: '1000m', memory: '8Gi' },
    });
    expect(input.pods).toHaveLength(1);
    expect(input.pods[0]).toMatchObject({
      name: 'resnet-deployment-aaaaa',
      fn: 'resnet',
      zone: 'zone-a',
      node: 'node-a1',
      status: 'Running',
      image: 'edgerun/resnet:1.0',
      resourceRequests: { cpu: '500m', memory: '200Mi' },
    });
    expect(input.pods[0]!.cpuMean).toBeCloseTo(95, 9); // 0.95 of a 1-core node
    expect(input.traces).toHaveLength(1);
    const g = input.traces[0]!;
    expect(g).toMatchObject({
      fn: 'resnet',
      zone: 'zone-a',
      clientZone: 'zone-b',
      client: 'galileo-worker-zone-b-xxxxx:resnet:1',
      count: 20,
    });
    expect(Array.from(g.times).every((t) => Math.abs(t - 500) < 1e-6)).toBe(true);
    expect(input.latency('gw-b', 'gw-a')).toBe(40);
    expect(input.maxLatency).toBe(40);
    const network = osmoticInputFromContext(hotContext(3), {
      lookbackSeconds: 20,
      targetTimeMeasure: 'network_latency',
    });
    expect(Array.from(network.traces[0]!.times).map((t) => Math.round(t))).toEqual([200, 200, 200]);
  });
});
