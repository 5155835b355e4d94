import type { RedisOptions } from 'ioredis';
import type { TelemdConfig } from './config.js';

/**
 * ioredis options from telemd's variables: `telemd_redis_host` (+ port) wins over
 * `telemd_redis_url`. Commands wait across reconnects; reconnects back off up to
 * `telemd_redis_retry_backoff`.
 */
export function telemdRedisOptions(config: TelemdConfig): RedisOptions {
  const url = config.redisUrl;
  const base: RedisOptions = config.redisHost
    ? { host: config.redisHost, port: config.redisPort }
    : {
        host: url.host,
        port: url.port,
        ...(url.username ? { username: url.username } : {}),
        ...(url.password ? { password: url.password } : {}),
        ...(url.db !== undefined ? { db: url.db } : {}),
        ...(url.tls ? { tls: {} } : {}),
      };
  const maxDelay = Math.max(50, config.redisRetryBackoff);
  return {
    ...base,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    connectionName: `telemd:${config.nodename}`,
    retryStrategy: (times) => Math.min(50 * 2 ** times, maxDelay),
  };
}
