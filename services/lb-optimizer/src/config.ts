import {
  defineConfig,
  envBool,
  envDuration,
  envEnum,
  envFloat,
  envInt,
  envString,
  envVar,
  loggingConfigSpec,
  redisConfigSpec,
  type ConfigOf,
} from '@galileo/config';
import { contextConfigSpec } from '@galileo/context';

/** lb-opt's variables (reference §4) with galileo-context's (§3) and the bus's Redis. */
export const lbOptimizerConfigSpec = defineConfig({
  redis: redisConfigSpec,
  logging: loggingConfigSpec,
  context: contextConfigSpec,
  etcdHost: envVar({
    name: 'osmotic_lb_opt_etcd_host',
    schema: envString({ expected: 'a host name or IP address' }),
    description: 'etcd host of the weights. Unset: the embedded mode, weights in Redis (`galileo_redis_*`).',
  }),
  etcdPort: envVar({
    name: 'osmotic_lb_opt_etcd_port',
    schema: envInt({ min: 1, max: 65535, noun: 'port' }),
    default: 2379,
    description: 'etcd port.',
  }),
  expectedClusterId: envVar({
    name: 'osmotic_lb_opt_expected_cluster_id',
    schema: envString(),
    aliases: ['osmotic_lb_opt_etcd_cluster_id'],
    description: 'Accepted for compatibility; not used (as in lb-opt).',
  }),
  weightStore: envVar({
    name: 'osmotic_lb_opt_weight_store',
    schema: envEnum(['etcd', 'redis']),
    description: 'Overrides the choice of store: `etcd` when an etcd host is set, else `redis`.',
  }),
  keyPrefix: envVar({
    name: 'osmotic_lb_opt_key_prefix',
    schema: envString(),
    default: 'golb/function/',
    description: 'Key prefix of the weights (zone and function follow).',
  }),
  reconcileInterval: envVar({
    name: 'osmotic_lb_opt_reconcile_interval',
    schema: envDuration(),
    default: 10,
    description: 'Time between reconcile runs (seconds, or a duration like `500ms`).',
  }),
  lookback: envVar({
    name: 'osmotic_lb_opt_lookback',
    schema: envFloat({ min: 0.001 }),
    default: 15,
    description:
      'Seconds of CPU telemetry averaged per replica (required by lb-opt; its example value is the default).',
  }),
  a: envVar({
    name: 'osmotic_lb_opt_a',
    schema: envFloat(),
    default: 250,
    description: 'Logistic curve: upper asymptote a.',
  }),
  b: envVar({
    name: 'osmotic_lb_opt_b',
    schema: envFloat(),
    default: 1,
    description: 'Logistic curve: lower asymptote b.',
  }),
  c: envVar({
    name: 'osmotic_lb_opt_c',
    schema: envFloat(),
    default: 0.2,
    description: 'Logistic curve: steepness c.',
  }),
  midpoint: envVar({
    name: 'osmotic_lb_opt_midpoint',
    schema: envFloat(),
    default: 35,
    description: 'Logistic curve: midpoint (ms); d = midpoint · (1 − offset).',
  }),
  offset: envVar({
    name: 'osmotic_lb_opt_offset',
    schema: envFloat(),
    default: 0,
    description: 'Logistic curve: offset of the midpoint.',
  }),
  mirrorEvents: envVar({
    name: 'osmotic_lb_opt_mirror_events',
    schema: envBool(),
    default: false,
    description:
      'Also publish `weight_update` lines on pub/sub `galileo/events` directly; leave off where the recorder mirrors `galileo.events.>` (it would publish them twice).',
  }),
  nodeInfoRefresh: envVar({
    name: 'osmotic_lb_opt_node_info_refresh',
    schema: envDuration(),
    default: '30s',
    description: 'How often node infos (`telemd.info:*`) are re-read.',
  }),
  healthPort: envVar({
    name: 'osmotic_lb_opt_health_port',
    schema: envInt({ min: 0, max: 65535, noun: 'port' }),
    default: 0,
    description: 'Port of `/healthz`, `/readyz` and `/metrics`; 0 turns it off.',
  }),
  healthHost: envVar({
    name: 'osmotic_lb_opt_health_host',
    schema: envString(),
    default: '0.0.0.0',
    description: 'Address the health endpoint binds to.',
  }),
});

export type LbOptimizerConfig = ConfigOf<typeof lbOptimizerConfigSpec>;
