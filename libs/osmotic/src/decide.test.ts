import { describe, expect, it } from 'vitest';
import { decideScaling } from './decide.js';
import type { OsmoticInput, TraceGroup } from './input.js';
import type { FunctionPressure, PressureResult, PressureRow } from './pressure.js';
import { runOsmoticRound } from './round.js';
import { fnPod, latencyTable, parameters, workerNode } from './test-support/scenario.js';

// Three zones in a line: a —10 ms— b —30 ms— c (a–c 40 ms).
const base: OsmoticInput = {
  now: 1700000000.5,
  zones: ['zone-a', 'zone-b', 'zone-c'],
  gateways: [
    { zone: 'zone-a', node: 'gw-a' },
    { zone: 'zone-b', node: 'gw-b' },
    { zone: 'zone-c', node: 'gw-c' },
  ],
  nodes: [workerNode('node-a', 'zone-a'), workerNode('node-b', 'zone-b'), workerNode('node-c', 'zone-c')],
  pods: [
    fnPod('resnet-deployment-aaaaa', 'zone-a', 'node-a'),
    fnPod('resnet-deployment-ccccc', 'zone-c', 'node-c'),
  ],
  traces: [],
  latency: latencyTable({ 'gw-a|gw-b': 10, 'gw-b|gw-c': 30, 'gw-a|gw-c': 40 }),
  maxLatency: 100,
};
type SimpleRow = Pick<PressureRow, 'fn' | 'zone' | 'clientZone' | 'value' | 'gateway'>;
const row = (zone: string, clientZone: string, value: number, fn = 'resnet'): SimpleRow => ({
  fn,
  zone,
  clientZone,
  value,
  gateway: `gw-${zone.slice(-1)}`,
});
/** The pressure result of (fn, zone, client zone, value) rows: one FunctionPressure per (fn, zone). */
function toPressures(simple: SimpleRow[]): Pick<PressureResult, 'gateways'> {
  const groups = new Map<string, SimpleRow[]>();
  for (const s of simple) {
    const key = `${s.fn}|${s.zone}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const functions: FunctionPressure[] = [...groups.values()].map((rows) => {
    const group = (r: SimpleRow): TraceGroup => ({
      fn: r.fn,
      zone: r.zone,
      clientZone: r.clientZone,
      client: 'c',
      count: 1,
      times: [],
    });
    return {
      fn: rows[0]!.fn,
      zone: rows[0]!.zone,
      gateway: rows[0]!.gateway,
      utilization: 0,
      requiredLatency: 70,
      avgDistance: 0,
      maxLatency: 100,
      runningPods: 0,
      cpuMean: 0,
      cpuUsage: 0,
      mean: rows.reduce((sum, o) => sum + o.value, 0) / rows.length,
      size: rows.length,
      value: (i) => rows[i]!.value,
      group: (i) => group(rows[i]!),
      row: () => {
        throw new Error('not needed by the decisions');
      },
    };
  });
  return { gateways: [{ zone: 'all', node: 'all', functions }] };
}
const full = (name: string, zone: string) => workerNode(name, zone, { pods: '0' });
const decide = (input: Partial<OsmoticInput>, rows: SimpleRow[], p = parameters()) =>
  decideScaling({ ...base, ...input }, p, toPressures(rows));
const summary = (r: ReturnType<typeof decideScaling>) =>
  r.actions.map(
    (a) => `${a.delete ? 'delete' : 'create'} ${a.fn} ${a.origin_zone}→${a.dest_zone} ${a.pod.pod_name}`,
  );

describe('decision table', () => {
  it('hot zone with room: a replica in the client zone', () => {
    const r = decide({}, [
      row('zone-a', 'zone-b', 0.9),
      row('zone-a', 'zone-a', 0.5),
      row('zone-c', 'zone-c', 0.5),
    ]);
    expect(summary(r)).toEqual(['create resnet zone-a→zone-b resnet-deployment-p0001']);
    const a = r.actions[0]!;
    expect(a.pod.labels).toEqual({
      'ether.edgerun.io/function': 'resnet',
      type: 'fn',
      'ether.edgerun.io/zone': 'zone-b',
      'pod-template-hash': '6d4cf56db6',
    });
    expect(a).toMatchObject({ gateway: 'gw-a', value: 0.9, threshold: 0.8, delete: false });
  });

  it('hot zone full → nearest zone by gateway latency whose pressure is below the threshold', () => {
    const nodes = [workerNode('node-a', 'zone-a'), full('node-b', 'zone-b'), workerNode('node-c', 'zone-c')];
    const rows = [row('zone-c', 'zone-b', 0.9), row('zone-a', 'zone-b', 0.3), row('zone-a', 'zone-a', 0.5)];
    expect(summary(decide({ nodes }, rows))).toEqual(['create resnet zone-c→zone-a resnet-deployment-p0001']);
  });

  it('a nearer zone that is itself under pressure is passed over for one below the threshold', () => {
    const nodes = [workerNode('node-a', 'zone-a'), full('node-b', 'zone-b'), workerNode('node-c', 'zone-c')];
    const rows = [row('zone-c', 'zone-b', 0.85), row('zone-a', 'zone-b', 0.81), row('zone-c', 'zone-c', 0.5)];
    // zone-a (10 ms) is above the threshold, zone-c (30 ms) too: the nearest with room wins, zone-a.
    expect(summary(decide({ nodes }, rows)).map((s) => s.split(' ')[2])).toEqual([
      'zone-c→zone-a',
      'zone-a→zone-a',
    ]);
    const rows2 = [row('zone-c', 'zone-b', 0.9), row('zone-a', 'zone-b', 0.85), row('zone-c', 'zone-c', 0.5)];
    const rows3 = [...rows2, row('zone-c', 'zone-b', 0.5)].slice(1); // P[c,b] = 0.5 < max
    expect(summary(decide({ nodes }, rows3))).toEqual([
      'create resnet zone-a→zone-c resnet-deployment-p0001',
    ]);
  });

  it('no zone can host → a skip with a reason, no action, no throw', () => {
    const nodes = [full('node-a', 'zone-a'), full('node-b', 'zone-b'), full('node-c', 'zone-c')];
    const r = decide({ nodes }, [
      row('zone-a', 'zone-b', 0.9),
      row('zone-a', 'zone-a', 0.5),
      row('zone-c', 'zone-c', 0.5),
    ]);
    expect(r.actions).toEqual([]);
    expect(r.skips).toEqual([
      {
        reason: 'no zone can host another replica (no worker node with enough pods, cpu and memory left)',
        fn: 'resnet',
        zone: 'zone-a',
        clientZone: 'zone-b',
      },
    ]);
  });

  it('resource fit parses quantities: 1500m requested on a 2-core node leaves room for 500m, not 600m', () => {
    const filler = fnPod('other-deployment-xxxxx', 'zone-b', 'node-b', {
      fn: 'other',
      resourceRequests: { cpu: '1500m', memory: '1Gi' },
    });
    const nodes = [
      full('node-a', 'zone-a'),
      workerNode('node-b', 'zone-b', { cpu: '2' }),
      full('node-c', 'zone-c'),
    ];
    const rows = [row('zone-a', 'zone-b', 0.9), row('zone-a', 'zone-a', 0.5), row('zone-c', 'zone-c', 0.5)];
    const template = (cpu: string, memory = '200Mi') => [
      fnPod('resnet-deployment-aaaaa', 'zone-a', 'node-a', { resourceRequests: { cpu, memory } }),
      fnPod('resnet-deployment-ccccc', 'zone-c', 'node-c'),
      filler,
    ];
    expect(summary(decide({ nodes, pods: template('500m') }, rows))).toEqual([
      'create resnet zone-a→zone-b resnet-deployment-p0001',
    ]);
    expect(summary(decide({ nodes, pods: template('0.5') }, rows))).toHaveLength(1);
    const tooBig = decide({ nodes, pods: template('600m') }, rows);
    expect(tooBig.actions).toEqual([]);
    expect(tooBig.skips.map((x) => x.reason)).toContain(
      'no zone can host another replica (no worker node with enough pods, cpu and memory left)',
    );
    // memory: 8Gi allocatable, 1Gi used: 6.5Gi fits; 7Gi does not (free memory must exceed the request)
    expect(decide({ nodes, pods: template('100m', '6.5Gi') }, rows).actions).toHaveLength(1);
    expect(decide({ nodes, pods: template('100m', '7Gi') }, rows).actions).toEqual([]);
  });

  it('replica cap: running + pending + accepted − this function’s deletes < max_replicas', () => {
    const rows = [
      row('zone-a', 'zone-b', 0.9),
      row('zone-c', 'zone-b', 0.95),
      row('zone-a', 'zone-a', 0.5),
      row('zone-c', 'zone-c', 0.5),
    ];
    const r = decide({}, rows, parameters({ maxReplicas: 3 }));
    expect(summary(r)).toEqual(['create resnet zone-c→zone-b resnet-deployment-p0001']);
    expect(r.skips).toEqual([
      { reason: 'replica cap reached (3 of at most 3)', fn: 'resnet', zone: 'zone-a', clientZone: 'zone-b' },
    ]);
    const pending = fnPod('resnet-deployment-ppppp', 'zone-b', 'node-b', { status: 'Pending' });
    expect(decide({ pods: [...base.pods, pending] }, rows, parameters({ maxReplicas: 3 })).actions).toEqual(
      [],
    );
  });

  it('scale down: the least busy replica of a cold zone goes, the last replica stays', () => {
    const pods = [
      fnPod('resnet-deployment-aaaaa', 'zone-a', 'node-a', { cpuMean: 40 }),
      fnPod('resnet-deployment-aaaab', 'zone-a', 'node-a', { cpuMean: 10 }),
      fnPod('resnet-deployment-ccccc', 'zone-c', 'node-c'),
    ];
    const rows = [row('zone-a', 'zone-a', 0.1), row('zone-a', 'zone-b', 0.15), row('zone-c', 'zone-c', 0.1)];
    const r = decide({ pods }, rows);
    // budget 3: zone-a loses aaaab (cpu 10), then zone-c loses ccccc; budget 1 is kept
    expect(summary(r)).toEqual([
      'delete resnet zone-a→zone-a resnet-deployment-aaaab',
      'delete resnet zone-c→zone-c resnet-deployment-ccccc',
    ]);
    expect(r.actions[0]).toMatchObject({ delete: true, value: 0.125, threshold: 0.2, gateway: 'gw-a' });

    const one = decide({ pods: [pods[0]!] }, [row('zone-a', 'zone-a', 0.1)]);
    expect(one.actions).toEqual([]);
    expect(one.skips).toEqual([
      {
        reason: 'scale-down skipped: the last replica of the function is kept',
        fn: 'resnet',
        zone: 'zone-a',
      },
    ]);
  });

  it('a zone with replicas but no traffic is scaled down; pending replicas block it', () => {
    const r = decide({}, [row('zone-a', 'zone-a', 0.5)]);
    expect(summary(r)).toEqual(['delete resnet zone-c→zone-c resnet-deployment-ccccc']);
    expect(r.actions[0]!.value).toBeNull();
    const pending = fnPod('resnet-deployment-ppppp', 'zone-c', 'node-c', { status: 'Pending' });
    expect(decide({ pods: [...base.pods, pending] }, [row('zone-a', 'zone-a', 0.5)]).actions).toEqual([]);
  });

  it('zero-sum: a delete where the round also creates is dropped', () => {
    const pods = [
      fnPod('resnet-deployment-aaaaa', 'zone-a', 'node-a'),
      fnPod('resnet-deployment-bbbbb', 'zone-b', 'node-b'),
      fnPod('resnet-deployment-bbbbc', 'zone-b', 'node-b'),
    ];
    // zone-b's own gateway is cold (0.1 < min) but zone-a's gateway sees hot traffic from zone-b
    const rows = [row('zone-b', 'zone-b', 0.1), row('zone-a', 'zone-b', 0.9), row('zone-a', 'zone-a', 0.5)];
    const r = decide({ pods }, rows);
    expect(summary(r)).toEqual(['create resnet zone-a→zone-b resnet-deployment-p0001']);
    expect(r.skips.map((s) => s.reason)).toContain(
      'scale-down dropped: the same round creates a replica there (zero-sum)',
    );
  });

  it('nothing is decided without pressure rows', () => {
    expect(decide({}, [])).toEqual({ actions: [], skips: [] });
  });
});

describe('a whole round', () => {
  it('publishes scale_schedule in the code format plus the README fields (byte-compared)', () => {
    const input: OsmoticInput = {
      ...base,
      traces: [
        { fn: 'resnet', zone: 'zone-a', clientZone: 'zone-b', client: 'w-b', count: 100, times: [500] },
        { fn: 'resnet', zone: 'zone-a', clientZone: 'zone-a', client: 'w-a', count: 10, times: [5] },
        { fn: 'resnet', zone: 'zone-c', clientZone: 'zone-c', client: 'w-c', count: 10, times: [200] },
      ],
      pods: [
        fnPod('resnet-deployment-aaaaa', 'zone-a', 'node-a', { cpuMean: 95 }),
        fnPod('resnet-deployment-ccccc', 'zone-c', 'node-c', { cpuMean: 50 }),
      ],
    };
    const round = runOsmoticRound(input, parameters());
    const records = [...round.records()];
    const schedules = records.filter((r) => r.name === 'scale_schedule');
    expect(schedules.map((s) => JSON.stringify(s.value))).toEqual([
      '{"ts":1700000000.5,"fn":"resnet","pod":{"ts":1700000000.5,"pod_name":"resnet-deployment-p0001","container_id":"N/A","image":"edgerun/resnet:1.0","labels":{"ether.edgerun.io/function":"resnet","type":"fn","ether.edgerun.io/zone":"zone-b","pod-template-hash":"6d4cf56db6"},"resource_requests":{"cpu":"500m","memory":"200Mi"},"namespace":"default"},"origin_zone":"zone-a","dest_zone":"zone-b","delete":false,"gateway":"gw-a","value":0.95,"threshold":0.8,"pod_creation_request":{"pod_name":"resnet-deployment-p0001","container_name":"resnet","image":"edgerun/resnet:1.0","labels":{"ether.edgerun.io/function":"resnet","type":"fn","ether.edgerun.io/zone":"zone-b","pod-template-hash":"6d4cf56db6"},"namespace":"default"}}',
    ]);
    expect(round.actions).toHaveLength(1);
    expect(records.at(-1)!.name).toBe('scale_schedule');
  });
});
