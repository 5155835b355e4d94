import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import {
  defineConfig,
  envInt,
  envList,
  envString,
  envVar,
  loadConfig,
  type ConfigError,
  type ConfigOf,
  type Environment,
  type Result,
} from '@galileo/config';

/**
 * The embedded mode's own variables. Everything else is read by the services' own config loaders
 * (galileo's names), from the environment over the embedded defaults of `embeddedDefaults`.
 */
export const embeddedConfigSpec = defineConfig({
  dataDir: envVar({
    name: 'galileo_embedded_data_dir',
    schema: envString({ expected: 'a directory path' }),
    default: '.galileo',
    description:
      'Directory of the embedded mode: `galileo.sqlite` (the experiment database), `reports/`, `logs/`, `apps-repo/`, and the data of a redis-server started for it.',
  }),
  zones: envVar({
    name: 'galileo_embedded_zones',
    schema: envList({ separator: ',' }),
    default: 'zone-a,zone-b',
    description:
      'Zones this machine emulates: one node (`local-<zone>`, reported by its own telemd), one load balancer and its gateway per zone. The worker is the first zone’s client.',
  }),
  podsPerNode: envVar({
    name: 'galileo_embedded_pods_per_node',
    schema: envInt({ min: 1, max: 64 }),
    default: 4,
    description:
      'Allocatable pods of each emulated node (what the scale-schedule optimizer may place there).',
  }),
  healthPort: envVar({
    name: 'galileo_embedded_health_port',
    schema: envInt({ min: 0, max: 65535, noun: 'port' }),
    default: 5002,
    description:
      'Port of the combined `/healthz`, `/readyz` and `/metrics` of every service in the process (on 127.0.0.1); 0 picks a free one.',
  }),
});

export type EmbeddedConfig = ConfigOf<typeof embeddedConfigSpec>;

export function loadEmbeddedConfig(env: Environment): Result<EmbeddedConfig, ConfigError> {
  return loadConfig(embeddedConfigSpec, env);
}

/** The node that stands for a zone on this machine (`pod_creator_local_node=local-{zone}`). */
export const zoneNode = (zone: string) => `local-${zone}`;

/**
 * The embedded defaults (DESIGN.md "Storage and orchestration"): SQLite in the data dir, weights in
 * Redis, the local orchestrator, intervals short enough for one machine and a one-minute
 * experiment. Every one can be overridden by the environment.
 */
export function embeddedDefaults(config: EmbeddedConfig, env: Environment): Record<string, string> {
  const dataDir = resolve(config.dataDir);
  const firstZone = config.zones[0] ?? 'zone-a';
  const prefix = env.galileo_redis_key_prefix ?? '';
  const defaults: Record<string, string> = {
    galileo_logging_level: 'info',
    // experiment database: SQLite in the data dir
    galileo_expdb_driver: 'sqlite',
    galileo_expdb_sqlite_path: `${dataDir}/galileo.sqlite`,
    // telemd (its own variable names): the bus's key prefix, the instruments worth having here
    telemd_redis_key_prefix: prefix,
    telemd_instruments_enable: 'cpu ram load procs net',
    // the worker is the client of the first zone (its name is its node's, as galileo's workers)
    galileo_worker_name: zoneNode(firstZone),
    galileo_experimentd_name: 'embedded',
    galileo_recorder_consumer: 'embedded',
    // every producer here is on the bus; pub/sub channels carry no key prefix, so bridging them
    // would take in other deployments' lines on a shared Redis (turn it on for a Go telemd)
    galileo_recorder_ingest_pubsub: 'false',
    // weights in Redis (no etcd host), computed every 2 s from the last 5 s
    osmotic_lb_opt_reconcile_interval: '2s',
    osmotic_lb_opt_lookback: '5',
    osmotic_lb_opt_node_info_refresh: '5s',
    eb_go_lb_mode: 'prod',
    schedule_scale_opt_reconcile_interval: '5s',
    schedule_scale_opt_lookback: '10s',
    schedule_scale_opt_instance: 'embedded',
    schedule_scale_opt_max_replicas_busy: String(config.podsPerNode * config.zones.length),
    // the local orchestrator: sample-app processes reported on the zone's node
    schedule_scale_opt_orchestrator: 'local',
    pod_creator_local_node: 'local-{zone}',
    pod_creator_local_max_pods: String(config.podsPerNode * config.zones.length),
    galileo_context_trace_window_size: '30',
    galileo_context_telemetry_window_size: '60',
    galileo_api_bind_addr: '127.0.0.1:5001',
    galileo_apps_repo_dir: `${dataDir}/apps-repo`,
  };
  return defaults;
}

/** What the machine offers each emulated node: its cores and RAM, and `podsPerNode` pods. */
export function nodeAllocatable(podsPerNode: number): Record<string, string> {
  return {
    cpu: String(cpus().length),
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: String(podsPerNode),
  };
}
