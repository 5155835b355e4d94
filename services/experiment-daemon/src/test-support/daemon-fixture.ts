import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createBus, type Bus } from '@galileo/bus';
import {
  openDatabase,
  type ExperimentRecord,
  type ExperimentStatus,
  type GalileoDatabase,
} from '@galileo/db';
import { galileoCatalogue, tracesOf, type CatalogueEvent, type GalileoCatalogue } from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { createRoutingTable } from '@galileo/routing';
import { createSampleApp, type SampleApp } from '@galileo/sample-app';
import {
  mariadbTestDatabase,
  redisTestContext,
  testRedisUrl,
  waitFor,
  type RedisTestContext,
} from '@galileo/testing';
import { createWorker, loadWorkerConfig, type Worker } from '@galileo/worker';
import type { Redis } from 'ioredis';
import { loadExperimentDaemonConfig, type ExperimentDaemonConfig } from '../config.js';
import { createExperimentDaemon, type ExperimentDaemon } from '../experiment-daemon.js';
import { experimentQueueKeys } from '@galileo/experiment-queue';

const run = promisify(execFile);

export type DbKind = 'sqlite' | 'mariadb';

export interface TestDatabase {
  readonly db: GalileoDatabase;
  /** Environment for a daemon process that should use this database. */
  readonly env: Record<string, string>;
  /** Another, empty database of the same kind (for a rebuild). */
  fresh(): Promise<GalileoDatabase>;
  cleanup(): Promise<void>;
}

export async function testDatabase(kind: DbKind, label: string): Promise<TestDatabase> {
  const cleanups: (() => Promise<void>)[] = [];
  const open = async (): Promise<{ db: GalileoDatabase; env: Record<string, string> }> => {
    if (kind === 'sqlite') {
      const dir = await mkdtemp(join(tmpdir(), `gtest-${label}-`));
      const path = join(dir, 'galileodb.sqlite');
      const db = await openDatabase({ dialect: 'sqlite', path });
      cleanups.push(async () => {
        await db.close();
        await rm(dir, { recursive: true, force: true });
      });
      return { db, env: { galileo_expdb_driver: 'sqlite', galileo_expdb_sqlite_path: path } };
    }
    const m = await mariadbTestDatabase(label);
    const db = await openDatabase({
      dialect: 'mysql',
      host: m.host,
      port: m.port,
      database: m.database,
      user: m.user,
      password: m.password || undefined,
    });
    cleanups.push(async () => {
      await db.close();
      await m.drop();
    });
    return {
      db,
      env: {
        galileo_expdb_driver: 'mysql',
        galileo_expdb_mysql_host: m.host,
        galileo_expdb_mysql_port: String(m.port),
        galileo_expdb_mysql_db: m.database,
        galileo_expdb_mysql_user: m.user,
        ...(m.password ? { galileo_expdb_mysql_password: m.password } : {}),
      },
    };
  };
  const first = await open();
  return {
    ...first,
    fresh: async () => (await open()).db,
    async cleanup() {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    },
  };
}

export interface DaemonFixture {
  readonly ctx: RedisTestContext;
  readonly bus: Bus<GalileoCatalogue>;
  readonly database: TestDatabase;
  readonly db: GalileoDatabase;
  readonly queueKey: string;
  /** Every lifecycle event, from the beginning. */
  readonly lifecycle: CatalogueEvent<GalileoCatalogue>[];
  /** Every trace with the correlationId it travelled with. */
  readonly traces: { exp_id: string | null; correlationId: string | null; service: string; status: number }[];
  /** Lines on `<prefix>galileo/events`. */
  readonly galileoLines: string[];
  daemonConfig(env?: Record<string, string>): ExperimentDaemonConfig;
  startWorker(name: string): Promise<Worker>;
  startDaemon(name: string, env?: Record<string, string>): Promise<ExperimentDaemon>;
  /** `redis-cli LPUSH <queue> <message>`, as a user would. */
  lpush(message: string): Promise<void>;
  waitForStatus(
    id: string,
    status: ExperimentStatus | readonly ExperimentStatus[],
    timeoutMs?: number,
  ): Promise<ExperimentRecord>;
  /** The id of the experiment whose queued event carried this instruction text. */
  idOfInstructions(instructions: string, timeoutMs?: number): Promise<string>;
  eventsOf(id: string): CatalogueEvent<GalileoCatalogue>[];
  cleanup(): Promise<void>;
}

export async function daemonFixture(
  kind: DbKind,
  label: string,
  env: Record<string, string> = {},
): Promise<DaemonFixture> {
  const ctx = redisTestContext(label);
  const buses: Bus<GalileoCatalogue>[] = [];
  const workers: Worker[] = [];
  const daemons: ExperimentDaemon[] = [];
  const makeBus = (redis: Redis, source: string, trimIntervalMs = 0) => {
    const bus = createBus({
      redis,
      catalogue: galileoCatalogue,
      source,
      prefix: ctx.prefix,
      trimIntervalMs,
      streamRefreshMs: 100,
    });
    buses.push(bus);
    return bus;
  };
  const bus = makeBus(ctx.redis, 'test');
  const app: SampleApp = createSampleApp({ host: '127.0.0.1' });
  const { port } = await app.start();
  const table = createRoutingTable(ctx.redis, { prefix: ctx.prefix });
  for (const service of ['squeezenet', 'svc', 'alexnet'])
    await table.setRecord({ service, hosts: [`127.0.0.1:${port}`] });
  const database = await testDatabase(kind, label);
  const queueKey = experimentQueueKeys(ctx.prefix).queue;

  const lifecycle: CatalogueEvent<GalileoCatalogue>[] = [];
  await bus.subscribe('galileo.experiments.>', {
    group: 'test-lifecycle',
    startAt: 'beginning',
    blockMs: 100,
    handler: (e) => void lifecycle.push(e),
  });
  const traces: DaemonFixture['traces'] = [];
  await bus.subscribe('galileo.traces.>', {
    group: 'test-traces',
    startAt: 'beginning',
    blockMs: 100,
    batchSize: 1000,
    handler: (e) => {
      for (const trace of tracesOf(e))
        traces.push({
          exp_id: trace.exp_id,
          correlationId: e.correlationId,
          service: trace.service,
          status: trace.status,
        });
    },
  });
  const galileoLines: string[] = [];
  const listener = ctx.connect();
  listener.on('message', (_channel: string, line: string) => galileoLines.push(line));
  await listener.subscribe(`${ctx.prefix}galileo/events`);

  const daemonConfig = (extra: Record<string, string> = {}) => {
    const loaded = loadExperimentDaemonConfig({
      galileo_redis_key_prefix: ctx.prefix,
      galileo_logging_level: 'silent',
      galileo_experimentd_lease: '1s',
      galileo_experimentd_command_timeout: '4s',
      ...env,
      ...extra,
    });
    if (!loaded.ok) throw loaded.error;
    return loaded.value;
  };

  return {
    ctx,
    bus,
    database,
    db: database.db,
    queueKey,
    lifecycle,
    traces,
    galileoLines,
    daemonConfig,
    async startWorker(name) {
      const redis = ctx.connect();
      const loaded = loadWorkerConfig({
        galileo_redis_key_prefix: ctx.prefix,
        galileo_logging_level: 'silent',
        galileo_worker_name: name,
        galileo_worker_trace_flush_interval: '50ms',
      });
      if (!loaded.ok) throw loaded.error;
      const worker = createWorker({
        bus: makeBus(redis, `worker/${name}`),
        redis,
        config: loaded.value,
        logger: createLogger({ service: 'worker', level: 'silent' }),
      });
      await worker.start();
      workers.push(worker);
      return worker;
    },
    async startDaemon(name, extra = {}) {
      const redis = ctx.connect();
      const daemon = createExperimentDaemon({
        bus: makeBus(redis, `experiment-daemon/${name}`, 300),
        redis,
        config: daemonConfig({ galileo_experimentd_name: name, ...extra }),
        logger: createLogger({
          service: 'experiment-daemon',
          level: (process.env.GALILEO_TEST_LOG ?? 'silent') as 'silent',
        }),
        db: database.db,
      });
      await daemon.start();
      daemons.push(daemon);
      return daemon;
    },
    async lpush(message) {
      const url = new URL(testRedisUrl());
      await run('redis-cli', ['-h', url.hostname, '-p', url.port || '6379', 'LPUSH', queueKey, message]);
    },
    async waitForStatus(id, status, timeoutMs = 20_000) {
      const wanted = typeof status === 'string' ? [status] : status;
      return waitFor(
        async () => {
          const row = await database.db.experiments.get(id);
          return row && wanted.includes(row.status) ? row : null;
        },
        { timeoutMs, intervalMs: 50, what: `experiment ${id} to be ${wanted.join(' or ')}` },
      );
    },
    async idOfInstructions(instructions, timeoutMs = 10_000) {
      const queued = await waitFor(
        () => lifecycle.find((e) => e.type === 'ExperimentQueued' && e.data.instructions === instructions),
        { timeoutMs, what: 'the experiment to be queued' },
      );
      return queued.correlationId!;
    },
    eventsOf: (id) => lifecycle.filter((e) => e.correlationId === id),
    async cleanup() {
      await Promise.all(daemons.map((d) => d.stop().catch(() => undefined)));
      await Promise.all(workers.map((w) => w.stop().catch(() => undefined)));
      await Promise.all(buses.map((b) => b.close().catch(() => undefined)));
      await app.stop();
      await database.cleanup();
      await ctx.cleanup();
    },
  };
}

/** The reason an experiment failed or was cancelled with (from its events). */
export function reasonOf(events: CatalogueEvent<GalileoCatalogue>[]): string | null {
  for (const e of events)
    if (e.type === 'ExperimentFailed' || e.type === 'ExperimentCancelled') return e.data.reason;
  return null;
}
