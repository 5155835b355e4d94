import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createConnection } from 'mariadb';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultMigrationsDir, migrateSqlite, readMigrations } from './migrations.js';
import { openDatabase } from './open-database.js';
import { dialects, testTarget, type TestTarget } from './test-support/targets.js';
import type { DatabaseTarget } from './types.js';

async function appliedRows(target: DatabaseTarget): Promise<Record<string, unknown>[]> {
  const sql =
    'SELECT id, checksum, migration_name, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name';
  if (target.dialect === 'sqlite') {
    const db = new Database(target.path, { readonly: true });
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  const connection = await createConnection({ ...target, password: target.password ?? '' });
  try {
    return (await connection.query(sql)) as Record<string, unknown>[];
  } finally {
    await connection.end();
  }
}

const targets: TestTarget[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.cleanup()));
});

for (const dialect of dialects) {
  describe(`migrations on ${dialect}`, () => {
    it('applies each migration once, recorded as Prisma records it; re-opening is a no-op', async () => {
      const t = await testTarget(dialect, `migrate_${dialect}`);
      targets.push(t);
      const migrations = readMigrations(defaultMigrationsDir(dialect));
      expect(migrations.length).toBeGreaterThan(0);

      const first = await openDatabase(t.target);
      await first.close();
      const rows = await appliedRows(t.target);
      expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
      for (const [i, row] of rows.entries()) {
        const file = readFileSync(join(defaultMigrationsDir(dialect), migrations[i]!.name, 'migration.sql'));
        expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
        expect(row.finished_at).not.toBeNull();
        expect(row.rolled_back_at).toBeNull();
        expect(Number(row.applied_steps_count)).toBe(1);
        expect(String(row.id)).toMatch(/^[0-9a-f-]{36}$/);
      }

      const again = await openDatabase(t.target);
      expect(await again.migrate()).toEqual([]);
      await again.experiments.upsert({
        id: 'kept',
        name: null,
        creator: null,
        start: null,
        end: null,
        created: 1,
        status: 'QUEUED',
      });
      await again.close();
      const third = await openDatabase(t.target);
      expect(await third.experiments.get('kept')).toBeDefined();
      await third.close();
      expect(await appliedRows(t.target)).toHaveLength(migrations.length);
    });

    it('applies them once when several services open the database at the same time', async () => {
      const t = await testTarget(dialect, `migrate_race_${dialect}`);
      targets.push(t);
      const opened = await Promise.all([0, 1, 2].map(() => openDatabase(t.target)));
      await Promise.all(opened.map((db) => db.close()));
      expect(await appliedRows(t.target)).toHaveLength(readMigrations(defaultMigrationsDir(dialect)).length);
    });

    it('opens without migrating when told so', async () => {
      const t = await testTarget(dialect, `migrate_off_${dialect}`);
      targets.push(t);
      const db = await openDatabase(t.target, { migrate: false });
      await expect(db.experiments.get('x')).rejects.toThrow();
      expect((await db.migrate()).length).toBeGreaterThan(0);
      expect(await db.experiments.get('x')).toBeUndefined();
      await db.close();
    });
  });
}

describe('MariaDB migrations', () => {
  it('create the database when it does not exist yet, as prisma migrate deploy does', async () => {
    const t = await testTarget('mysql', 'migrate_create');
    targets.push(t);
    await t.cleanup(); // drop it: openDatabase must create it again (cleanup drops it once more)
    const db = await openDatabase(t.target);
    expect(await db.experiments.list()).toEqual([]);
    await db.close();
  });
});

describe('SQLite migrations are transactional', () => {
  it('leaves nothing behind when a migration fails, and applies it once fixed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'galileo-db-mig-'));
    try {
      const migrations = join(dir, 'migrations');
      cpSync(defaultMigrationsDir('sqlite'), migrations, { recursive: true });
      const bad = join(migrations, '29990101000000_broken');
      mkdirSync(bad);
      writeFileSync(join(bad, 'migration.sql'), 'CREATE TABLE "x" ("A" TEXT);\nTHIS IS NOT SQL;\n');
      const path = join(dir, 'db.sqlite');
      expect(() => migrateSqlite(path, migrations)).toThrow();
      const db = new Database(path);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
      db.close();
      expect(tables).toEqual([]);
      writeFileSync(join(bad, 'migration.sql'), 'CREATE TABLE "x" ("A" TEXT);\n');
      expect(migrateSqlite(path, migrations)).toHaveLength(readMigrations(migrations).length);
      expect(migrateSqlite(path, migrations)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
