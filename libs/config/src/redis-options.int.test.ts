import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { redisConfigSpec } from './redis-config.js';
import { redisOptions } from './redis-options.js';

// Uses the environment as a service would; in CI and locally Redis runs at 127.0.0.1:6379.
describe('redisOptions against a real Redis', () => {
  it('connects with the options of the default environment and answers PING', async () => {
    const loaded = loadConfig(redisConfigSpec, process.env);
    if (!loaded.ok) throw loaded.error;
    const client = new Redis(
      redisOptions(loaded.value, { connectionName: 'galileo-config-smoke', lazyConnect: true }),
    );
    try {
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      expect(await client.client('GETNAME')).toBe('galileo-config-smoke');
    } finally {
      await client.quit();
    }
  });
});
