import { hostname } from 'node:os';
import {
  defineConfig,
  envBool,
  envDuration,
  envField,
  envInt,
  envString,
  envVar,
  loadConfig,
  loggingConfigSpec,
  printMasked,
  redisConfigSpec,
  type ConfigError,
  type ConfigOf,
  type Environment,
  type Result,
} from '@galileo/config';
import { dbConfigSpec } from '@galileo/db';
import { DEFAULT_QUEUE } from '@galileo/experiment-queue';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
};

/** A size in bytes: `1048576`, `512KiB`, `1MiB` (K, KB, KiB, M, MB, MiB all count in 1024s). */
export const envBytes = () =>
  envField<number>('a size in bytes such as 1048576, 512KiB or 1MiB', (raw) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
    const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
    if (!m || unit === undefined) return { ok: false };
    const bytes = Math.floor(Number(m[1]) * unit);
    return bytes >= 1 ? { ok: true, value: bytes } : { ok: false };
  });

/**
 * The experiment daemon's environment variables. galileo's experimentd read only the Redis and
 * database variables (protocols §10); the rest are new and named `galileo_experimentd_*`.
 */
export const experimentDaemonConfigSpec = defineConfig({
  redis: redisConfigSpec,
  logging: loggingConfigSpec,
  db: dbConfigSpec,
  name: envVar({
    name: 'galileo_experimentd_name',
    schema: envString(),
    description:
      'Daemon name: its processing list, lease and current experiment are kept under it. `<host>-<pid>` when unset; give a stable name (e.g. the pod name) so a restarted daemon recovers its own work at once.',
  }),
  queue: envVar({
    name: 'galileo_experimentd_queue',
    schema: envString(),
    default: DEFAULT_QUEUE,
    description: "Redis LIST the experiments are queued on (LPUSH); galileo README's name by default.",
  }),
  maxMessageSize: envVar({
    name: 'galileo_experimentd_max_message_size',
    schema: envBytes(),
    default: '1MiB',
    description: 'Largest queue message read; a longer one is recorded as a FAILED experiment unread.',
  }),
  lease: envVar({
    name: 'galileo_experimentd_lease',
    schema: envDuration(),
    default: '10s',
    description:
      "How long a daemon is believed alive without renewing its lease (renewed every third of it). Another daemon recovers a dead one's work after it.",
  }),
  commandTimeout: envVar({
    name: 'galileo_experimentd_command_timeout',
    schema: envDuration(),
    default: '5s',
    description:
      'How long a worker may take to answer a command; no answer fails the experiment, naming the worker.',
  }),
  projection: envVar({
    name: 'galileo_experimentd_projection',
    schema: envBool(),
    default: true,
    description:
      'Write the `experiments` and `instructions` tables from the lifecycle events here (one consumer group shared by all daemons). Turn off where another process runs the projection.',
  }),
  httpPort: envVar({
    name: 'galileo_experimentd_http_port',
    schema: envInt({ min: 0, max: 65535, noun: 'port' }),
    default: 0,
    description: 'Port of `/healthz`, `/readyz` and `/metrics`; 0 turns the HTTP endpoint off.',
  }),
  httpHost: envVar({
    name: 'galileo_experimentd_http_host',
    schema: envString(),
    default: '0.0.0.0',
    description: 'Address the `/healthz`, `/readyz` and `/metrics` endpoint binds to.',
  }),
});

export type ExperimentDaemonEnvironmentConfig = ConfigOf<typeof experimentDaemonConfigSpec>;
export type ExperimentDaemonConfig = Omit<ExperimentDaemonEnvironmentConfig, 'name'> & {
  readonly name: string;
};

/** Loads the configuration; the name defaults to `<host>-<pid>`. */
export function loadExperimentDaemonConfig(
  env: Environment = process.env,
): Result<ExperimentDaemonConfig, ConfigError> {
  const loaded = loadConfig(experimentDaemonConfigSpec, env);
  if (!loaded.ok) return loaded;
  const name = loaded.value.name ?? `${hostname()}-${process.pid}`;
  const printed = { ...(JSON.parse(JSON.stringify(loaded.value)) as object), name };
  return { ok: true, value: printMasked({ ...loaded.value, name }, printed) };
}
