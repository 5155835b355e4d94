import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus } from '@galileo/bus';
import { galileoCatalogue, type GalileoCatalogue } from '@galileo/events';
import type { ExperimentCanceller } from '@galileo/experiments';
import { createLogger } from '@galileo/logging';
import { redisTestContext, type RedisTestContext } from '@galileo/testing';
import { workerKeys } from '@galileo/workers';
import { createApi, type Api } from '../api.js';
import type { ApiConfig } from '../config.js';
import { openDatabase, type GalileoDatabase } from '@galileo/db';

export interface ApiFixture {
  readonly ctx: RedisTestContext;
  readonly bus: Bus<GalileoCatalogue>;
  readonly db: GalileoDatabase;
  readonly api: Api;
  readonly url: string;
  readonly appsDir: string;
  /** Registers a worker name the way galileo's Python worker does (no heartbeat). */
  registerWorker(name: string, labels?: Record<string, string>): Promise<void>;
  cleanup(): Promise<void>;
}

export interface ApiFixtureOptions {
  token?: string;
  canceller?: ExperimentCanceller;
  config?: Partial<ApiConfig>;
}

/** A real Redis slice, a bus on it, a SQLite experiment database (libs/db), the API on a free loopback port. */
export async function apiFixture(label: string, options: ApiFixtureOptions = {}): Promise<ApiFixture> {
  const ctx = redisTestContext(label);
  const bus = createBus({
    redis: ctx.redis,
    catalogue: galileoCatalogue,
    source: 'api-test',
    prefix: ctx.prefix,
    trimIntervalMs: 0,
    streamRefreshMs: 100,
  });
  const appsDir = await mkdtemp(join(tmpdir(), 'galileo-api-apps-'));
  // The real experiment database (libs/db), as a SQLite file of this test's own.
  const db = await openDatabase({ dialect: 'sqlite', path: join(appsDir, 'galileodb.sqlite') });
  const api = createApi({
    redis: ctx.redis,
    bus,
    db,
    logger: createLogger({ service: 'api', level: 'silent' }),
    canceller: options.canceller,
    config: {
      host: '127.0.0.1',
      port: 0,
      token: options.token,
      appsRepoDir: appsDir,
      corsOrigin: '*',
      keyPrefix: ctx.prefix,
      cancelTimeoutMs: 2_000,
      ...options.config,
    },
  });
  const { url } = await api.start();
  const keys = workerKeys(ctx.prefix);
  return {
    ctx,
    bus,
    db,
    api,
    url,
    appsDir,
    async registerWorker(name, labels) {
      await ctx.redis.sadd(keys.workers, name);
      if (labels && Object.keys(labels).length > 0) await ctx.redis.hset(keys.labels(name), labels);
    },
    async cleanup() {
      await api.stop();
      await bus.close();
      await ctx.cleanup();
      await db.close();
      await rm(appsDir, { recursive: true, force: true });
    },
  };
}
