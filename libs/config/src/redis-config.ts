import { envBool, envInt, envPort, envString } from './scalar-fields.js';
import { defineConfig, envVar, type ConfigOf } from './env-var.js';
import { envHost, envHostPort } from './host-port.js';
import { envList } from './list-field.js';
import { envRedisUrl } from './redis-url.js';

/** The Redis connection every galileo service shares (protocols §10). */
export const redisConfigSpec = defineConfig({
  host: envVar({
    name: 'galileo_redis_host',
    schema: envHost(),
    default: 'localhost',
    description: 'Redis host name or IP address.',
  }),
  port: envVar({ name: 'galileo_redis_port', schema: envPort(), default: 6379, description: 'Redis port.' }),
  password: envVar({
    name: 'galileo_redis_password',
    schema: envString(),
    description: 'Redis password; no authentication when unset.',
  }),
  db: envVar({
    name: 'galileo_redis_db',
    schema: envInt({ min: 0 }),
    default: 0,
    description: 'Redis logical database number.',
  }),
  url: envVar({
    name: 'galileo_redis_url',
    schema: envRedisUrl(),
    description:
      '`redis://` or `rediss://[[user]:password@]host:port/db`; when set it wins over host, port, and (if it has them) password and db.',
  }),
  tls: envVar({
    name: 'galileo_redis_tls',
    schema: envBool(),
    default: false,
    description: 'Connect with TLS (`true/false/1/0/yes/no`); a `rediss://` URL or a CA file implies it.',
  }),
  tlsCa: envVar({
    name: 'galileo_redis_tls_ca',
    schema: envString({ expected: 'a file path' }),
    description: 'Path to a PEM file with the CA that signed the Redis server certificate.',
  }),
  sentinels: envVar({
    name: 'galileo_redis_sentinels',
    schema: envList({ item: envHostPort() }),
    description:
      'Comma-separated `host:port` list of Redis Sentinels; when set they are used instead of host/port/URL.',
  }),
  sentinelName: envVar({
    name: 'galileo_redis_sentinel_name',
    schema: envString(),
    default: 'mymaster',
    description: 'Name of the master the Sentinels monitor; required when sentinels are set.',
  }),
  keyPrefix: envVar({
    name: 'galileo_redis_key_prefix',
    schema: envString({ allowEmpty: true }),
    default: '',
    description:
      'Prefix put in front of the Redis keys the services own, e.g. to isolate deployments sharing a Redis.',
  }),
});

export type RedisConfig = ConfigOf<typeof redisConfigSpec>;
