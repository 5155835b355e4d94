import { defineConfig, envInt, envString, envVar, type ConfigOf } from '@galileo/config';

/** galileo-db's InfluxDB 2 variables (protocols §7.1, §10) and the fixed-bucket option. */
export const influxConfigSpec = defineConfig({
  url: envVar({
    name: 'galileo_expdb_influxdb_url',
    schema: envString({ expected: 'a URL such as http://localhost:8086' }),
    default: 'http://localhost:8086',
    description: 'InfluxDB 2 base URL (drivers `influxdb`, `mixed`).',
  }),
  token: envVar({
    name: 'galileo_expdb_influxdb_token',
    schema: envString(),
    default: 'my-token',
    description: 'InfluxDB API token (`Authorization: Token …`).',
  }),
  timeoutMs: envVar({
    name: 'galileo_expdb_influxdb_timeout',
    schema: envInt({ min: 1 }),
    default: 10000,
    description: 'Timeout of one InfluxDB request in milliseconds.',
  }),
  org: envVar({
    name: 'galileo_expdb_influxdb_org',
    schema: envString(),
    default: 'galileo',
    description: 'InfluxDB organisation name (writes).',
  }),
  orgId: envVar({
    name: 'galileo_expdb_influxdb_org_id',
    schema: envString(),
    default: 'org-id',
    description: 'InfluxDB organisation id (bucket creation).',
  }),
  bucket: envVar({
    name: 'galileo_expdb_influxdb_bucket',
    schema: envString(),
    description:
      'One fixed bucket for every experiment (points carry the `exp_id` tag); unset: one bucket per experiment named after its id, created through the buckets API, as galileo does.',
  }),
});

export type InfluxConfig = ConfigOf<typeof influxConfigSpec>;
