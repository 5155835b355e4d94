import type { RequestTrace } from '@galileo/events';
import { describe, expect, it } from 'vitest';
import { createGalileoContext } from './galileo-context.js';
import { createLatencyGraph } from './latency-graph.js';
import { parseNodeInfo } from './node-info.js';
import { parsePod } from './pods.js';
import { createSyntheticContext, nodeInfo, podJson } from './synthetic-cluster.js';
import { requestHops } from './trace-headers.js';

const fakeClock = (start = 1000) => {
  let t = start;
  return { now: () => t, set: (v: number) => void (t = v) };
};

const trace = (over: Partial<RequestTrace>): RequestTrace => ({
  request_id: 'r1',
  client: 'client-1:busy:0',
  service: 'busy',
  created: 99.9,
  sent: 100,
  done: 100.05,
  status: 200,
  server: null,
  exp_id: null,
  headers: null,
  response: null,
  ...over,
});

describe('node infos', () => {
  it('parses the telemd.info hash with labels, allocatable and the zone', () => {
    const info = parseNodeInfo('n1', {
      arch: 'arm64',
      cpus: '4',
      ram: '3884',
      boot: '1700000000',
      disk: 'sda mmcblk0',
      net: 'eth0 wlan0',
      netspeed: '1000',
      labels: JSON.stringify({ 'ether.edgerun.io/zone': 'zone-b', 'node-role.kubernetes.io/worker': 'true' }),
      allocatable: JSON.stringify({ cpu: '4', memory: '3Gi' }),
    });
    expect(info).toMatchObject({
      node: 'n1',
      arch: 'arm64',
      cpus: 4,
      ram: 3884,
      disk: ['sda', 'mmcblk0'],
      net: ['eth0', 'wlan0'],
      zone: 'zone-b',
      allocatable: { cpu: '4000m', memory: '3Gi' },
    });
  });

  it('survives broken JSON fields', () => {
    const info = parseNodeInfo('n1', { labels: '{oops', allocatable: '[1]', cpus: 'many' });
    expect(info).toMatchObject({ node: 'n1', labels: {}, allocatable: {} });
    expect(info.cpus).toBeUndefined();
    expect(info.zone).toBeUndefined();
  });
});

describe('pods', () => {
  it('parses the adapter JSON: container id, url, function, type, quoted quantities', () => {
    const parsed = parsePod(
      podJson({
        name: 'busy-deployment-x1',
        node: 'n1',
        ip: '10.42.0.7',
        fn: 'request-responder',
        type: 'fn',
        cpuRequest: '500m',
        memoryRequest: '250Mi',
      }),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toMatchObject({
      containerId: 'c-busy-deployment-x1',
      url: '10.42.0.7:8080',
      function: 'request_responder',
      type: 'fn',
      cpuRequestMillis: 500,
      memoryRequestBytes: 250 * 2 ** 20,
    });
  });

  it('reads the pod type from ether.edgerun.io/type too, and defaults requests', () => {
    const parsed = parsePod(
      podJson({
        name: 'p',
        node: 'n',
        ip: '1.2.3.4',
        extraLabels: { 'ether.edgerun.io/type': 'api-gateway' },
      }),
    );
    expect(parsed.ok && parsed.value.type).toBe('api-gateway');
    expect(parsed.ok && parsed.value.cpuRequestMillis).toBe(100);
    expect(parsed.ok && parsed.value.memoryRequestBytes).toBe(200 * 2 ** 20);
  });

  it('rejects a value without a name', () => {
    expect(parsePod({ podIP: '1.2.3.4' })).toEqual({
      ok: false,
      error: 'expected a pod with a non-empty "name"',
    });
    expect(parsePod('x').ok).toBe(false);
  });

  it('follows pod/* events and scale_schedule deletes', () => {
    const ctx = createGalileoContext();
    ctx.setNodeInfo(nodeInfo('n1', { zone: 'zone-a' }));
    ctx.applyGalileoEvent(
      'pod/pending',
      podJson({ name: 'a', node: 'n1', ip: '', fn: 'busy', status: 'Pending' }),
    );
    expect(ctx.replicas('busy')).toEqual([]);
    ctx.applyGalileoEvent('pod/running', podJson({ name: 'a', node: 'n1', ip: '10.42.0.1', fn: 'busy' }));
    expect(ctx.replicas('busy', 'zone-a').map((p) => p.name)).toEqual(['a']);
    ctx.applyGalileoEvent('pod/shutdown', podJson({ name: 'a', node: 'n1', ip: '10.42.0.1', fn: 'busy' }));
    expect(ctx.pod('a')?.status).toBe('Not Running');
    // a late `running` does not revive a pod that was shut down
    ctx.applyGalileoEvent('pod/running', podJson({ name: 'a', node: 'n1', ip: '10.42.0.1', fn: 'busy' }));
    expect(ctx.replicas('busy')).toEqual([]);
    ctx.applyGalileoEvent('pod/running', podJson({ name: 'b', node: 'n1', ip: '10.42.0.2', fn: 'busy' }));
    ctx.applyGalileoEvent('scale_schedule', { fn: 'busy', delete: true, pod_name: 'b' });
    expect(ctx.replicas('busy')).toEqual([]);
    ctx.applyGalileoEvent('pod/running', 'not a pod'); // ignored, never thrown
    expect(ctx.stats().podEvents).toBe(6);
  });
});

describe('zones, functions, gateways', () => {
  it('takes zones from node labels, not a fixed list', () => {
    const ctx = createGalileoContext({ fallbackZones: ['zone-z'] });
    expect(ctx.zones()).toEqual(['zone-z']);
    ctx.setNodeInfo(nodeInfo('n1', { zone: 'zone-b' }));
    ctx.setNodeInfo(nodeInfo('n2', { zone: 'zone-a' }));
    ctx.setNodeInfo(nodeInfo('n3', { zone: 'zone-b' }));
    expect(ctx.zones()).toEqual(['zone-a', 'zone-b']);
    expect(ctx.nodesInZone('zone-b').map((n) => n.node)).toEqual(['n1', 'n3']);
  });

  it('falls back to pod zone labels when nodes carry none', () => {
    const ctx = createGalileoContext();
    ctx.upsertPod(parsePodOrThrow(podJson({ name: 'p', node: 'x', ip: '1.1.1.1', fn: 'f', zone: 'zone-q' })));
    expect(ctx.zones()).toEqual(['zone-q']);
  });

  it('finds functions, replicas per zone and the gateway of each zone', () => {
    const ctx = createGalileoContext();
    ctx.setNodeInfo(nodeInfo('a1', { zone: 'zone-a' }));
    ctx.setNodeInfo(nodeInfo('b1', { zone: 'zone-b' }));
    for (const p of [
      podJson({ name: 'gw-a', node: 'a1', ip: '10.0.0.1', type: 'api-gateway' }),
      podJson({ name: 'gw-b', node: 'b1', ip: '10.0.0.2', type: 'api-gateway' }),
      podJson({ name: 'busy-deployment-2', node: 'b1', ip: '10.42.0.2', fn: 'busy', type: 'fn' }),
      podJson({ name: 'busy-deployment-1', node: 'a1', ip: '10.42.0.1', fn: 'busy', type: 'busy-fn' }),
      podJson({ name: 'echo-deployment-1', node: 'a1', ip: '10.42.0.3', fn: 'echo-fn' }),
    ])
      ctx.applyGalileoEvent('pod/running', p);
    expect(ctx.functions()).toEqual(['busy', 'echo_fn']);
    expect(ctx.replicas('busy').map((p) => p.name)).toEqual(['busy-deployment-1', 'busy-deployment-2']);
    expect(ctx.replicas('busy', 'zone-b').map((p) => p.name)).toEqual(['busy-deployment-2']);
    expect(ctx.gateway('zone-a')?.name).toBe('gw-a');
    expect(ctx.gateway('zone-c')).toBeUndefined();
  });
});

function parsePodOrThrow(v: unknown) {
  const p = parsePod(v);
  if (!p.ok) throw new Error(p.error);
  return p.value;
}

describe('telemetry', () => {
  it('keeps node metrics and container metrics in windows evicted by time', () => {
    const clock = fakeClock(1000);
    const ctx = createGalileoContext({ clock: clock.now, telemetryWindowSeconds: 10 });
    ctx.recordTelemetry({ node: 'n1', metric: 'cpu', subsystem: null, timestamp: 995, value: 10 });
    ctx.recordTelemetry({ node: 'n1', metric: 'cpu', subsystem: null, timestamp: 1000, value: 30 });
    ctx.recordTelemetry({ node: 'n1', metric: 'rx', subsystem: 'eth0', timestamp: 1000, value: 1 }); // device-level: not kept
    ctx.recordTelemetry({ node: 'n1', metric: 'freq', subsystem: null, timestamp: 1000, value: 1 }); // not a kept metric
    expect(ctx.nodeTelemetry('n1', 'cpu').map((p) => p.value)).toEqual([10, 30]);
    expect(ctx.nodeCpuShare('n1', 10)).toBeCloseTo(0.2);
    expect(ctx.nodeCpuShare('n1', 2)).toBeCloseTo(0.3);
    clock.set(1006);
    expect(ctx.nodeTelemetry('n1', 'cpu').map((p) => p.value)).toEqual([30]);
    clock.set(1011);
    expect(ctx.nodeTelemetry('n1', 'cpu')).toEqual([]);
    expect(ctx.nodeCpuShare('n1', 10)).toBeUndefined();
    expect(ctx.stats().telemetryRecorded).toBe(2);
  });

  it('derives a container CPU share from the cumulative cgroup counter (hand-computed)', () => {
    const clock = fakeClock(103);
    const ctx = createGalileoContext({ clock: clock.now });
    // 4 cores; 1 s apart; +500 ms then +1000 ms then +1500 ms of CPU time (in ns)
    const values = [0, 5e8, 15e8, 30e8];
    values.forEach((v, i) =>
      ctx.recordTelemetry({
        node: 'n1',
        metric: 'kubernetes_cgrp_cpu',
        subsystem: 'c1',
        timestamp: 100 + i,
        value: v,
      }),
    );
    // milli_cores 500, 1000, 1500 → share = m / (10·4·100) = 0.125, 0.25, 0.375 → mean 0.25
    expect(ctx.containerCpuShare('c1', 60, 4)).toBeCloseTo(0.25, 10);
    // lookback 1.5 s: samples at 102, 103 → one interval: 0.375
    expect(ctx.containerCpuShare('c1', 1.5, 4)).toBeCloseTo(0.375, 10);
    expect(ctx.containerCpuShare('c1', 0.5, 4)).toBeUndefined(); // one sample is not enough
  });

  it('uses the container share for a pod, else its node cpu', () => {
    const clock = fakeClock(101);
    const ctx = createGalileoContext({ clock: clock.now });
    ctx.setNodeInfo(nodeInfo('n1', { cpus: 2 }));
    const pod = parsePodOrThrow(podJson({ name: 'p', node: 'n1', ip: '1.1.1.1', containerId: 'c9' }));
    ctx.recordTelemetry({ node: 'n1', metric: 'cpu', subsystem: null, timestamp: 101, value: 80 });
    expect(ctx.podCpuShare(pod, 10)).toBeCloseTo(0.8);
    ctx.recordTelemetry({
      node: 'n1',
      metric: 'kubernetes_cgrp_cpu',
      subsystem: 'c9',
      timestamp: 100,
      value: 0,
    });
    ctx.recordTelemetry({
      node: 'n1',
      metric: 'kubernetes_cgrp_cpu',
      subsystem: 'c9',
      timestamp: 101,
      value: 1e9,
    });
    expect(ctx.podCpuShare(pod, 10)).toBeCloseTo(0.5); // 1000 mcores of 2 cores
  });
});

describe('traces', () => {
  const cluster = () => {
    const clock = fakeClock(100.1);
    const latency = createLatencyGraph({ 'client-1': { 'lb-a': 0 }, 'lb-a': { 'lb-b': 10 } });
    const ctx = createGalileoContext({ clock: clock.now, traceWindowSeconds: 5, latencyGraph: latency });
    ctx.setNodeInfo(nodeInfo('client-1', { zone: 'zone-a', role: 'client' }));
    ctx.setNodeInfo(nodeInfo('lb-a', { zone: 'zone-a' }));
    ctx.setNodeInfo(nodeInfo('lb-b', { zone: 'zone-b' }));
    ctx.setNodeInfo(nodeInfo('w-b', { zone: 'zone-b' }));
    ctx.applyGalileoEvent(
      'pod/running',
      podJson({
        name: 'busy-deployment-1',
        node: 'w-b',
        ip: '127.0.0.1',
        port: 9001,
        fn: 'busy',
        type: 'fn',
      }),
    );
    ctx.applyGalileoEvent(
      'pod/running',
      podJson({
        name: 'busy-deployment-2',
        node: 'lb-a',
        ip: '127.0.0.1',
        port: 9002,
        fn: 'busy',
        type: 'fn',
      }),
    );
    return { ctx, clock, latency };
  };

  // client-1 sent at 100.000; lb-a forwarded at 100.002; lb-b at 100.007; the pod started at 100.008.
  const forwardedHeaders = JSON.stringify({
    'x-forwarded-for': 'lb-a, lb-b',
    'X-Forwarded-Host-lb-a': '100.0020000',
    'x-forwarded-host-lb-b': '100.0070000',
    'x-final-host': 'lb-b:8079, 127.0.0.1:9001',
    'x-start': '100.008',
    'x-end': '100.040',
  });

  it('stores a trace under the node of the pod at the last X-Final-Host and updates the latency graph', () => {
    const { ctx, latency } = cluster();
    const stored = ctx.recordTrace(trace({ headers: forwardedHeaders }));
    expect(stored).toMatchObject({
      pod: 'busy-deployment-1',
      node: 'w-b',
      function: 'busy',
      clientNode: 'client-1',
      originZone: 'zone-a',
      destZone: 'zone-b',
    });
    expect(stored!.rtt).toBeCloseTo(0.05, 10);
    expect(stored!.networkLatencyMs).toBeCloseTo((0.008 + 0.01) * 1000, 6);
    expect(ctx.traces('w-b')).toHaveLength(1);
    expect(ctx.tracesInZone('zone-b')).toHaveLength(1);
    expect(ctx.tracesForFunction('busy', { zone: 'zone-b' })).toHaveLength(1);
    // hops: client-1→lb-a 2·1000·0.002 = 4 ms (stored 0 → 4); lb-a→lb-b 2·1000·0.005 = 10 (stored 10 → 10);
    // lb-b→w-b 2·1000·0.001 = 2 ms (pair missing → added)
    expect(latency.latency('lb-a', 'client-1')).toBeCloseTo(4, 6);
    expect(latency.latency('lb-b', 'lb-a')).toBeCloseTo(10, 6);
    expect(latency.latency('w-b', 'lb-b')).toBeCloseTo(2, 6);
    // a second set: lb-a forwarded after 3 ms → (4 + 6) / 2 = 5
    ctx.recordTrace(
      trace({
        request_id: 'r2',
        headers: JSON.stringify({ ...JSON.parse(forwardedHeaders), 'X-Forwarded-Host-lb-a': '100.003' }),
      }),
    );
    expect(latency.latency('client-1', 'lb-a')).toBeCloseTo(5, 6);
  });

  it('tells replicas sharing an IP apart by port', () => {
    const { ctx } = cluster();
    const stored = ctx.recordTrace(trace({ headers: JSON.stringify({ 'X-Final-Host': '127.0.0.1:9002' }) }));
    expect(stored?.pod).toBe('busy-deployment-2');
    expect(stored?.networkLatencyMs).toBeUndefined();
  });

  it('skips failed traces and traces of unknown hosts', () => {
    const { ctx } = cluster();
    expect(ctx.recordTrace(trace({ status: -1, headers: forwardedHeaders }))).toBeUndefined();
    expect(
      ctx.recordTrace(trace({ headers: JSON.stringify({ 'x-final-host': '10.9.9.9:1' }) })),
    ).toBeUndefined();
    expect(ctx.recordTrace(trace({ headers: '{not json' }))).toBeUndefined();
    expect(ctx.stats()).toMatchObject({ tracesRecorded: 0, tracesSkipped: 3 });
  });

  it('evicts traces after the trace window', () => {
    const { ctx, clock } = cluster();
    ctx.recordTrace(trace({ headers: forwardedHeaders }));
    clock.set(104.9);
    expect(ctx.traces('w-b')).toHaveLength(1);
    clock.set(105.1);
    expect(ctx.traces('w-b')).toHaveLength(0);
  });
});

describe('requestHops', () => {
  it('skips stations without a timestamp', () => {
    const hops = requestHops(
      'c',
      10,
      { 'x-forwarded-for': 'a, b', 'x-forwarded-host-b': '10.01', 'x-start': '10.02' },
      's',
    );
    expect(hops.map((h) => [h.from, h.to, Math.round(h.ms)])).toEqual([
      ['c', 'b', 20],
      ['b', 's', 20],
    ]);
  });
});

describe('synthetic cluster', () => {
  it('builds nodes, zones, gateways and replicas deterministically', () => {
    const ctx = createSyntheticContext({ nodes: 20, functions: 3, zones: 2 });
    expect(ctx.zones()).toEqual(['zone-0', 'zone-1']);
    expect(ctx.functions()).toEqual(['fn_0', 'fn_1', 'fn_2']);
    expect(ctx.replicas('fn_1', 'zone-1')).toHaveLength(2);
    expect(ctx.gateway('zone-0')?.type).toBe('api-gateway');
    const gw0 = ctx.gateway('zone-0')!.nodeName;
    const gw1 = ctx.gateway('zone-1')!.nodeName;
    expect(ctx.latency.latency(gw1, gw0)).toBeGreaterThan(0);
    expect(ctx.nodeCpuShare('node-3', 10)).toBeGreaterThanOrEqual(0);
  });
});
