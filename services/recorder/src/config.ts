import { hostname } from 'node:os';
import {
  defineConfig,
  envBool,
  envDuration,
  envEnum,
  envInt,
  envString,
  envVar,
  loadConfig,
  loggingConfigSpec,
  redisConfigSpec,
  type ConfigError,
  type ConfigOf,
  type Environment,
  type Result,
} from '@galileo/config';
import { dbConfigSpec } from '@galileo/db';
import { influxConfigSpec } from '@galileo/timeseries';

/** The recorder's variables: galileo's for Redis and the experiment database (protocols §7.1, §10), and its own. */
export const recorderConfigSpec = defineConfig({
  redis: redisConfigSpec,
  logging: loggingConfigSpec,
  db: dbConfigSpec,
  influx: influxConfigSpec,
  name: envVar({
    name: 'galileo_recorder_name',
    schema: envString(),
    default: 'recorder',
    description:
      'Consumer group prefix on the bus: recorders with the same name share the work, another name records everything again.',
  }),
  consumer: envVar({
    name: 'galileo_recorder_consumer',
    schema: envString(),
    description:
      "This consumer's name in the groups; the host name when unset, so a restarted recorder (same pod or host) takes up at once what it held when it died.",
  }),
  claimIdle: envVar({
    name: 'galileo_recorder_claim_idle',
    schema: envDuration(),
    default: '30s',
    description: 'Messages held this long by a consumer that is gone are taken over by another recorder.',
  }),
  batchSize: envVar({
    name: 'galileo_recorder_batch_size',
    schema: envInt({ min: 1, max: 100_000 }),
    default: 5000,
    description: 'Most rows or points written in one store call.',
  }),
  flushInterval: envVar({
    name: 'galileo_recorder_flush_interval',
    schema: envDuration(),
    default: '200ms',
    description: 'Longest a record waits for its batch to fill before it is written (at most 1 s).',
  }),
  retryInterval: envVar({
    name: 'galileo_recorder_retry_interval',
    schema: envDuration(),
    default: '1s',
    description:
      'While a store is down (its circuit breaker open) a batch is tried again this often; nothing is acknowledged meanwhile.',
  }),
  storeTimeout: envVar({
    name: 'galileo_recorder_store_timeout',
    schema: envDuration(),
    default: '30s',
    description:
      'A store write that has not answered after this long counts as failed (the batch is tried again; a late success is harmless, writes are idempotent).',
  }),
  breakerResetTimeout: envVar({
    name: 'galileo_recorder_breaker_reset_timeout',
    schema: envDuration(),
    default: '2s',
    description: 'How long a store circuit breaker stays open before one trial write (half-open).',
  }),
  ingestPubSub: envVar({
    name: 'galileo_recorder_ingest_pubsub',
    schema: envBool(),
    default: true,
    description:
      'Bridge the pub/sub channels of outside producers into the bus: `galileo/events` (exp.event, pod events, optimizers) and `telem/*` (a Go telemd). Run it in one recorder only.',
  }),
  ingestTraceLines: envVar({
    name: 'galileo_recorder_ingest_trace_lines',
    schema: envBool(),
    default: false,
    description:
      "Also bridge galileo's trace lines from `<prefix>galileo/results/traces` (Python workers with `galileo_trace_logging=redis`). Off by default: this system's workers put traces on the bus already.",
  }),
  telemdTimestamps: envVar({
    name: 'galileo_recorder_telemd_timestamps',
    schema: envEnum(['float', 'go']),
    default: 'float',
    description:
      "How `telem/*` timestamps are read: `float` as galileo does, `go` undoes the Go telemd's unpadded nanoseconds (right for Go agents, wrong for Python reporters; the TypeScript telemd reads right either way).",
  }),
  busReads: envVar({
    name: 'galileo_recorder_bus_reads',
    schema: envEnum(['resp', 'ioredis']),
    default: 'resp',
    description:
      "How the bus subscriptions read their streams: `resp` on a socket of their own with the bus's lean RESP reader (less CPU per record), `ioredis` through a duplicate of the ioredis client (the former path, for comparison).",
  }),
  httpPort: envVar({
    name: 'galileo_recorder_http_port',
    schema: envInt({ min: 0, max: 65535, noun: 'port' }),
    default: 0,
    description: 'Port of /healthz, /readyz and /metrics; 0 turns them off.',
  }),
});

export type RecorderConfig = ConfigOf<typeof recorderConfigSpec>;

export function loadRecorderConfig(env: Environment): Result<RecorderConfig, ConfigError> {
  const loaded = loadConfig(recorderConfigSpec, env);
  if (!loaded.ok) return loaded;
  return { ok: true, value: { ...loaded.value, consumer: loaded.value.consumer ?? hostname() } };
}

/** Which stores a driver writes (galileo's drivers; `mixed` writes the time series to both). */
export function storesOf(driver: RecorderConfig['db']['driver']): { sql: boolean; influx: boolean } {
  return { sql: driver !== 'influxdb', influx: driver === 'mixed' || driver === 'influxdb' };
}
