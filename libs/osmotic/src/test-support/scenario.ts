import type { OsmoticInput, OsmoticNode, OsmoticParameters, OsmoticPod } from '../input.js';

/** A symmetric latency lookup over a small table `a|b → ms`. */
export function latencyTable(entries: Record<string, number>): OsmoticInput['latency'] {
  return (a, b) => entries[`${a}|${b}`] ?? entries[`${b}|${a}`];
}

export function workerNode(
  name: string,
  zone: string,
  allocatable: Record<string, string> = {},
): OsmoticNode {
  return { name, zone, worker: true, allocatable: { cpu: '4', memory: '8Gi', pods: '110', ...allocatable } };
}

export function fnPod(
  name: string,
  zone: string,
  node: string,
  overrides: Partial<OsmoticPod> = {},
): OsmoticPod {
  return {
    name,
    fn: 'resnet',
    zone,
    node,
    status: 'Running',
    image: 'edgerun/resnet:1.0',
    labels: {
      'ether.edgerun.io/function': 'resnet',
      type: 'fn',
      'ether.edgerun.io/zone': zone,
      'pod-template-hash': '6d4cf56db6',
    },
    namespace: 'default',
    resourceRequests: { cpu: '500m', memory: '200Mi' },
    cpuMean: 50,
    ...overrides,
  };
}

export function parameters(overrides: Partial<OsmoticParameters> = {}): OsmoticParameters {
  let n = 0;
  return {
    maxThreshold: 0.8,
    minThreshold: 0.2,
    pressures: ['request', 'rtt_log', 'cpu_usage'],
    logistic: { a: 250, b: 1, c: 0.2, d: 35, offset: 0 },
    percentile: 90,
    latencyRequirement: () => 70,
    maxReplicas: 20,
    podSuffix: () => `p${String(++n).padStart(4, '0')}`,
    ...overrides,
  };
}
