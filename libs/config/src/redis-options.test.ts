import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig, type Environment } from './load-config.js';
import { redisConfigSpec, type RedisConfig } from './redis-config.js';
import { redisOptions, redisRetryDelay } from './redis-options.js';

function redisConfig(env: Environment): RedisConfig {
  const loaded = loadConfig(redisConfigSpec, env);
  if (!loaded.ok) throw loaded.error;
  return loaded.value;
}

const optionsFor = (env: Environment) => redisOptions(redisConfig(env));

describe('redisOptions', () => {
  it('connects to localhost:6379 db 0 without a password by default', () => {
    const options = optionsFor({});
    expect(options).toMatchObject({
      host: 'localhost',
      port: 6379,
      db: 0,
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
    });
    expect(options).not.toHaveProperty('password');
    expect(options).not.toHaveProperty('tls');
    expect(options).not.toHaveProperty('sentinels');
    expect(options).not.toHaveProperty('keyPrefix');
  });

  it('uses host, port, password and db from their variables', () => {
    const options = optionsFor({
      galileo_redis_host: 'redis',
      galileo_redis_port: '6380',
      galileo_redis_password: 'hunter2',
      galileo_redis_db: '3',
    });
    expect(options).toMatchObject({ host: 'redis', port: 6380, password: 'hunter2', db: 3 });
  });

  it('lets the URL win over host and port, and over password and db when it has them', () => {
    const env = {
      galileo_redis_host: 'ignored',
      galileo_redis_port: '1',
      galileo_redis_password: 'var',
      galileo_redis_db: '4',
    };
    expect(optionsFor({ ...env, galileo_redis_url: 'redis://:url@redis:6390/2' })).toMatchObject({
      host: 'redis',
      port: 6390,
      password: 'url',
      db: 2,
    });
    expect(optionsFor({ ...env, galileo_redis_url: 'redis://redis:6390' })).toMatchObject({
      host: 'redis',
      port: 6390,
      password: 'var',
      db: 4,
    });
    expect(optionsFor({ galileo_redis_url: 'redis://admin:pw@redis' })).toMatchObject({ username: 'admin' });
  });

  it('turns TLS on for a rediss:// URL', () => {
    expect(optionsFor({ galileo_redis_url: 'rediss://redis:6380' })).toMatchObject({
      host: 'redis',
      tls: {},
    });
  });

  it.each(['true', '1', 'yes'])('turns TLS on for galileo_redis_tls=%s', (flag) => {
    expect(optionsFor({ galileo_redis_tls: flag })).toMatchObject({ tls: {} });
  });

  it('keeps TLS off for galileo_redis_tls=false', () => {
    expect(optionsFor({ galileo_redis_tls: 'false' })).not.toHaveProperty('tls');
  });

  describe('with a CA file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'galileo-config-'));
    const caPath = join(dir, 'ca.pem');
    writeFileSync(caPath, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads the CA into the TLS options, which implies TLS', () => {
      const options = optionsFor({ galileo_redis_tls_ca: caPath });
      expect(String(options.tls?.ca)).toContain('BEGIN CERTIFICATE');
    });

    it('reports an unreadable CA file as a ConfigError naming the variable', () => {
      const missing = join(dir, 'missing.pem');
      expect(() => optionsFor({ galileo_redis_tls_ca: missing })).toThrow(ConfigError);
      expect(() => optionsFor({ galileo_redis_tls_ca: missing })).toThrow(
        `galileo_redis_tls_ca=${JSON.stringify(missing)}: expected a readable CA file (ENOENT)`,
      );
    });
  });

  it('connects through Sentinels with the master name', () => {
    const options = optionsFor({
      galileo_redis_sentinels: 's1:26379, s2:26380',
      galileo_redis_sentinel_name: 'galileo',
      galileo_redis_password: 'pw',
    });
    expect(options).toMatchObject({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      name: 'galileo',
      password: 'pw',
    });
    expect(options).not.toHaveProperty('host');
    expect(optionsFor({ galileo_redis_sentinels: 's1:26379' })).toMatchObject({ name: 'mymaster' });
  });

  it('uses TLS for Sentinels and the master when TLS is on', () => {
    expect(optionsFor({ galileo_redis_sentinels: 's1:26379', galileo_redis_tls: 'true' })).toMatchObject({
      tls: {},
      sentinelTLS: {},
      enableTLSForSentinelMode: true,
    });
  });

  it('rejects bad sentinel lists when loading', () => {
    const loaded = loadConfig(redisConfigSpec, { galileo_redis_sentinels: 's1:26379,s2' });
    expect(!loaded.ok && loaded.error.lines).toEqual([
      'galileo_redis_sentinels="s1:26379,s2": expected a comma-separated list of host:port ("s2" is not valid)',
    ]);
  });

  it('requires a master name when Sentinels are set', () => {
    const config = { ...redisConfig({ galileo_redis_sentinels: 's1:26379' }), sentinelName: '' };
    expect(() => redisOptions(config)).toThrow(ConfigError);
    expect(() => redisOptions(config)).toThrow(
      'galileo_redis_sentinel_name="": expected the name of the master the Sentinels monitor (required when galileo_redis_sentinels is set)',
    );
  });

  it('does not need a master name without Sentinels', () => {
    expect(() => redisOptions({ ...redisConfig({}), sentinelName: '' })).not.toThrow();
  });

  it('applies overrides such as the connection name last', () => {
    const options = redisOptions(redisConfig({}), { connectionName: 'galileo-worker', db: 5 });
    expect(options).toMatchObject({ connectionName: 'galileo-worker', db: 5, maxRetriesPerRequest: null });
  });

  it('retries with a capped exponential delay', () => {
    const options = optionsFor({});
    expect([1, 2, 3, 4, 5, 6, 10, 100].map((attempt) => options.retryStrategy?.(attempt))).toEqual([
      100, 200, 400, 800, 1600, 2000, 2000, 2000,
    ]);
    expect(redisRetryDelay(0)).toBe(50);
  });

  it('never prints the password', () => {
    const options = optionsFor({ galileo_redis_password: 'hunter2', galileo_redis_host: 'redis' });
    expect(options.password).toBe('hunter2');
    for (const printed of [JSON.stringify(options), inspect(options), `${JSON.stringify({ options })}`]) {
      expect(printed).not.toContain('hunter2');
      expect(printed).toContain('redis');
    }
  });
});
