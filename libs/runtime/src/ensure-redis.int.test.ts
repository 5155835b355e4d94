import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@galileo/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureRedis, redisAnswers } from './ensure-redis.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('ensureRedis', () => {
  it('uses a Redis that answers, and starts nothing', async () => {
    const said: string[] = [];
    const redis = await ensureRedis({
      host: '127.0.0.1',
      port: 6379,
      dataDir: '/nonexistent',
      say: (m) => said.push(m),
    });
    expect(redis.started).toBe(false);
    expect(said).toEqual(['using the Redis at 127.0.0.1:6379']);
  });

  it('starts a redis-server on a free loopback port, says so, and stops it', async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'galileo-ensure-redis-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const said: string[] = [];
    const redis = await ensureRedis({ host: '127.0.0.1', port, dataDir: dir, say: (m) => said.push(m) });
    expect(redis.started).toBe(true);
    expect(said[0]).toContain(`started redis-server`);
    expect(await redisAnswers('127.0.0.1', port)).toBe(true);
    await redis.stop();
    expect(await redisAnswers('127.0.0.1', port)).toBe(false);
  });

  it('refuses a remote address that does not answer, saying how to get Redis', async () => {
    await expect(
      ensureRedis({
        host: '203.0.113.1',
        port: 1,
        dataDir: '/tmp',
        say: () => undefined,
        startTimeoutMs: 100,
      }),
    ).rejects.toThrow(/no Redis answers at 203\.0\.113\.1:1.*install Redis/);
  });
});
