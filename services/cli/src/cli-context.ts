import { createBus, type Bus } from '@galileo/bus';
import {
  defineConfig,
  envString,
  envVar,
  loadConfig,
  redisConfigSpec,
  redisOptions,
  type ConfigOf,
  type Environment,
} from '@galileo/config';
import type { GalileoDatabase } from '@galileo/db';
import { galileoCatalogue, type GalileoCatalogue } from '@galileo/events';
import { Redis } from 'ioredis';
import { CliError } from './cli-error.js';

/**
 * The CLI's environment: galileo's Redis variables (protocols §10) and the API's. The experiment
 * database's variables (`galileo_expdb_*`, libs/db's `dbConfigSpec`) are read when a command first
 * needs the database, so `--help` or `rtbl ls` never load Prisma.
 */
export const cliConfigSpec = defineConfig({
  redis: redisConfigSpec,
  apiUrl: envVar({
    name: 'galileo_api_url',
    schema: envString(),
    default: 'http://localhost:5001/api',
    description: 'REST API of `galileo app` (uploads go through the API, as in galileo).',
  }),
  apiToken: envVar({
    name: 'galileo_api_token',
    schema: envString(),
    description: 'Bearer token for the REST API. Secret: masked in errors and logs.',
  }),
});
export type CliConfig = ConfigOf<typeof cliConfigSpec>;

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress redraws in place). */
  readonly interactive: boolean;
}

/**
 * What a command needs, opened on first use and closed once at the end: Redis, the bus, the
 * experiment database. A command that needs only Redis never opens the database.
 */
export interface CliContext {
  readonly config: CliConfig;
  readonly env: Environment;
  readonly prefix: string;
  readonly io: CliOutput;
  redis(): Promise<Redis>;
  bus(): Promise<Bus<GalileoCatalogue>>;
  db(): Promise<GalileoDatabase>;
  close(): Promise<void>;
}

export interface CliContextOptions {
  env?: Environment;
  io: CliOutput;
  /** How long to wait for Redis before giving up (default 3 s). */
  connectTimeoutMs?: number;
}

export function loadCliConfig(env: Environment): CliConfig {
  const loaded = loadConfig(cliConfigSpec, env);
  if (!loaded.ok)
    throw new CliError(`${loaded.error.lines.join('; ')}: fix the variable(s) and run again`, 2);
  return loaded.value;
}

export function createCliContext(options: CliContextOptions): CliContext {
  const env = options.env ?? process.env;
  const config = loadCliConfig(env);
  const prefix = config.redis.keyPrefix;
  let redis: Promise<Redis> | null = null;
  let bus: Bus<GalileoCatalogue> | null = null;
  let db: Promise<GalileoDatabase> | null = null;
  const where = () => (config.redis.url ? 'galileo_redis_url' : `${config.redis.host}:${config.redis.port}`);

  const openRedis = async () => {
    // Not lazyConnect: the bus duplicates this client, and a lazy duplicate would never connect
    // before its first command (the bus waits for "ready" first).
    const client = new Redis(redisOptions(config.redis, { connectionName: 'galileo-cli' }));
    let lastError = 'no answer';
    client.on('error', (e: Error) => void (lastError = e.message || e.name));
    const timeoutMs = options.connectTimeoutMs ?? 3_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(lastError)), timeoutMs);
        }),
      ]);
    } catch (e) {
      client.disconnect();
      throw new CliError(
        `cannot reach Redis at ${where()} (${(e as Error).message}): start redis-server or set galileo_redis_host/galileo_redis_port`,
      );
    } finally {
      clearTimeout(timer);
    }
    return client;
  };

  const context: CliContext = {
    config,
    env,
    prefix,
    io: options.io,
    redis: () => (redis ??= openRedis()),
    async bus() {
      if (bus) return bus;
      const r = await context.redis();
      bus = createBus({
        redis: r,
        catalogue: galileoCatalogue,
        source: 'cli',
        prefix,
        trimIntervalMs: 0,
        streamRefreshMs: 500,
      });
      return bus;
    },
    db() {
      db ??= (async () => {
        const { dbConfigSpec, openDatabase } = await import('@galileo/db');
        const loaded = loadConfig(dbConfigSpec, env);
        if (!loaded.ok)
          throw new CliError(`${loaded.error.lines.join('; ')}: fix the variable(s) and run again`, 2);
        try {
          return await openDatabase(loaded.value);
        } catch (e) {
          throw new CliError(
            `cannot open the experiment database (galileo_expdb_driver=${loaded.value.driver}): ${(e as Error).message}: check the galileo_expdb_* variables`,
          );
        }
      })();
      return db;
    },
    async close() {
      if (bus) await bus.close().catch(() => undefined);
      if (db) await (await db.catch(() => null))?.close().catch(() => undefined);
      if (redis) {
        const r = await redis.catch(() => null);
        await r?.quit().catch(() => r.disconnect());
      }
    },
  };
  return context;
}
