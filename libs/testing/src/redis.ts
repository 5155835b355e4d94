import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';

/** The Redis every test talks to: the machine's real server (GALILEO_TEST_REDIS_URL overrides). */
export function testRedisUrl(): string {
  return process.env.GALILEO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A fresh key prefix, so tests running in parallel never see each other's keys. */
export function testPrefix(label = 't'): string {
  return `test:${label}:${randomBytes(5).toString('hex')}:`;
}

export function connectTestRedis(options: RedisOptions = {}): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: null, lazyConnect: false, ...options });
}

/** Deletes every key below a prefix. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export interface RedisTestContext {
  readonly prefix: string;
  readonly redis: Redis;
  /** Another connection, e.g. for pub/sub. Closed by `cleanup`. */
  connect(options?: RedisOptions): Redis;
  cleanup(): Promise<void>;
}

/** One test's slice of the real Redis: its own prefix and connections, all removed by cleanup(). */
export function redisTestContext(label?: string): RedisTestContext {
  const prefix = testPrefix(label);
  const redis = connectTestRedis();
  const extra: Redis[] = [];
  return {
    prefix,
    redis,
    connect(options) {
      const c = connectTestRedis(options);
      extra.push(c);
      return c;
    },
    async cleanup() {
      await deleteKeysWithPrefix(redis, prefix);
      await Promise.all([...extra, redis].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
