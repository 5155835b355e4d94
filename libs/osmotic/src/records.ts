/**
 * The records of one optimizer round, named and shaped as the original publishes them on
 * `galileo/events` (reference §5, schedulescaleopt/opt/api.py): keys in the dataclasses' field
 * order, `ts` first. Builders construct the objects in that order, so `JSON.stringify` keeps it.
 */

export interface PressureRequestRecord {
  ts: number;
  value: number;
  weight: number;
  utilization: number;
  client: string;
  fn: string;
  gateway: string;
  zone: string;
}

/** pressure_rtt_log, pressure_latency_req, pressure_latency_req_log. */
export interface PressureLatencyRecord {
  ts: number;
  type: 'rtt' | 'network_latency';
  value: number;
  fn: string;
  distance: number;
  client: string;
  required_latency: number;
  gateway: string;
  max_value: number;
  scaled_value: number;
  zone: string;
}

export interface PressureDistanceRecord {
  ts: number;
  value: number;
  distance: number;
  client: string;
  avg_distance: number;
  gateway: string;
  max_value: number;
  scaled_value: number;
  zone: string;
}

export interface CpuUsagePressureRecord {
  ts: number;
  fn: string;
  running_pods: number;
  cpu_mean: number;
  zone: string;
}

export interface PressureClientRecord {
  ts: number;
  client: string;
  client_zone: string;
  fn: string;
  fn_zone: string;
  value: number;
}

export interface PressureFunctionRecord {
  ts: number;
  fn: string;
  fn_zone: string;
  client_zone: string;
  mean: number;
  std: number;
  min: number;
  max: number;
}

export interface ApiPressureRecord {
  ts: number;
  node: string;
  zone: string;
  mean: number;
  median: number;
  std: number;
  min: number;
  max: number;
}

/** galileo-context's PodRequest, as the code's scale_schedule carries it. */
export interface PodRequestRecord {
  ts: number;
  pod_name: string;
  container_id: string;
  image: string;
  labels: Record<string, string>;
  resource_requests: Record<string, string>;
  namespace: string;
}

/** The README's pod_creation_request. */
export interface PodCreationRequestRecord {
  pod_name: string;
  container_name: string;
  image: string;
  labels: Record<string, string>;
  namespace: string;
}

/**
 * scale_schedule: the code's fields (`ts, fn, pod, origin_zone, dest_zone, delete`), then the
 * README's (`gateway, value, threshold, pod_creation_request`) for consumers written against it
 * (reference §5 proposal). `value` is the pressure that triggered it (null: a function without
 * traffic in that zone); `threshold` the one it crossed.
 */
export interface ScaleScheduleRecord {
  ts: number;
  fn: string;
  pod: PodRequestRecord;
  origin_zone: string;
  dest_zone: string;
  delete: boolean;
  gateway: string | null;
  value: number | null;
  threshold: number;
  pod_creation_request: PodCreationRequestRecord;
}

export type OsmoticRecord =
  | { name: 'pressure_req'; value: PressureRequestRecord }
  | { name: 'pressure_rtt_log'; value: PressureLatencyRecord }
  | { name: 'pressure_latency_req'; value: PressureLatencyRecord }
  | { name: 'pressure_latency_requirement'; value: PressureLatencyRecord }
  | { name: 'pressure_latency_req_log'; value: PressureLatencyRecord }
  | { name: 'pressure_dist'; value: PressureDistanceRecord }
  | { name: 'cpu_usage_pressure'; value: CpuUsagePressureRecord }
  | { name: 'pressure_client'; value: PressureClientRecord }
  | { name: 'pressure_fn'; value: PressureFunctionRecord }
  | { name: 'api_pressure'; value: ApiPressureRecord }
  | { name: 'scale_schedule'; value: ScaleScheduleRecord };

export type OsmoticRecordName = OsmoticRecord['name'];

export const OSMOTIC_RECORD_NAMES: readonly OsmoticRecordName[] = [
  'api_pressure',
  'pressure_req',
  'pressure_latency_req',
  'pressure_latency_requirement',
  'pressure_latency_req_log',
  'pressure_rtt_log',
  'pressure_dist',
  'cpu_usage_pressure',
  'pressure_fn',
  'pressure_client',
  'scale_schedule',
];

/** A pod's container name and the README's request, derived from a PodRequest. */
export function podCreationRequest(pod: PodRequestRecord, fn: string): PodCreationRequestRecord {
  const fnLabel = pod.labels['ether.edgerun.io/function'] ?? fn;
  return {
    pod_name: pod.pod_name,
    container_name: fnLabel.replace(/_/g, '-'),
    image: pod.image,
    labels: pod.labels,
    namespace: pod.namespace,
  };
}
