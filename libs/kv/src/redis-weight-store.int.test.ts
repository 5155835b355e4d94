import { redisTestContext, startPrivateRedis, waitFor, type RedisTestContext } from '@galileo/testing';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisWeightStore } from './redis-weight-store.js';
import type { WeightChange, WeightStore } from './weight-store.js';
import { weightStoreContract } from './weight-store-contract.js';

const contexts: RedisTestContext[] = [];
const stores: WeightStore[] = [];
afterEach(async () => {
  while (stores.length) await stores.pop()!.close();
  while (contexts.length) await contexts.pop()!.cleanup();
});

describe('redis weight store (real Redis)', () => {
  weightStoreContract(async () => {
    const t = redisTestContext('kv');
    contexts.push(t);
    const store = createRedisWeightStore({ redis: t.redis, keyPrefix: t.prefix });
    stores.push(store);
    return {
      store,
      putRaw: async (zone, fn, value) => {
        const key = `${t.prefix}golb/function/${zone}`;
        await t.redis.multi().hset(key, fn, value).publish(key, JSON.stringify({ fn, value })).exec();
      },
    };
  });

  it('re-reads the zone after its subscriber reconnects (Redis restarted)', async () => {
    const server = await startPrivateRedis({ appendfsync: 'always' });
    const redis = new Redis(server.port, '127.0.0.1', {
      maxRetriesPerRequest: null,
      retryStrategy: () => 50,
    });
    redis.on('error', () => undefined);
    const store = createRedisWeightStore({ redis });
    try {
      const changes: WeightChange[] = [];
      const watch = store.watch('zone-a', (c) => changes.push(c));
      await watch.ready;
      await store.put('zone-a', 'before', { ips: ['a:1'], weights: [4] });
      await waitFor(() => changes.some((c) => c.type === 'put'), { what: 'the first put' });
      await server.kill();
      await waitFor(() => changes.some((c) => c.type === 'status' && !c.connected), { what: 'disconnect' });
      await server.start();
      // after the reconnect: a fresh snapshot (with what the server kept), then live changes again
      await waitFor(
        () =>
          changes.filter((c) => c.type === 'snapshot' && c.entries.some((e) => e.fn === 'before')).length ===
          1,
        { timeoutMs: 15_000, what: 'a snapshot after the reconnect' },
      );
      await waitFor(
        async () => {
          await store.put('zone-a', 'after', { ips: ['b:1'], weights: [2] });
          return changes.some((c) => c.type === 'put' && c.entry.fn === 'after');
        },
        { timeoutMs: 15_000, intervalMs: 200, what: 'a put after the restart' },
      );
      expect(
        changes.filter((c) => c.type === 'status').map((c) => c.type === 'status' && c.connected),
      ).toEqual([true, false, true]);
      await watch.close();
    } finally {
      await store.close();
      redis.disconnect();
      await server.destroy();
    }
  }, 60_000);
});
