import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { RedisOptions } from 'ioredis';
import { censorSecrets } from './censor-secrets.js';
import { ConfigError } from './config-error.js';
import { printMasked } from './masked-printing.js';
import type { RedisConfig } from './redis-config.js';

/** Reconnect delay after `attempt` failures: 100, 200, 400 … ms, capped at 2 s. */
export function redisRetryDelay(attempt: number): number {
  return Math.min(50 * 2 ** attempt, 2_000);
}

function tlsOptions(caPath: string | undefined): ConnectionOptions {
  if (caPath === undefined) return {};
  try {
    return { ca: readFileSync(caPath) };
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new ConfigError([
      { variable: 'galileo_redis_tls_ca', value: caPath, message: `expected a readable CA file (${reason})` },
    ]);
  }
}

function connectionTarget(config: RedisConfig, tls: ConnectionOptions | undefined): RedisOptions {
  const { sentinels, sentinelName, url } = config;
  if (sentinels === undefined || sentinels.length === 0) {
    return { host: url?.host ?? config.host, port: url?.port ?? config.port, ...(tls && { tls }) };
  }
  if (sentinelName.trim() === '') {
    throw new ConfigError([
      {
        variable: 'galileo_redis_sentinel_name',
        value: sentinelName,
        message:
          'expected the name of the master the Sentinels monitor (required when galileo_redis_sentinels is set)',
      },
    ]);
  }
  return {
    sentinels: sentinels.map(({ host, port }) => ({ host, port })),
    name: sentinelName,
    ...(tls && { tls, sentinelTLS: tls, enableTLSForSentinelMode: true }),
  };
}

/**
 * ioredis options for a loaded RedisConfig. `galileo_redis_url` wins over host/port (and over the
 * password and db when it has them); Sentinels, when listed, win over both. TLS is on when the flag
 * is set, the URL is `rediss://` or a CA file is given. Commands wait in the offline queue across
 * reconnects instead of failing (`maxRetriesPerRequest: null`, as BullMQ needs for blocking reads).
 * The key prefix is not passed to ioredis: the libraries compose their keys themselves.
 * Throws ConfigError when the Sentinel master name is empty or the CA file cannot be read.
 * The returned object prints (JSON, console, pino) with its password masked.
 */
export function redisOptions(config: RedisConfig, overrides: RedisOptions = {}): RedisOptions {
  const { url } = config;
  const password = url?.password ?? config.password;
  const useTls = config.tls || url?.tls === true || config.tlsCa !== undefined;
  const options: RedisOptions = {
    ...connectionTarget(config, useTls ? tlsOptions(config.tlsCa) : undefined),
    db: url?.db ?? config.db,
    ...(url?.username !== undefined && { username: url.username }),
    ...(password !== undefined && password !== '' && { password }),
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: redisRetryDelay,
    ...overrides,
  };
  return printMasked(options, censorSecrets(options));
}
