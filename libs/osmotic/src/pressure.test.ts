import { describe, expect, it } from 'vitest';
import type { OsmoticInput } from './input.js';
import { computePressures, pressureRecords, pressureRows } from './pressure.js';
import { fnPod, latencyTable, parameters, workerNode } from './test-support/scenario.js';

// Two zones; the gateway of zone-a sees 30 traces from its own zone and 60 from zone-b.
// Expected values by hand (reference §5): internal distance = mean(0, 10) = 5 ms; d(b→a) = 40 ms;
// p90([10..50]) = 46, p90([100..190]) = 181; cpu mean (50+70)/2 = 60 %.
const TS = 1663163436.1;
const input: OsmoticInput = {
  now: TS,
  zones: ['zone-a', 'zone-b'],
  gateways: [
    { zone: 'zone-a', node: 'gw-a' },
    { zone: 'zone-b', node: 'gw-b' },
  ],
  nodes: [workerNode('gw-a', 'zone-a'), workerNode('node-a1', 'zone-a'), workerNode('gw-b', 'zone-b')],
  pods: [
    fnPod('resnet-deployment-aaaaa', 'zone-a', 'node-a1', { cpuMean: 50 }),
    fnPod('resnet-deployment-bbbbb', 'zone-a', 'node-a1', { cpuMean: 70 }),
  ],
  traces: [
    {
      fn: 'resnet',
      zone: 'zone-a',
      clientZone: 'zone-b',
      client: 'galileo-worker-zone-b-xxxxx:resnet:1',
      count: 60,
      times: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190],
    },
    {
      fn: 'resnet',
      zone: 'zone-a',
      clientZone: 'zone-a',
      client: 'galileo-worker-zone-a-yyyyy:resnet:0',
      count: 30,
      times: [10, 20, 30, 40, 50],
    },
  ],
  latency: latencyTable({ 'gw-a|node-a1': 10, 'gw-a|gw-b': 40 }),
  maxLatency: 100,
};

describe('per-gateway pressure', () => {
  const computed = computePressures(input, parameters());
  const result = { ...computed, rows: pressureRows(computed), records: [...pressureRecords(computed, TS)] };

  it('computes P[fn, zone, client zone] as the product of the selected components', () => {
    expect(result.rows.map((r) => [r.fn, r.zone, r.clientZone])).toEqual([
      ['resnet', 'zone-a', 'zone-a'],
      ['resnet', 'zone-a', 'zone-b'],
    ]);
    // request 0.5 · rtt_log 0.9006485128367936 · cpu 0.6
    expect(result.rows[0]!.value).toBeCloseTo(0.2701945538510381, 15);
    // request 1 · rtt_log 0.9999999999997925 · cpu 0.6
    expect(result.rows[1]!.value).toBeCloseTo(0.5999999999998755, 15);
    expect(result.skips).toEqual([]);
  });

  it('records every component with the original payload shapes (byte-compared)', () => {
    const lines = result.records.map((r) => `${r.name} ${JSON.stringify(r.value)}`);
    const ext = (name: string) => lines.filter((l) => l.startsWith(`${name} `));
    expect(ext('cpu_usage_pressure')).toEqual([
      `cpu_usage_pressure {"ts":${TS},"fn":"resnet","running_pods":2,"cpu_mean":60,"zone":"zone-a"}`,
    ]);
    expect(ext('pressure_req')).toEqual([
      `pressure_req {"ts":${TS},"value":0.5,"weight":30,"utilization":45,"client":"gateway-zone-a","fn":"resnet","gateway":"gw-a","zone":"zone-a"}`,
      `pressure_req {"ts":${TS},"value":1,"weight":60,"utilization":45,"client":"gateway-zone-b","fn":"resnet","gateway":"gw-a","zone":"zone-a"}`,
    ]);
    expect(ext('pressure_dist')).toEqual([
      `pressure_dist {"ts":${TS},"value":0.05,"distance":5,"client":"gateway-zone-a","avg_distance":5,"gateway":"gw-a","max_value":100,"scaled_value":-1,"zone":"zone-a"}`,
      `pressure_dist {"ts":${TS},"value":0.4,"distance":40,"client":"gateway-zone-b","avg_distance":5,"gateway":"gw-a","max_value":100,"scaled_value":-1,"zone":"zone-a"}`,
    ]);
    expect(ext('pressure_rtt_log')[0]).toBe(
      `pressure_rtt_log {"ts":${TS},"type":"rtt","value":0.9006485128367936,"fn":"resnet","distance":46,"client":"galileo-worker-zone-a-yyyyy:resnet:0","required_latency":70,"gateway":"gw-a","max_value":-1,"scaled_value":46,"zone":"zone-a"}`,
    );
    const latencyReq = `{"ts":${TS},"type":"network_latency","value":0.5714285714285714,"fn":"resnet","distance":40,"client":"galileo-worker-zone-b-xxxxx:resnet:1","required_latency":70,"gateway":"gw-a","max_value":-1,"scaled_value":-1,"zone":"zone-a"}`;
    expect(ext('pressure_latency_req')[1]).toBe(`pressure_latency_req ${latencyReq}`);
    expect(ext('pressure_latency_requirement')[1]).toBe(`pressure_latency_requirement ${latencyReq}`);
    expect(ext('pressure_latency_req_log')[1]).toBe(
      `pressure_latency_req_log ${latencyReq.replace('0.5714285714285714', String(0.006462732664008236))}`,
    );
    expect(ext('pressure_client')[0]).toMatch(
      /^pressure_client \{"ts":1663163436\.1,"client":"galileo-worker-zone-a-yyyyy:resnet:0","client_zone":"zone-a","fn":"resnet","fn_zone":"zone-a","value":0\.27019455385103\d*\}$/,
    );
    expect(ext('pressure_fn')[1]).toMatch(
      /^pressure_fn \{"ts":1663163436\.1,"fn":"resnet","fn_zone":"zone-a","client_zone":"zone-b","mean":0\.59999\d+,"std":0,"min":0\.59999\d+,"max":0\.59999\d+\}$/,
    );
    const api = result.records.filter((r) => r.name === 'api_pressure');
    expect(api).toHaveLength(1);
    expect(Object.keys(api[0]!.value)).toEqual(['ts', 'node', 'zone', 'mean', 'median', 'std', 'min', 'max']);
    const mean = (0.2701945538510381 + 0.5999999999998755) / 2;
    expect(api[0]!.value).toMatchObject({ ts: TS, node: 'gw-a', zone: 'zone-a', std: 0 });
    expect((api[0]!.value as { mean: number }).mean).toBeCloseTo(mean, 14);
    expect((api[0]!.value as { median: number }).median).toBeCloseTo(mean, 14);
  });

  it('emits the gateway records in order: cpu, per client the components, then api_pressure', () => {
    expect(result.records.map((r) => r.name)).toEqual([
      'cpu_usage_pressure',
      ...[0, 1].flatMap(() => [
        'pressure_req',
        'pressure_rtt_log',
        'pressure_dist',
        'pressure_latency_req',
        'pressure_latency_requirement',
        'pressure_latency_req_log',
        'pressure_client',
        'pressure_fn',
      ]),
      'api_pressure',
    ]);
  });

  it('skips with a reason what the original let throw', () => {
    const r = computePressures(
      {
        ...input,
        traces: [
          ...input.traces,
          { fn: 'resnet', zone: 'zone-a', clientZone: 'zone-c', client: 'c', count: 1, times: [1] },
          { fn: 'resnet', zone: 'zone-x', clientZone: 'zone-a', client: 'c', count: 1, times: [1] },
          { fn: 'unknown', zone: 'zone-a', clientZone: 'zone-a', client: 'c', count: 1, times: [1] },
        ],
      },
      parameters({ latencyRequirement: (fn) => (fn === 'resnet' ? 70 : undefined) }),
    );
    expect(r.rowCount).toBe(2);
    expect(r.skips.map((s) => s.reason)).toEqual([
      'the client zone has no API gateway',
      'no running replica of the function',
      'traces were served in a zone without an API gateway',
    ]);
    const noReq = computePressures(input, parameters({ latencyRequirement: () => undefined }));
    expect(noReq.rowCount).toBe(0);
    expect(noReq.skips[0]!.reason).toContain('schedule_scale_opt_latency_requirement_resnet');
  });

  it('merges two groups of the same client zone into one evaluated client', () => {
    const split = computePressures(
      {
        ...input,
        traces: [
          ...input.traces,
          {
            fn: 'resnet',
            zone: 'zone-a',
            clientZone: 'zone-b',
            client: 'other-zone-b',
            count: 5,
            times: [1000],
          },
        ],
      },
      parameters(),
    );
    const rows = pressureRows(split);
    expect(rows.map((r) => [r.clientZone, r.count, r.client])).toEqual([
      ['zone-a', 30, 'galileo-worker-zone-a-yyyyy:resnet:0'],
      ['zone-b', 65, 'galileo-worker-zone-b-xxxxx:resnet:1'],
    ]);
    expect(rows[0]!.request).toBeCloseTo(30 / 65, 15);
  });

  it('a gateway without traces records nothing', () => {
    const r = computePressures({ ...input, traces: [] }, parameters());
    expect(r).toEqual({ rowCount: 0, gateways: [], skips: [] });
  });
});
