import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus } from '@galileo/bus';
import { openDatabase, type GalileoDatabase } from '@galileo/db';
import { galileoCatalogue, type GalileoCatalogue, type RequestTrace } from '@galileo/events';
import { createTestLogger } from '@galileo/logging';
import {
  mariadbTestDatabase,
  redisTestContext,
  testVictoriaMetricsUrl,
  type MariadbTestDatabase,
  type RedisTestContext,
} from '@galileo/testing';
import { createInfluxWriter, type InfluxWriter } from '@galileo/timeseries';
import { loadRecorderConfig, storesOf, type RecorderConfig } from '../config.js';
import { createRecorder, type Recorder } from '../recorder.js';

export interface RecorderFixture {
  t: RedisTestContext;
  bus: Bus<GalileoCatalogue>;
  /** The test's view of the database (its own connection). */
  db: GalileoDatabase | null;
  config: RecorderConfig;
  /** The environment the recorder was configured with (for a child process). */
  env: Record<string, string>;
  mariadb: MariadbTestDatabase | null;
  sqlitePath: string | null;
  /** Builds a recorder on its own connections (a restart builds another). */
  recorder(): Promise<{ recorder: Recorder; close(): Promise<void> }>;
  cleanup(): Promise<void>;
}

/** A recorder's world: a Redis prefix, a fresh MariaDB database or SQLite file, VictoriaMetrics. */
export async function recorderFixture(options: {
  driver: 'mixed' | 'mysql' | 'sqlite' | 'influxdb';
  env?: Record<string, string>;
  mariadb?: MariadbTestDatabase;
  influxUrl?: string;
}): Promise<RecorderFixture> {
  const t = redisTestContext('recorder');
  const mariadb =
    options.driver === 'sqlite' || options.driver === 'influxdb'
      ? null
      : (options.mariadb ?? (await mariadbTestDatabase('recorder')));
  const dir = options.driver === 'sqlite' ? await mkdtemp(join(tmpdir(), 'galileo-recorder-')) : null;
  const sqlitePath = dir ? join(dir, 'galileodb.sqlite') : null;
  const env: Record<string, string> = {
    galileo_redis_host: '127.0.0.1',
    galileo_redis_key_prefix: t.prefix,
    galileo_expdb_driver: options.driver,
    galileo_expdb_influxdb_url: options.influxUrl ?? testVictoriaMetricsUrl(),
    galileo_recorder_flush_interval: '50ms',
    galileo_recorder_retry_interval: '200ms',
    galileo_recorder_breaker_reset_timeout: '500ms',
    galileo_recorder_store_timeout: '8s',
    galileo_logging_level: 'warn',
    // pub/sub channels are shared by every test on the machine: bridges only where a test wants them
    galileo_recorder_ingest_pubsub: 'false',
    ...(mariadb
      ? {
          galileo_expdb_mysql_host: mariadb.host,
          galileo_expdb_mysql_port: String(mariadb.port),
          galileo_expdb_mysql_db: mariadb.database,
          galileo_expdb_mysql_user: mariadb.user,
          ...(mariadb.password ? { galileo_expdb_mysql_password: mariadb.password } : {}),
        }
      : {}),
    ...(sqlitePath ? { galileo_expdb_sqlite_path: sqlitePath } : {}),
    ...options.env,
  };
  const loaded = loadRecorderConfig(env);
  if (!loaded.ok) throw loaded.error;
  const config = loaded.value;
  const uses = storesOf(config.db.driver);
  const bus = createBus({
    redis: t.redis,
    catalogue: galileoCatalogue,
    source: 'recorder-test',
    prefix: t.prefix,
  });
  const db = uses.sql ? await openDatabase(config.db) : null;
  return {
    t,
    bus,
    db,
    config,
    env,
    mariadb,
    sqlitePath,
    async recorder() {
      const redis = t.connect();
      const rbus = createBus({ redis, catalogue: galileoCatalogue, source: 'recorder', prefix: t.prefix });
      const rdb = uses.sql ? await openDatabase(config.db, { migrate: false }) : null;
      const influx: InfluxWriter | null = uses.influx ? createInfluxWriter(config.influx) : null;
      const recorder = createRecorder({
        bus: rbus,
        redis,
        db: rdb,
        influx,
        config,
        logger: createTestLogger({ level: 'warn' }).logger,
      });
      return {
        recorder,
        async close() {
          await recorder.stop();
          await rbus.close();
          await rdb?.close();
          await influx?.close();
        },
      };
    },
    async cleanup() {
      await bus.close();
      await db?.close();
      if (mariadb && !options.mariadb) await mariadb.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
      await t.cleanup();
    },
  };
}

/** A trace of an experiment; `i` spaces `sent` by 2 ms so no two share a millisecond. */
export function testTrace(expId: string | null, i: number, base = Date.now() / 1000): RequestTrace {
  return {
    request_id: `${expId ?? 'none'}:${i}`.slice(-36),
    client: 'w1:svc:0',
    service: 'svc',
    created: base + i * 0.002,
    sent: base + i * 0.002 + 0.0001,
    done: base + i * 0.002 + 0.005,
    status: 200,
    server: 'host1:8080',
    exp_id: expId,
    headers: '{"Content-Type": "text/plain"}',
    response: `ok ${i}`,
  };
}
