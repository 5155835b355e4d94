import {
  defineConfig,
  envBool,
  envDuration,
  envEnum,
  envInt,
  envList,
  envString,
  envVar,
  loadConfig,
  loggingConfigSpec,
  redisConfigSpec,
  type ConfigOf,
  type Environment,
} from '@galileo/config';

/** The pod-creator's variables; the actuation ones keep the optimizer's names (reference §5). */
export const podCreatorConfigSpec = defineConfig({
  redis: redisConfigSpec,
  logging: loggingConfigSpec,
  orchestrator: envVar({
    name: 'schedule_scale_opt_orchestrator',
    schema: envEnum(['local', 'kubernetes']),
    default: 'local',
    description:
      'Where replicas run: `kubernetes` (the API, namespace-scoped) or `local` (child processes of the sample app, the embedded default).',
  }),
  k8sConfig: envVar({
    name: 'schedule_scale_opt_k8s_config',
    schema: envEnum(['local', 'in_cluster']),
    default: 'local',
    description: '`local`: kubeconfig (`KUBECONFIG` or ~/.kube/config); `in_cluster`: the service account.',
  }),
  namespace: envVar({
    name: 'schedule_scale_opt_k8s_namespace',
    schema: envString(),
    default: 'default',
    description:
      'The one namespace the Kubernetes orchestrator creates, deletes and watches pods in; requests for others are refused.',
  }),
  asyncPodCreation: envVar({
    name: 'schedule_scale_opt_async_pod_creation',
    schema: envBool(),
    default: false,
    description:
      'True: a scale_schedule is acknowledged once its job is queued (fire and forget). False: the next event waits until the pod was created or deleted.',
  }),
  dryRun: envVar({
    name: 'schedule_scale_opt_dry_run',
    schema: envBool(),
    default: false,
    description: 'Log what would be done and do nothing.',
  }),
  allowedImages: envVar({
    name: 'schedule_scale_opt_allowed_images',
    schema: envList(),
    description:
      'Images replicas may run: exact names, repositories (every tag) or prefixes ending in `*`; unset allows every image. Others are refused with a reason.',
  }),
  jobAttempts: envVar({
    name: 'pod_creator_job_attempts',
    schema: envInt({ min: 1 }),
    default: 6,
    description:
      'Tries of a create/delete job before it fails for good (5xx, network errors, an open breaker).',
  }),
  jobBackoff: envVar({
    name: 'pod_creator_job_backoff',
    schema: envDuration(),
    default: '1s',
    description: 'First retry delay of a job; doubled on each retry.',
  }),
  jobRetention: envVar({
    name: 'pod_creator_job_retention',
    schema: envDuration(),
    default: '24h',
    description:
      'How long finished jobs are kept; within it a redelivered event for the same pod is recognised and ignored.',
  }),
  syncTimeout: envVar({
    name: 'pod_creator_sync_timeout',
    schema: envDuration(),
    default: '2m',
    description: 'In sync mode, the longest an event waits for its job.',
  }),
  breakerReset: envVar({
    name: 'pod_creator_k8s_breaker_reset',
    schema: envDuration(),
    default: '30s',
    description:
      'How long the Kubernetes circuit breaker stays open after a run of 5xx answers before a trial call.',
  }),
  k8sTimeout: envVar({
    name: 'pod_creator_k8s_timeout',
    schema: envDuration(),
    default: '10s',
    description: 'A Kubernetes API call slower than this counts as failed.',
  }),
  localMaxPods: envVar({
    name: 'pod_creator_local_max_pods',
    schema: envInt({ min: 1 }),
    default: 32,
    description: 'Most replicas the local orchestrator runs at once.',
  }),
  localCpuMs: envVar({
    name: 'pod_creator_local_cpu_ms',
    schema: envInt({ min: 0 }),
    default: 0,
    description: 'CPU work per request of a local replica (`SAMPLE_APP_CPU_MS` of the sample app).',
  }),
  localNode: envVar({
    name: 'pod_creator_local_node',
    schema: envString(),
    description:
      'Node name local replicas are reported on; `{zone}` is replaced by the zone (e.g. `local-{zone}`); unset: this host name.',
  }),
  mirror: envVar({
    name: 'pod_creator_mirror_events',
    schema: envBool(),
    default: true,
    description:
      'Also publish pod events on the pub/sub channel `galileo/events` as telemd-kubernetes-adapter does (`"<ts %.7f> pod/<event> <json>"`).',
  }),
  httpPort: envVar({
    name: 'pod_creator_http_port',
    schema: envInt({ min: 0, max: 65535, noun: 'port' }),
    default: 0,
    description: 'Port of `/healthz`, `/readyz` and `/metrics`; 0 turns them off.',
  }),
  httpHost: envVar({
    name: 'pod_creator_http_host',
    schema: envString(),
    default: '0.0.0.0',
    description: 'Address the health endpoint binds to.',
  }),
});

export type PodCreatorConfig = ConfigOf<typeof podCreatorConfigSpec>;

export const loadPodCreatorConfig = (env: Environment = process.env) => loadConfig(podCreatorConfigSpec, env);
