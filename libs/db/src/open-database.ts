import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { createPool, type Pool } from 'mariadb';
import type { DbConfig } from './config.js';
import { migrateMysql, migrateSqlite } from './migrations.js';
import { MysqlPrismaClient, SqlitePrismaClient, type PrismaDb, type PrismaTx } from './prisma-clients.js';
import { createRepositories } from './repositories/index.js';
import type { Session, SqlValue } from './session.js';
import type { DatabaseTarget, GalileoDatabase, OpenDatabaseOptions, Repositories } from './types.js';

/** Interactive transactions: how long to wait for a connection, and the longest a transaction may run. */
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 60_000 } as const;

function isTarget(config: DbConfig | DatabaseTarget): config is DatabaseTarget {
  return 'dialect' in config;
}

/**
 * Where the configuration points (protocols §7.1): `mysql` and `mixed` → MariaDB (in `mixed`,
 * InfluxDB holds the time series, which is the recorder's business), `sqlite` → a file.
 */
export function databaseTarget(config: DbConfig | DatabaseTarget): DatabaseTarget {
  if (isTarget(config)) return config;
  switch (config.driver) {
    case 'sqlite':
      return { dialect: 'sqlite', path: config.sqlitePath };
    case 'mysql':
    case 'mixed': {
      const missing = [
        config.mysql.db === undefined ? 'galileo_expdb_mysql_db' : undefined,
        config.mysql.user === undefined ? 'galileo_expdb_mysql_user' : undefined,
      ].filter((name) => name !== undefined);
      if (missing.length > 0)
        throw new Error(
          `galileo_expdb_driver=${config.driver} needs ${missing.join(' and ')} (the MariaDB database and user)`,
        );
      return {
        dialect: 'mysql',
        host: config.mysql.host,
        port: config.mysql.port,
        database: config.mysql.db as string,
        user: config.mysql.user as string,
        password: config.mysql.password,
      };
    }
    case 'influxdb':
      throw new Error(
        'galileo_expdb_driver=influxdb keeps no experiment table (galileo-db does not implement one either): use mixed (MariaDB + InfluxDB) or sqlite',
      );
  }
}

/** Serialises work on the one SQLite connection. */
function createMutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** The session inside an interactive transaction: everything goes through its client. */
function transactionSession(dialect: Session['dialect'], tx: PrismaTx): Session {
  const session: Session = {
    dialect,
    use: (fn) => fn(tx),
    execute: (sql, params) => tx.$executeRawUnsafe(sql, ...params),
    query: <T>(sql: string, params: readonly SqlValue[]) => tx.$queryRawUnsafe<T[]>(sql, ...params),
    atomic: (fn) => fn(session),
  };
  return session;
}

function mysqlSession(prisma: PrismaDb, pool: Pool): Session {
  return {
    dialect: 'mysql',
    use: (fn) => fn(prisma),
    // The hot path: the pool the adapter also uses, text protocol, one round trip per batch.
    execute: async (sql, params) => {
      const result = (await pool.query({ sql, insertIdAsNumber: true }, params as SqlValue[])) as {
        affectedRows: number;
      };
      return result.affectedRows;
    },
    executeBatch: async (sql, rows) => {
      const result = (await pool.batch(sql, rows as SqlValue[][])) as unknown;
      const packets = (Array.isArray(result) ? result : [result]) as { affectedRows?: number }[];
      return packets.reduce((sum, packet) => sum + Number(packet.affectedRows ?? 0), 0);
    },
    query: async <T>(sql: string, params: readonly SqlValue[]) =>
      (await pool.query({ sql, bigIntAsNumber: true }, params as SqlValue[])) as T[],
    atomic: (fn) => prisma.$transaction((tx) => fn(transactionSession('mysql', tx)), TRANSACTION_OPTIONS),
  };
}

/** The part of a Prisma SQL driver adapter the SQLite hot path calls directly. */
interface RawSqlAdapter {
  executeRaw(query: {
    sql: string;
    args: unknown[];
    argTypes: { scalarType: string; arity: 'scalar' }[];
  }): Promise<number>;
}

/**
 * The better-sqlite3 adapter factory, keeping the adapter Prisma connects through, so top-level
 * bulk inserts call its public `executeRaw` directly (skipping the query compiler: ~2x the rows/s).
 * Safe because every top-level call holds the SQLite mutex, so no transaction is open meanwhile.
 */
function capturingSqliteAdapter(path: string): {
  factory: PrismaBetterSqlite3;
  adapter: () => RawSqlAdapter | undefined;
} {
  const inner = new PrismaBetterSqlite3({ url: path, timeout: 30_000 });
  let adapter: RawSqlAdapter | undefined;
  const factory = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => {
      const connected = await inner.connect();
      adapter = connected as unknown as RawSqlAdapter;
      return connected;
    },
    connectToShadowDb: () => inner.connectToShadowDb(),
  };
  return { factory: factory as unknown as PrismaBetterSqlite3, adapter: () => adapter };
}

function sqliteSession(
  prisma: PrismaDb,
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>,
  rawAdapter: () => RawSqlAdapter | undefined,
): Session {
  const execute = async (sql: string, params: readonly SqlValue[]): Promise<number> => {
    let adapter = rawAdapter();
    if (!adapter) {
      await prisma.$connect();
      adapter = rawAdapter();
    }
    if (!adapter) return prisma.$executeRawUnsafe(sql, ...params);
    const argTypes = params.map((p) => ({
      scalarType: typeof p === 'number' ? 'float' : 'string',
      arity: 'scalar' as const,
    }));
    return adapter.executeRaw({ sql, args: [...params], argTypes });
  };
  return {
    dialect: 'sqlite',
    use: (fn) => exclusive(() => fn(prisma)),
    execute: (sql, params) => exclusive(() => execute(sql, params)),
    query: <T>(sql: string, params: readonly SqlValue[]) =>
      exclusive(() => prisma.$queryRawUnsafe<T[]>(sql, ...params)),
    atomic: (fn) =>
      exclusive(() => prisma.$transaction((tx) => fn(transactionSession('sqlite', tx)), TRANSACTION_OPTIONS)),
  };
}

function assemble(
  session: Session,
  parts: { migrate: () => Promise<string[]>; ping: () => Promise<unknown>; close: () => Promise<void> },
): GalileoDatabase {
  let closed: Promise<void> | undefined;
  return {
    ...createRepositories(session),
    dialect: session.dialect,
    transaction: <T>(fn: (tx: Repositories) => Promise<T>) =>
      session.atomic((s) => fn(createRepositories(s))),
    migrate: parts.migrate,
    ping: () =>
      parts.ping().then(
        () => true,
        () => false,
      ),
    close: () => (closed ??= parts.close()),
  };
}

/**
 * Opens the experiment database the configuration names (`galileo_expdb_driver`): MariaDB for
 * `mysql`/`mixed`, a SQLite file for `sqlite`; applies pending migrations unless told not to.
 */
export async function openDatabase(
  config: DbConfig | DatabaseTarget,
  options: OpenDatabaseOptions = {},
): Promise<GalileoDatabase> {
  const target = databaseTarget(config);
  const migrate = options.migrate ?? (isTarget(config) ? true : config.migrate);

  if (target.dialect === 'mysql') {
    const migrateNow = () => migrateMysql(target, options.migrationsDir);
    if (migrate) await migrateNow();
    const pool = createPool({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password ?? '',
      database: target.database,
      connectionLimit: options.connectionLimit ?? 5,
      prepareCacheLength: 0, // as the Prisma adapter configures the pools it creates
      connectTimeout: 10_000,
    });
    // The adapter bundles its own copy of the driver; the pool of ours fits its interface.
    const adapterPool = pool as unknown as ConstructorParameters<typeof PrismaMariaDb>[0];
    const prisma = new MysqlPrismaClient({
      adapter: new PrismaMariaDb(adapterPool, { database: target.database }),
    });
    return assemble(mysqlSession(prisma, pool), {
      migrate: migrateNow,
      ping: () => pool.query('SELECT 1'),
      close: async () => {
        await prisma.$disconnect();
        await pool.end();
      },
    });
  }

  if (target.path === ':memory:' || target.path === '')
    throw new Error(
      'libs/db: SQLite needs a file path (galileo_expdb_sqlite_path); use a temporary file instead of :memory:',
    );
  return openSharedSqlite(resolve(target.path), migrate, options);
}

/**
 * One connection per SQLite file and process, shared by every `openDatabase` of that file (the
 * embedded mode opens it from several services): better-sqlite3 waits for a lock synchronously,
 * so a second connection writing while the first holds an interactive transaction would block
 * the event loop that transaction needs to finish. `close()` closes it after the last user.
 */
const sharedSqlite = new Map<string, { opened: Promise<GalileoDatabase>; users: number }>();

async function openSharedSqlite(
  path: string,
  migrate: boolean,
  options: OpenDatabaseOptions,
): Promise<GalileoDatabase> {
  let entry = sharedSqlite.get(path);
  if (!entry) {
    const opened = openSqlite(path, options);
    entry = { opened, users: 0 };
    sharedSqlite.set(path, entry);
    opened.catch(() => sharedSqlite.delete(path));
  }
  entry.users += 1;
  const shared = entry;
  let db: GalileoDatabase;
  try {
    db = await shared.opened;
    if (migrate) await db.migrate();
  } catch (error) {
    shared.users -= 1;
    throw error;
  }
  let closed = false;
  return {
    ...db,
    close: async () => {
      if (closed) return;
      closed = true;
      shared.users -= 1;
      if (shared.users === 0 && sharedSqlite.get(path) === shared) {
        sharedSqlite.delete(path);
        await db.close();
      }
    },
  };
}

async function openSqlite(path: string, options: OpenDatabaseOptions): Promise<GalileoDatabase> {
  mkdirSync(dirname(path), { recursive: true });
  const exclusive = createMutex();
  const migrateNow = () => exclusive(async () => migrateSqlite(path, options.migrationsDir));
  const { factory, adapter } = capturingSqliteAdapter(path);
  const prisma = new SqlitePrismaClient({ adapter: factory }) as unknown as PrismaDb;
  return assemble(sqliteSession(prisma, exclusive, adapter), {
    migrate: migrateNow,
    ping: () => exclusive(() => prisma.$queryRawUnsafe('SELECT 1')),
    close: () => exclusive(() => prisma.$disconnect()),
  });
}
