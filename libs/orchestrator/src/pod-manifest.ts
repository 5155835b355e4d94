import type { V1Pod } from '@kubernetes/client-node';
import type { PodEventPayload } from '@galileo/events';
import {
  FUNCTION_LABEL,
  FUNCTION_PORT,
  POD_TEMPLATE_HASH_LABEL,
  WORKER_ROLE_LABEL,
  ZONE_LABEL,
  type PodCreateRequest,
} from './types.js';

/** The pod's Kubernetes name: `_` → `-` (function names use `_`, DNS names cannot). */
export const kubernetesName = (name: string) => name.replace(/_/g, '-');

/** The labels of a new replica: copied minus `pod-template-hash` (no ReplicaSet adopts it), zone set. */
export function replicaLabels(request: PodCreateRequest): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.labels)) if (k !== POD_TEMPLATE_HASH_LABEL) labels[k] = v;
  labels[ZONE_LABEL] = request.zone;
  if (labels[FUNCTION_LABEL] === undefined) labels[FUNCTION_LABEL] = request.fn;
  return labels;
}

/**
 * The bare Pod the original's k8s/create.py made (reference §5): no owner, nodeSelector on the
 * worker role and the zone, one container named after the function with port 8080
 * (`function-port`) and the requests (no limits).
 */
export function buildPodManifest(request: PodCreateRequest): V1Pod {
  const labels = replicaLabels(request);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: kubernetesName(request.podName), namespace: request.namespace, labels },
    spec: {
      nodeSelector: { [WORKER_ROLE_LABEL]: 'true', [ZONE_LABEL]: request.zone },
      containers: [
        {
          name: kubernetesName(labels[FUNCTION_LABEL] ?? request.fn),
          image: request.image,
          ports: [{ name: 'function-port', containerPort: FUNCTION_PORT }],
          resources: { requests: { ...request.resourceRequests } },
        },
      ],
    },
  };
}

const quoted = (m: Record<string, unknown> | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m ?? {})) out[k] = JSON.stringify(String(v));
  return out;
};

/**
 * A Kubernetes pod as telemd-kubernetes-adapter publishes it on `galileo/events` (Go struct field
 * order; quantities JSON-quoted, `"\"500m\""`; port = first containerPort or -1).
 */
export function podEventPayload(pod: V1Pod): PodEventPayload {
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const containers: PodEventPayload['containers'] = {};
  for (const c of pod.spec?.containers ?? []) {
    containers[c.name] = {
      id: statuses.get(c.name)?.containerID ?? '',
      name: c.name,
      image: c.image ?? '',
      port: c.ports?.[0]?.containerPort ?? -1,
      resource_requests: quoted(c.resources?.requests as Record<string, unknown> | undefined),
      resource_limits: quoted(c.resources?.limits as Record<string, unknown> | undefined),
    };
  }
  const start = pod.status?.startTime as Date | string | undefined;
  return {
    podUid: pod.metadata?.uid ?? '',
    containers,
    namespace: pod.metadata?.namespace ?? '',
    hostIP: pod.status?.hostIP ?? '',
    name: pod.metadata?.name ?? '',
    nodeName: pod.spec?.nodeName ?? '',
    podIP: pod.status?.podIP ?? '',
    qosClass: pod.status?.qosClass ?? '',
    startTime: start === undefined ? '' : start instanceof Date ? start.toISOString() : String(start),
    labels: { ...(pod.metadata?.labels ?? {}) },
    status: pod.status?.phase ?? 'Unknown',
  };
}
