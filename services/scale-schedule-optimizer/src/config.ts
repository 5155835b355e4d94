import { contextConfigSpec } from '@galileo/context';
import {
  ConfigError,
  defineConfig,
  envBool,
  envDuration,
  envEnum,
  envField,
  envFloat,
  envInt,
  envList,
  envString,
  envVar,
  loadConfig,
  loggingConfigSpec,
  redisConfigSpec,
  type ConfigOf,
  type ConfigProblem,
  type Environment,
  type Result,
} from '@galileo/config';
import {
  OSMOTIC_RECORD_NAMES,
  PRESSURE_NAMES,
  type OsmoticRecordName,
  type PressureName,
} from '@galileo/osmotic';

const pressureName = envField<PressureName>(`one of ${PRESSURE_NAMES.join(', ')}`, (raw) =>
  (PRESSURE_NAMES as readonly string[]).includes(raw)
    ? { ok: true, value: raw as PressureName }
    : { ok: false },
);

const pressureWeight = envField<[PressureName, number]>('<pressure>:<weight>, e.g. cpu_usage:2', (raw) => {
  const [name, weight] = raw.split(':');
  const w = Number(weight);
  if (
    !name ||
    !(PRESSURE_NAMES as readonly string[]).includes(name) ||
    weight === undefined ||
    !Number.isFinite(w)
  )
    return { ok: false };
  return { ok: true, value: [name as PressureName, w] };
});

const recordName = envField<OsmoticRecordName>(`one of ${OSMOTIC_RECORD_NAMES.join(', ')}`, (raw) =>
  (OSMOTIC_RECORD_NAMES as readonly string[]).includes(raw)
    ? { ok: true, value: raw as OsmoticRecordName }
    : { ok: false },
);

/** The osmotic optimizer's variables, with the original's names (reference §5). */
export const optimizerConfigSpec = defineConfig({
  redis: redisConfigSpec,
  logging: loggingConfigSpec,
  context: contextConfigSpec,
  reconcileInterval: envVar({
    name: 'schedule_scale_opt_reconcile_interval',
    schema: envDuration(),
    default: '10s',
    description: 'Time between two rounds (a bare number is seconds).',
  }),
  lookback: envVar({
    name: 'schedule_scale_opt_lookback',
    schema: envDuration(),
    default: '20s',
    description: 'CPU telemetry averaged per replica for `cpu_usage` and for picking the replica to remove.',
  }),
  maxThreshold: envVar({
    name: 'schedule_scale_opt_max_threshold',
    schema: envFloat(),
    default: 0.8,
    description: 'A client pressure above it asks for a replica near that client zone.',
  }),
  minThreshold: envVar({
    name: 'schedule_scale_opt_min_threshold',
    schema: envFloat(),
    default: 0.2,
    description: "A function's mean pressure at a gateway below it removes a replica there (never the last).",
  }),
  pressures: envVar({
    name: 'schedule_scale_opt_pressures',
    schema: envList({ item: pressureName }),
    default: 'request,rtt_log,cpu_usage',
    description: `Components multiplied into the client pressure: ${PRESSURE_NAMES.join(', ')}. All are computed and published.`,
  }),
  pressureWeights: envVar({
    name: 'schedule_scale_opt_pressure_weights',
    schema: envList({ item: pressureWeight }),
    description:
      'Optional weights `name:weight,…` (faas-optimizations): the product is Π value × weight; unlisted components weigh 1.',
  }),
  a: envVar({
    name: 'schedule_scale_opt_a',
    schema: envFloat(),
    default: 250,
    description: 'Logistic curve: upper value a.',
  }),
  b: envVar({
    name: 'schedule_scale_opt_b',
    schema: envFloat(),
    default: 1,
    description: 'Logistic curve: lower value b.',
  }),
  c: envVar({
    name: 'schedule_scale_opt_c',
    schema: envFloat(),
    default: 0.2,
    description: 'Logistic curve: steepness c.',
  }),
  d: envVar({
    name: 'schedule_scale_opt_d',
    schema: envFloat(),
    default: 35,
    description:
      'Logistic curve: midpoint d (ms) of `rtt_log`; `latency_req_log` uses the requirement instead.',
  }),
  offset: envVar({
    name: 'schedule_scale_opt_offset',
    schema: envFloat(),
    default: 0,
    description: 'Moves the midpoint to d·(1−offset) (and requirement·(1−offset)).',
  }),
  percentile: envVar({
    name: 'schedule_scale_opt_percentile_duration',
    schema: envFloat({ min: 0, max: 100 }),
    default: 90,
    description: 'Percentile of the target time for `rtt_log`.',
  }),
  targetTimeMeasure: envVar({
    name: 'schedule_scale_opt_target_time_measure',
    schema: envEnum(['rtt', 'network_latency']),
    default: 'rtt',
    description:
      'Trace column of `rtt_log`: `rtt` (seconds, ×1000 to ms) or `network_latency` (ms, from X-Start/X-End).',
  }),
  maxReplicas: envVar({
    name: 'schedule_scale_opt_max_replicas_busy',
    schema: envInt({ min: 1 }),
    default: 20,
    description:
      'Most replicas of one function cluster-wide (running + pending + created this round − deleted).',
  }),
  defaultLatencyRequirement: envVar({
    name: 'schedule_scale_opt_default_latency_requirement',
    schema: envFloat({ min: 0 }),
    description:
      'Latency requirement (ms) of functions without `schedule_scale_opt_latency_requirement_<fn>`; unset: such functions are skipped (logged).',
  }),
  dryRun: envVar({
    name: 'schedule_scale_opt_dry_run',
    schema: envBool(),
    default: false,
    description:
      'Publish every record but act on nothing: scale_schedule goes to `galileo/events` and to the bus subject `galileo.events.scale_schedule.dry-run`, which the pod-creator does not read.',
  }),
  records: envVar({
    name: 'schedule_scale_opt_records',
    schema: envList({ item: recordName }),
    description:
      'Publish only these record names (comma-separated); unset publishes all of them, as the original did. A large cluster produces ~8 records per (function, gateway, client zone) and round.',
  }),
  mirror: envVar({
    name: 'schedule_scale_opt_mirror_events',
    schema: envBool(),
    default: true,
    description:
      'Also publish each event on the pub/sub channel `galileo/events` as the Python optimizer did (`"<ts> <name> <json>"`, Python JSON). Turn off when a generic mirror of `galileo.events.>` runs.',
  }),
  instance: envVar({
    name: 'schedule_scale_opt_instance',
    schema: envString(),
    description: 'Name of this replica in the leader lease; the host name and process id when unset.',
  }),
  httpPort: envVar({
    name: 'schedule_scale_opt_http_port',
    schema: envInt({ min: 0, max: 65535, noun: 'port' }),
    default: 0,
    description: 'Port of `/healthz`, `/readyz` and `/metrics`; 0 turns them off.',
  }),
  httpHost: envVar({
    name: 'schedule_scale_opt_http_host',
    schema: envString(),
    default: '0.0.0.0',
    description: 'Address the health endpoint binds to.',
  }),
});

export type OptimizerEnvironmentConfig = ConfigOf<typeof optimizerConfigSpec>;

export type OptimizerConfig = OptimizerEnvironmentConfig & {
  /** `schedule_scale_opt_latency_requirement_<fn>` in ms, by function name (`_` form). */
  readonly latencyRequirements: Readonly<Record<string, number>>;
};

export const LATENCY_REQUIREMENT_PREFIX = 'schedule_scale_opt_latency_requirement_';

/** The per-function latency requirements: `schedule_scale_opt_latency_requirement_<fn>=<ms>`. */
export function latencyRequirementsFromEnvironment(
  env: Environment,
): Result<Record<string, number>, ConfigProblem[]> {
  const out: Record<string, number> = {};
  const problems: ConfigProblem[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith(LATENCY_REQUIREMENT_PREFIX) || v === undefined || v.trim() === '') continue;
    const fn = k.slice(LATENCY_REQUIREMENT_PREFIX.length);
    const ms = Number(v);
    if (!fn || !Number.isFinite(ms) || ms <= 0) {
      problems.push({ variable: k, value: v, message: 'expected a latency in ms > 0' });
      continue;
    }
    out[fn.replace(/-/g, '_')] = ms;
  }
  return problems.length > 0 ? { ok: false, error: problems } : { ok: true, value: out };
}

export function loadOptimizerConfig(env: Environment = process.env): Result<OptimizerConfig, ConfigError> {
  const loaded = loadConfig(optimizerConfigSpec, env);
  const requirements = latencyRequirementsFromEnvironment(env);
  const problems = [
    ...(loaded.ok ? [] : loaded.error.problems),
    ...(requirements.ok ? [] : requirements.error),
  ];
  if (problems.length > 0 || !loaded.ok || !requirements.ok)
    return { ok: false, error: new ConfigError(problems) };
  return { ok: true, value: Object.assign(loaded.value, { latencyRequirements: requirements.value }) };
}
