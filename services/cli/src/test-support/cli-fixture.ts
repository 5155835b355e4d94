import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBus, type Bus } from '@galileo/bus';
import { openDatabase, type GalileoDatabase } from '@galileo/db';
import {
  createExperimentDaemon,
  loadExperimentDaemonConfig,
  type ExperimentDaemon,
} from '@galileo/experiment-daemon';
import { galileoCatalogue, type GalileoCatalogue } from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { createRoutingTable } from '@galileo/routing';
import { createSampleApp, type SampleApp } from '@galileo/sample-app';
import {
  mariadbTestDatabase,
  redisTestContext,
  testRedisUrl,
  type MariadbTestDatabase,
  type RedisTestContext,
} from '@galileo/testing';
import { createWorker, loadWorkerConfig, type Worker } from '@galileo/worker';
import type { Redis } from 'ioredis';

const BIN = fileURLToPath(new URL('../../bin/galileo.mjs', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  input?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  /** Called with the child once it runs (e.g. to send SIGINT when its output says so). */
  onOutput?: (text: string, child: ReturnType<typeof spawn>) => void;
}

export interface CliFixture {
  readonly ctx: RedisTestContext;
  readonly db: GalileoDatabase;
  readonly mariadb: MariadbTestDatabase;
  readonly bus: Bus<GalileoCatalogue>;
  /** The environment a spawned `galileo` gets: this test's Redis prefix and database. */
  readonly env: Record<string, string>;
  readonly dir: string;
  /** `127.0.0.1:<port>` of the sample app, routed as `svc`. */
  readonly appHost: string;
  galileo(args: readonly string[], options?: CliRunOptions): Promise<CliRun>;
  startWorker(name: string, env?: Record<string, string>): Promise<Worker>;
  startDaemon(name: string): Promise<ExperimentDaemon>;
  cleanup(): Promise<void>;
}

/** Real Redis (own prefix), a MariaDB database of its own, a sample app; workers and daemons on demand. */
export async function cliFixture(label: string): Promise<CliFixture> {
  const ctx = redisTestContext(label);
  const mariadb = await mariadbTestDatabase(label);
  const db = await openDatabase({
    dialect: 'mysql',
    host: mariadb.host,
    port: mariadb.port,
    database: mariadb.database,
    user: mariadb.user,
    password: mariadb.password || undefined,
  });
  const dir = await mkdtemp(join(tmpdir(), `galileo-cli-${label}-`));
  const buses: Bus<GalileoCatalogue>[] = [];
  const stoppers: (() => Promise<void>)[] = [];
  const makeBus = (redis: Redis, source: string) => {
    const b = createBus({
      redis,
      catalogue: galileoCatalogue,
      source,
      prefix: ctx.prefix,
      trimIntervalMs: 0,
      streamRefreshMs: 100,
    });
    buses.push(b);
    return b;
  };
  const bus = makeBus(ctx.redis, 'test');
  const app: SampleApp = createSampleApp({ host: '127.0.0.1' });
  const { port } = await app.start();
  await createRoutingTable(ctx.redis, { prefix: ctx.prefix }).setRecord({
    service: 'svc',
    hosts: [`127.0.0.1:${port}`],
  });
  const url = new URL(testRedisUrl());
  const env: Record<string, string> = {
    galileo_redis_host: url.hostname,
    galileo_redis_port: url.port || '6379',
    galileo_redis_key_prefix: ctx.prefix,
    galileo_expdb_driver: 'mysql',
    galileo_expdb_mysql_host: mariadb.host,
    galileo_expdb_mysql_port: String(mariadb.port),
    galileo_expdb_mysql_db: mariadb.database,
    galileo_expdb_mysql_user: mariadb.user,
    ...(mariadb.password ? { galileo_expdb_mysql_password: mariadb.password } : {}),
    galileo_logging_level: 'silent',
  };

  return {
    ctx,
    db,
    mariadb,
    bus,
    env,
    dir,
    appHost: `127.0.0.1:${port}`,
    galileo(args, options = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, ...args], {
          cwd: options.cwd ?? dir,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, ...options.env },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          options.onOutput?.(stdout + stderr, child);
        });
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          options.onOutput?.(stdout + stderr, child);
        });
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(
            new Error(
              `galileo ${args.join(' ')} did not end within ${options.timeoutMs ?? 90_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
            ),
          );
        }, options.timeoutMs ?? 90_000);
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
        if (options.input !== undefined) child.stdin.end(options.input);
        else child.stdin.end();
      });
    },
    async startWorker(name, extra = {}) {
      const redis = ctx.connect();
      const loaded = loadWorkerConfig({
        galileo_redis_key_prefix: ctx.prefix,
        galileo_logging_level: 'silent',
        galileo_worker_name: name,
        galileo_worker_trace_flush_interval: '50ms',
        ...extra,
      });
      if (!loaded.ok) throw loaded.error;
      const worker = createWorker({
        bus: makeBus(redis, `worker/${name}`),
        redis,
        config: loaded.value,
        logger: createLogger({ service: 'worker', level: 'silent' }),
      });
      await worker.start();
      stoppers.push(() => worker.stop());
      return worker;
    },
    async startDaemon(name) {
      const redis = ctx.connect();
      const loaded = loadExperimentDaemonConfig({
        galileo_redis_key_prefix: ctx.prefix,
        galileo_logging_level: 'silent',
        galileo_experimentd_name: name,
        galileo_experimentd_lease: '1s',
        galileo_experimentd_command_timeout: '3s',
      });
      if (!loaded.ok) throw loaded.error;
      const daemon = createExperimentDaemon({
        bus: makeBus(redis, `experiment-daemon/${name}`),
        redis,
        config: loaded.value,
        logger: createLogger({ service: 'experiment-daemon', level: 'silent' }),
        db,
      });
      await daemon.start();
      stoppers.push(() => daemon.stop());
      return daemon;
    },
    async cleanup() {
      for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
      await Promise.all(buses.map((b) => b.close().catch(() => undefined)));
      await app.stop();
      await db.close();
      await mariadb.drop();
      await ctx.cleanup();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
