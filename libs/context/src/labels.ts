/** The label vocabulary shared with galileo-context, ether and faas (reference §3, §6). */
export const labels = {
  zone: 'ether.edgerun.io/zone',
  function: 'ether.edgerun.io/function',
  /** galileo-context v1 read the plain `type` label; faas uses `ether.edgerun.io/type`. Both are read. */
  type: 'type',
  etherType: 'ether.edgerun.io/type',
  clientRole: 'node-role.kubernetes.io/client',
  workerRole: 'node-role.kubernetes.io/worker',
  hostname: 'kubernetes.io/hostname',
} as const;

export const podTypes = { apiGateway: 'api-gateway', function: 'fn' } as const;

export const podStatuses = ['Running', 'Pending', 'Not Running', 'Unknown', 'Failed', 'Succeeded'] as const;
export type PodStatus = (typeof podStatuses)[number];

/** galileo-context normalizes function names: `-` becomes `_` (reference §8). */
export function normalizeFunctionName(name: string): string {
  return name.replaceAll('-', '_');
}
