import { ApiException, CoreV1Api, KubeConfig, Watch, type V1Pod } from '@kubernetes/client-node';
import type { PodEventPayload, PodLifecycleEvent } from '@galileo/events';
import CircuitBreaker from 'opossum';
import { buildPodManifest, kubernetesName, podEventPayload } from './pod-manifest.js';
import {
  orchestratorError,
  type Orchestrator,
  type OrchestratorResult,
  type PodListener,
  type PodWatch,
} from './types.js';

export interface KubernetesOrchestratorOptions {
  /** `local` (kubeconfig / KUBECONFIG), `in_cluster` (service account), or a ready KubeConfig. */
  config: 'local' | 'in_cluster' | KubeConfig;
  /** The only namespace it acts in (RBAC is limited to it). */
  namespace: string;
  /** Only pods with this label selector are watched (default: those with a function label). */
  labelSelector?: string;
  breaker?: {
    /** A call slower than this counts as failed (default 10 s). */
    timeoutMs?: number;
    /** Failure percentage that opens the breaker (default 50). */
    errorThresholdPercentage?: number;
    /** Calls in the rolling window before it may open (default 5). */
    volumeThreshold?: number;
    /** How long it stays open before a trial call (default 30 s). */
    resetTimeoutMs?: number;
    rollingCountTimeoutMs?: number;
  };
  /** Reconnect delay of the watch after it ended (default 1 s, doubling up to 30 s). */
  watchRetryMs?: number;
  logger?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
}

/** A Kubernetes Status body (what the API answers an error with), as far as we read it. */
interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
}

function statusOf(e: unknown): { status?: number; message: string } {
  if (e instanceof ApiException) {
    let body: StatusBody | undefined;
    try {
      body = typeof e.body === 'string' ? (JSON.parse(e.body) as StatusBody) : (e.body as StatusBody);
    } catch {
      body = undefined;
    }
    return { status: e.code, message: body?.message ?? `HTTP ${e.code}` };
  }
  return { message: (e as Error)?.message ?? String(e) };
}

/** 5xx, timeouts and network failures count against the breaker; 4xx answers do not. */
const isServerFailure = (e: unknown) => {
  if (e instanceof ApiException) return e.code >= 500 || e.code === 429;
  return true;
};

function classify<T>(e: unknown, what: string): OrchestratorResult<T> {
  if ((e as { code?: string })?.code === 'EOPENBREAKER') {
    return orchestratorError(
      'unavailable',
      `${what}: the Kubernetes API failed repeatedly; the circuit breaker is open and calls wait for it to close`,
    );
  }
  const { status, message } = statusOf(e);
  if (status === undefined) return orchestratorError('unavailable', `${what}: ${message}`);
  if (status === 400 || status === 422) return orchestratorError('invalid', `${what}: ${message}`, status);
  if (status === 401 || status === 403) return orchestratorError('forbidden', `${what}: ${message}`, status);
  if (status >= 500 || status === 429) return orchestratorError('unavailable', `${what}: ${message}`, status);
  return orchestratorError('failed', `${what}: ${message}`, status);
}

/**
 * Pods through the Kubernetes API (@kubernetes/client-node 1.x), every call inside an opossum
 * circuit breaker so a failing API server is not hammered by retries. Namespace-scoped.
 */
export function createKubernetesOrchestrator(options: KubernetesOrchestratorOptions): Orchestrator & {
  readonly breaker: CircuitBreaker;
} {
  const kc =
    options.config instanceof KubeConfig
      ? options.config
      : (() => {
          const c = new KubeConfig();
          if (options.config === 'in_cluster') c.loadFromCluster();
          else c.loadFromDefault();
          return c;
        })();
  const api = kc.makeApiClient(CoreV1Api);
  const namespace = options.namespace;
  const labelSelector = options.labelSelector ?? 'ether.edgerun.io/function';
  const b = options.breaker ?? {};
  const breaker = new CircuitBreaker(<T>(call: () => Promise<T>) => call(), {
    timeout: b.timeoutMs ?? 10_000,
    errorThresholdPercentage: b.errorThresholdPercentage ?? 50,
    volumeThreshold: b.volumeThreshold ?? 5,
    resetTimeout: b.resetTimeoutMs ?? 30_000,
    rollingCountTimeout: b.rollingCountTimeoutMs ?? 10_000,
    errorFilter: (e: unknown) => !isServerFailure(e),
  });
  const call = <T>(fn: () => Promise<T>) => breaker.fire(fn) as Promise<T>;
  const watches = new Set<PodWatch>();

  const outside = (ns: string) =>
    ns !== namespace
      ? orchestratorError(
          'forbidden',
          `namespace ${JSON.stringify(ns)} is outside this orchestrator's namespace ${JSON.stringify(namespace)}`,
        )
      : null;

  return {
    kind: 'kubernetes',
    breaker,
    async createPod(request) {
      const refused = outside(request.namespace);
      if (refused) return refused;
      const body = buildPodManifest(request);
      const name = body.metadata!.name!;
      try {
        await call(() => api.createNamespacedPod({ namespace, body }));
        return { ok: true, value: { name, created: true } };
      } catch (e) {
        if (e instanceof ApiException && e.code === 409) return { ok: true, value: { name, created: false } };
        return classify(e, `creating pod ${name} in ${namespace}`);
      }
    },
    async deletePod(podName, ns) {
      const refused = outside(ns);
      if (refused) return refused;
      const name = kubernetesName(podName);
      try {
        await call(() => api.deleteNamespacedPod({ name, namespace }));
        return { ok: true, value: { deleted: true } };
      } catch (e) {
        if (e instanceof ApiException && e.code === 404) return { ok: true, value: { deleted: false } };
        return classify(e, `deleting pod ${name} in ${namespace}`);
      }
    },
    async listPods() {
      const list = await call(() => api.listNamespacedPod({ namespace, labelSelector }));
      return list.items.map(podEventPayload);
    },
    async watch(listener: PodListener) {
      return startPodWatch(kc, api, namespace, labelSelector, listener, options, watches);
    },
    async close() {
      await Promise.all([...watches].map((w) => w.stop()));
      breaker.shutdown();
    },
  };
}

/**
 * telemd-kubernetes-adapter's informer semantics: ADDED → create (and running for pods already
 * running at startup), Pending → pending, Pending→Running with IP and container id → running,
 * deletionTimestamp set → shutdown, DELETED → delete. Reconnects from the last resourceVersion.
 */
async function startPodWatch(
  kc: KubeConfig,
  api: CoreV1Api,
  namespace: string,
  labelSelector: string,
  listener: PodListener,
  options: KubernetesOrchestratorOptions,
  registry: Set<PodWatch>,
): Promise<PodWatch> {
  const phases = new Map<string, string>();
  const shutdown = new Set<string>();
  const emit = (event: PodLifecycleEvent, pod: V1Pod) => {
    try {
      listener(event, podEventPayload(pod));
    } catch (e) {
      options.logger?.warn({ err: e }, 'pod listener failed');
    }
  };
  const runningReady = (pod: V1Pod) =>
    pod.status?.phase === 'Running' &&
    !!pod.status.podIP &&
    (pod.status.containerStatuses ?? []).some((s) => !!s.containerID);

  const onPod = (type: string, pod: V1Pod) => {
    const uid = pod.metadata?.uid ?? pod.metadata?.name ?? '';
    const previous = phases.get(uid);
    const phase = pod.status?.phase ?? 'Unknown';
    if (type === 'ADDED') {
      if (previous === undefined) emit('create', pod);
      phases.set(uid, phase);
      if (phase === 'Running' && runningReady(pod) && previous !== 'Running') emit('running', pod);
      return;
    }
    if (type === 'MODIFIED') {
      if (pod.metadata?.deletionTimestamp && !shutdown.has(uid)) {
        shutdown.add(uid);
        emit('shutdown', pod);
      } else if (phase === 'Pending') emit('pending', pod);
      else if (phase === 'Running' && previous !== 'Running' && runningReady(pod)) emit('running', pod);
      if (phase !== 'Running' || runningReady(pod)) phases.set(uid, phase);
      return;
    }
    if (type === 'DELETED') {
      phases.delete(uid);
      shutdown.delete(uid);
      emit('delete', pod);
    }
  };

  let stopped = false;
  let controller: AbortController | null = null;
  let resourceVersion: string | undefined;
  let delay = options.watchRetryMs ?? 1_000;
  let timer: NodeJS.Timeout | null = null;

  const list = async () => {
    const pods = await api.listNamespacedPod({ namespace, labelSelector });
    resourceVersion = pods.metadata?.resourceVersion;
    const seen = new Set<string>();
    for (const pod of pods.items) {
      seen.add(pod.metadata?.uid ?? '');
      onPod('ADDED', pod);
    }
    for (const uid of [...phases.keys()]) if (!seen.has(uid)) phases.delete(uid);
  };

  const connect = async (): Promise<void> => {
    if (stopped) return;
    try {
      if (resourceVersion === undefined) await list();
      controller = await new Watch(kc).watch(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
        { labelSelector, resourceVersion, allowWatchBookmarks: true },
        (type: string, obj: V1Pod) => {
          delay = options.watchRetryMs ?? 1_000;
          if (obj?.metadata?.resourceVersion) resourceVersion = obj.metadata.resourceVersion;
          if (type === 'BOOKMARK') return;
          if (type === 'ERROR') {
            resourceVersion = undefined; // 410 Gone: list again
            return;
          }
          onPod(type, obj);
        },
        (err: unknown) => {
          controller = null;
          if (stopped) return;
          if (err)
            options.logger?.warn(
              { err: (err as Error).message ?? String(err) },
              'pod watch ended; reconnecting',
            );
          schedule();
        },
      );
    } catch (e) {
      options.logger?.warn({ err: (e as Error).message }, 'pod watch could not start; retrying');
      resourceVersion = undefined;
      schedule();
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void connect(), delay);
    delay = Math.min(delay * 2, 30_000);
  };
  await connect();
  const handle: PodWatch = {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      controller?.abort();
      registry.delete(handle);
    },
  };
  registry.add(handle);
  return handle;
}

export type { PodEventPayload };
