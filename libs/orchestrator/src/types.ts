import type { PodEventPayload, PodLifecycleEvent } from '@galileo/events';

/** What the pod-creator asks an orchestrator for: one function replica in one zone. */
export interface PodCreateRequest {
  /** `<fn>-deployment-<5 chars>`; `_` is turned into `-` when the pod is made. */
  podName: string;
  /** The function (`ether.edgerun.io/function`). */
  fn: string;
  image: string;
  /** Copied from an existing replica; the destination zone is set, `pod-template-hash` dropped. */
  labels: Readonly<Record<string, string>>;
  /** The destination zone (`ether.edgerun.io/zone`). */
  zone: string;
  namespace: string;
  resourceRequests: Readonly<Record<string, string>>;
}

export type OrchestratorErrorKind =
  | 'invalid' // 400/422: the pod as asked for cannot exist
  | 'forbidden' // 401/403, or outside the orchestrator's namespace
  | 'refused' // the image allow-list, the local orchestrator's limits
  | 'unavailable' // 5xx, network, the circuit breaker is open: worth retrying
  | 'failed'; // anything else

export interface OrchestratorError {
  kind: OrchestratorErrorKind;
  /** Whether trying again later may succeed. */
  retryable: boolean;
  message: string;
  /** HTTP status of the Kubernetes API, when there was one. */
  status?: number;
}

export type OrchestratorResult<T> = { ok: true; value: T } | { ok: false; error: OrchestratorError };

export const orchestratorError = (
  kind: OrchestratorErrorKind,
  message: string,
  status?: number,
): { ok: false; error: OrchestratorError } => ({
  ok: false,
  error: { kind, retryable: kind === 'unavailable', message, ...(status === undefined ? {} : { status }) },
});

export type PodListener = (event: PodLifecycleEvent, pod: PodEventPayload) => void;

export interface PodWatch {
  stop(): Promise<void>;
}

/**
 * Makes and removes function replicas (reference §5 "Kubernetes actuation"). Both operations are
 * idempotent by pod name: creating a pod that exists reports `created: false`, deleting one that
 * is gone `deleted: false`. Pod state is reported through `watch`, in telemd-kubernetes-adapter's
 * vocabulary (create, pending, running, shutdown, delete) and payload.
 */
export interface Orchestrator {
  readonly kind: string;
  createPod(request: PodCreateRequest): Promise<OrchestratorResult<{ name: string; created: boolean }>>;
  deletePod(name: string, namespace: string): Promise<OrchestratorResult<{ deleted: boolean }>>;
  /** The orchestrator's pods now, as the adapter's payload. */
  listPods(): Promise<PodEventPayload[]>;
  watch(listener: PodListener): Promise<PodWatch>;
  /** Stops watching; the local orchestrator also stops every process it started. */
  close(): Promise<void>;
}

export const ZONE_LABEL = 'ether.edgerun.io/zone';
export const FUNCTION_LABEL = 'ether.edgerun.io/function';
export const WORKER_ROLE_LABEL = 'node-role.kubernetes.io/worker';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const FUNCTION_PORT = 8080;
