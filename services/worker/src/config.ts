import { hostname } from 'node:os';
import {
  defineConfig,
  envDuration,
  envEnum,
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
import { DEFAULT_ROUTER_TYPE, DEFAULT_STATIC_HOST, routerTypes } from '@galileo/routing';
import { httpClientImplementations } from './http-client.js';
import { labelsFromEnvironment } from './labels.js';

/** The worker's environment variables, with galileo's names where galileo had one (protocols §10). */
export const workerConfigSpec = defineConfig({
  redis: redisConfigSpec,
  logging: loggingConfigSpec,
  name: envVar({
    name: 'galileo_worker_name',
    schema: envString(),
    description: 'Worker name, registered in `galileo:workers`; the host name when unset.',
  }),
  traceLogging: envVar({
    name: 'galileo_trace_logging',
    schema: envEnum(['redis', 'sql', 'file', 'bus']),
    description:
      'Traces always go on the bus (`galileo.traces.<service>`), where the recorder stores them (so `sql` and `bus` mean just that); `redis` also mirrors them as galileo lines on the pub/sub channel `galileo/results/traces`. `file` is not supported yet and counts as `bus`.',
  }),
  traceFlush: envVar({
    name: 'galileo_expdb_trace_logger_flush',
    schema: envInt({ min: 1 }),
    default: 20,
    description:
      'Traces buffered before they are published; under load a flush takes everything buffered, in events of up to 250 traces.',
  }),
  traceFlushInterval: envVar({
    name: 'galileo_worker_trace_flush_interval',
    schema: envDuration(),
    default: '250ms',
    description: 'Longest time a trace waits in the buffer (at most 1 s is sensible).',
  }),
  traceResponseLimit: envVar({
    name: 'galileo_worker_trace_response_limit',
    schema: envInt({ min: 0 }),
    default: 65536,
    description: 'Characters of a response body kept in its trace; the rest is read and discarded.',
  }),
  routerType: envVar({
    name: 'galileo_router_type',
    schema: envEnum(routerTypes),
    default: DEFAULT_ROUTER_TYPE,
    description:
      'How requests find a host: the routing table with or without a cache, a static host, or no I/O.',
  }),
  routerStaticHost: envVar({
    name: 'galileo_router_static_host',
    schema: envString(),
    default: DEFAULT_STATIC_HOST,
    description: 'URL prefix of the StaticRouter.',
  }),
  appsDir: envVar({
    name: 'galileo_apps_dir',
    schema: envString({ expected: 'a directory path' }),
    default: './apps',
    description:
      'Directory of client apps: `<dir>/<name>/manifest.yml` (or `manifest.json`) and a module exporting `nextRequest`.',
  }),
  httpPort: envVar({
    name: 'galileo_worker_http_port',
    schema: envInt({ min: 0, max: 65535, noun: 'port' }),
    default: 0,
    description: 'Port of `/healthz` and `/metrics`; 0 turns the HTTP endpoint off.',
  }),
  httpHost: envVar({
    name: 'galileo_worker_http_host',
    schema: envString(),
    default: '0.0.0.0',
    description: 'Address the `/healthz` and `/metrics` endpoint binds to.',
  }),
  heartbeatInterval: envVar({
    name: 'galileo_worker_heartbeat_interval',
    schema: envDuration(),
    default: '5s',
    description:
      'How often the worker refreshes its heartbeat key; the key expires after three intervals, and a dead worker is dropped from `galileo:workers` then.',
  }),
  connectionsPerOrigin: envVar({
    name: 'galileo_worker_connections_per_origin',
    schema: envInt({ min: 1 }),
    default: 256,
    description:
      'Keep-alive connections the worker opens to one origin (host:port) at most, for all its groups; a request finding them all busy waits for one (its latency still counts from its intended time). Bounds memory when a stall makes many requests due at once.',
  }),
  httpClient: envVar({
    name: 'galileo_worker_http_client',
    schema: envEnum(httpClientImplementations),
    default: 'lean',
    description:
      'HTTP client of the requests: `lean` (`@galileo/http1`, keep-alive connections over `node:net`; about a third less worker CPU per request) or `undici` (undici `Client`s with keep-alive pools).',
  }),
  maxInFlight: envVar({
    name: 'galileo_worker_max_in_flight',
    schema: envInt({ min: 1 }),
    default: 500,
    description:
      'Outstanding requests per client group; a request due while the group is at this bound is dropped (counted, not sent).',
  }),
  lateThreshold: envVar({
    name: 'galileo_worker_late_threshold',
    schema: envDuration(),
    default: '10ms',
    description:
      'A request leaving more than this after its intended time is counted as late (it is still sent; its latency counts from the intended time).',
  }),
  requestTimeout: envVar({
    name: 'galileo_worker_request_timeout',
    schema: envDuration(),
    default: '30s',
    description: 'Longest wait for response headers, and for each chunk of a response body.',
  }),
  shutdownTimeout: envVar({
    name: 'galileo_worker_shutdown_timeout',
    schema: envDuration(),
    default: '10s',
    description:
      'On stop or close, how long outstanding requests may take to finish before they are aborted.',
  }),
});

export type WorkerEnvironmentConfig = ConfigOf<typeof workerConfigSpec>;

/** What createWorker needs: the loaded variables plus the resolved name and labels. */
export type WorkerConfig = Omit<WorkerEnvironmentConfig, 'name'> & {
  readonly name: string;
  /** `galileo_*` variables except secrets (protocols §3.1), written to the label hash. */
  readonly labels: Readonly<Record<string, string>>;
};

/** Loads the worker configuration from an environment: the name defaults to the host name. */
export function loadWorkerConfig(env: Environment = process.env): Result<WorkerConfig, ConfigError> {
  const loaded = loadConfig(workerConfigSpec, env);
  if (!loaded.ok) return loaded;
  const resolved = { name: loaded.value.name ?? hostname(), labels: labelsFromEnvironment(env) };
  // The spread drops the masked printing of the top level; the Redis group keeps its own.
  const printed = { ...(JSON.parse(JSON.stringify(loaded.value)) as object), ...resolved };
  return { ok: true, value: printMasked({ ...loaded.value, ...resolved }, printed) };
}
