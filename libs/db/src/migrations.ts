import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createConnection } from 'mariadb';
import type { DatabaseDialect, DatabaseTarget } from './types.js';

/**
 * Applies the SQL migrations of prisma/migrations (MariaDB) or prisma/sqlite/migrations where
 * Prisma's migrate engine is absent, and records them in `_prisma_migrations` as Prisma does
 * (id, sha-256 checksum of migration.sql, migration_name, started/finished_at, applied_steps_count),
 * so `prisma migrate deploy` and `prisma migrate status` agree with what was done here.
 */

export interface Migration {
  /** The folder name, e.g. `20261202000000_init`. */
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

const here = dirname(fileURLToPath(import.meta.url));

/** prisma/migrations or prisma/sqlite/migrations of this repository (searched upwards from here). */
export function defaultMigrationsDir(dialect: DatabaseDialect): string {
  const relative =
    dialect === 'mysql' ? join('prisma', 'migrations') : join('prisma', 'sqlite', 'migrations');
  for (let dir = here; ; dir = dirname(dir)) {
    const candidate = join(dir, relative);
    if (existsSync(join(candidate, 'migration_lock.toml'))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`libs/db: no ${relative} (with migration_lock.toml) above ${here}`);
}

/** The migrations of a folder, in name order (Prisma's order: the timestamp prefix). */
export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface AppliedRow {
  migration_name: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

function pendingOf(migrations: readonly Migration[], applied: readonly AppliedRow[]): Migration[] {
  const failed = applied.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed)
    throw new Error(
      `libs/db: migration ${failed.migration_name} failed earlier (see _prisma_migrations.logs); fix the database, then mark it rolled back or applied (prisma migrate resolve)`,
    );
  const done = new Set(applied.filter((row) => row.finished_at !== null).map((row) => row.migration_name));
  return migrations.filter((m) => !done.has(m.name));
}

const MYSQL_LEDGER = `CREATE TABLE IF NOT EXISTS \`_prisma_migrations\` (
    \`id\` VARCHAR(36) NOT NULL,
    \`checksum\` VARCHAR(64) NOT NULL,
    \`finished_at\` DATETIME(3) NULL,
    \`migration_name\` VARCHAR(255) NOT NULL,
    \`logs\` TEXT NULL,
    \`rolled_back_at\` DATETIME(3) NULL,
    \`started_at\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    \`applied_steps_count\` INTEGER UNSIGNED NOT NULL DEFAULT 0,
    PRIMARY KEY (\`id\`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;

const SQLITE_LEDGER = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/**
 * MariaDB: DDL commits implicitly, so a migration is not atomic here (nor with Prisma's engine);
 * a failed one is recorded with its error and blocks later opens until resolved. Concurrent
 * openers wait on an advisory lock, so each migration runs once.
 */
export async function migrateMysql(
  target: Extract<DatabaseTarget, { dialect: 'mysql' }>,
  dir = defaultMigrationsDir('mysql'),
): Promise<string[]> {
  const migrations = readMigrations(dir);
  const settings = {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password ?? '',
    multipleStatements: true,
    connectTimeout: 10_000,
  };
  const connection = await createConnection({ ...settings, database: target.database }).catch(
    async (error: unknown) => {
      // Like `prisma migrate deploy`: a database that does not exist yet is created.
      if ((error as { errno?: number }).errno !== 1049) throw error;
      const server = await createConnection(settings);
      try {
        await server.query(
          `CREATE DATABASE IF NOT EXISTS \`${target.database.replace(/`/g, '``')}\` CHARACTER SET utf8mb4`,
        );
      } finally {
        await server.end();
      }
      return createConnection({ ...settings, database: target.database });
    },
  );
  const lock = `galileo_migrate_${target.database}`.slice(0, 64);
  try {
    const [got] = (await connection.query('SELECT GET_LOCK(?, 120) AS got', [lock])) as {
      got: number | bigint;
    }[];
    if (Number(got?.got) !== 1)
      throw new Error(`libs/db: could not take the migration lock ${lock} within 120 s`);
    await connection.query(MYSQL_LEDGER);
    const applied = (await connection.query(
      'SELECT migration_name, finished_at, rolled_back_at FROM `_prisma_migrations`',
    )) as AppliedRow[];
    const names: string[] = [];
    for (const migration of pendingOf(migrations, applied)) {
      const id = randomUUID();
      await connection.query(
        'INSERT INTO `_prisma_migrations` (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, NOW(3), 0)',
        [id, migration.checksum, migration.name],
      );
      try {
        await connection.query(migration.sql);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await connection.query('UPDATE `_prisma_migrations` SET logs = ? WHERE id = ?', [message, id]);
        throw new Error(`libs/db: migration ${migration.name} failed: ${message}`, { cause: error });
      }
      await connection.query(
        'UPDATE `_prisma_migrations` SET finished_at = NOW(3), applied_steps_count = 1 WHERE id = ?',
        [id],
      );
      names.push(migration.name);
    }
    return names;
  } finally {
    await connection.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => undefined);
    await connection.end();
  }
}

/**
 * SQLite: everything in one `BEGIN IMMEDIATE` transaction (SQLite's DDL is transactional), so a
 * failed migration leaves nothing behind and concurrent openers wait for the write lock.
 * Times are Unix milliseconds, as Prisma stores DateTime in SQLite.
 */
export function migrateSqlite(path: string, dir = defaultMigrationsDir('sqlite')): string[] {
  const migrations = readMigrations(dir);
  const db = new Database(path, { timeout: 30_000 });
  try {
    if (path !== ':memory:') db.pragma('journal_mode = WAL');
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(SQLITE_LEDGER);
      const applied = db
        .prepare('SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"')
        .all() as AppliedRow[];
      const names: string[] = [];
      const record = db.prepare(
        'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)',
      );
      for (const migration of pendingOf(migrations, applied)) {
        const started = Date.now();
        db.exec(migration.sql);
        record.run(randomUUID(), migration.checksum, migration.name, started, Date.now());
        names.push(migration.name);
      }
      db.exec('COMMIT');
      return names;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  } finally {
    db.close();
  }
}

/** Where `prisma migrate deploy` would look, for the README and error messages. */
export function migrationsDirFor(dialect: DatabaseDialect, override?: string): string {
  return override ? resolve(override) : defaultMigrationsDir(dialect);
}
