import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createConnection } from 'mariadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addedColumns, galileoTables } from './galileo-schema.js';
import { migrateMysql, migrateSqlite } from './migrations.js';
import { readDeclaredTables } from './test-support/prisma-schema.js';
import { testTarget, type TestTarget } from './test-support/targets.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const mysqlSchema = `${root}prisma/schema.prisma`;
const sqliteSchema = `${root}prisma/sqlite/schema.prisma`;

interface Column {
  name: string;
  type: string;
  nullable: boolean;
}

describe('the SQLite schema', () => {
  it('is derived from prisma/schema.prisma and up to date (else: npm run db:generate)', () => {
    const run = spawnSync(process.execPath, [`${root}prisma/derive-sqlite.mjs`, '--check'], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('declares the same tables and columns as the MariaDB schema', () => {
    const strip = (tables: ReturnType<typeof readDeclaredTables>) => tables.map((t) => ({ ...t }));
    expect(strip(readDeclaredTables(sqliteSchema))).toEqual(strip(readDeclaredTables(mysqlSchema)));
  });
});

describe('the migrated databases', () => {
  let maria: TestTarget;
  let lite: TestTarget;
  const mysqlColumns = new Map<string, Column[]>();
  const mysqlIndexes = new Set<string>();
  const sqliteColumns = new Map<string, Column[]>();
  const sqliteIndexes = new Set<string>();

  beforeAll(async () => {
    maria = await testTarget('mysql', 'schema');
    lite = await testTarget('sqlite', 'schema');
    if (maria.target.dialect !== 'mysql' || lite.target.dialect !== 'sqlite')
      throw new Error('unexpected targets');
    await migrateMysql(maria.target);
    migrateSqlite(lite.target.path);

    const connection = await createConnection({ ...maria.target, password: maria.target.password ?? '' });
    try {
      const rows = (await connection.query(
        'SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION',
        [maria.target.database],
      )) as { TABLE_NAME: string; COLUMN_NAME: string; COLUMN_TYPE: string; IS_NULLABLE: string }[];
      for (const r of rows) {
        const list = mysqlColumns.get(r.TABLE_NAME) ?? [];
        list.push({ name: r.COLUMN_NAME, type: r.COLUMN_TYPE, nullable: r.IS_NULLABLE === 'YES' });
        mysqlColumns.set(r.TABLE_NAME, list);
      }
      const indexes = (await connection.query(
        'SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?',
        [maria.target.database],
      )) as { INDEX_NAME: string }[];
      for (const i of indexes) mysqlIndexes.add(i.INDEX_NAME);
    } finally {
      await connection.end();
    }

    const db = new Database(lite.target.path, { readonly: true });
    try {
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as { name: string }[];
      for (const { name } of tables) {
        const info = db.prepare(`PRAGMA table_xinfo("${name}")`).all() as {
          name: string;
          type: string;
          notnull: number;
          pk: number;
        }[];
        sqliteColumns.set(
          name,
          info.map((c) => ({ name: c.name, type: c.type, nullable: c.notnull === 0 && c.pk === 0 })),
        );
      }
      for (const i of db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as {
        name: string;
      }[])
        sqliteIndexes.add(i.name);
    } finally {
      db.close();
    }
  });
  afterAll(async () => {
    await maria?.cleanup();
    await lite?.cleanup();
  });

  it("keep galileo-db's tables, column names, order and MariaDB types, with additions only after them", () => {
    for (const [table, columns] of Object.entries(galileoTables)) {
      const actual = mysqlColumns.get(table);
      expect(actual, table).toBeDefined();
      expect(actual!.slice(0, columns.length), table).toEqual(columns);
      expect(
        actual!.slice(columns.length).map((c) => c.name),
        table,
      ).toEqual(addedColumns[table]);
      expect(
        sqliteColumns.get(table)!.map((c) => c.name),
        table,
      ).toEqual([...columns.map((c) => c.name), ...addedColumns[table]!]);
    }
  });

  it('hold exactly the tables of the Prisma schema (plus _prisma_migrations)', () => {
    const declared = readDeclaredTables(mysqlSchema)
      .map((t) => t.table)
      .sort();
    expect([...mysqlColumns.keys()].sort()).toEqual([...declared, '_prisma_migrations'].sort());
    expect([...sqliteColumns.keys()].filter((t) => t !== 'sqlite_sequence').sort()).toEqual(
      [...declared, '_prisma_migrations'].sort(),
    );
    for (const table of ['instructions', 'processed_events']) {
      expect(mysqlColumns.get(table)!.map((c) => c.name)).toEqual(addedColumns[table]);
    }
  });

  it('have the columns, nullability and named indexes the Prisma schema declares', () => {
    for (const table of readDeclaredTables(mysqlSchema)) {
      for (const [dialect, columns, indexes] of [
        ['mysql', mysqlColumns, mysqlIndexes],
        ['sqlite', sqliteColumns, sqliteIndexes],
      ] as const) {
        const actual = columns.get(table.table)!;
        // SUBSYSTEM_KEY is generated; MariaDB cannot mark a generated column NOT NULL (it never is null).
        const expected = table.columns.map((c) => ({
          name: c.name,
          nullable: c.nullable || (dialect === 'mysql' && c.name === 'SUBSYSTEM_KEY'),
        }));
        expect(
          actual.map((c) => ({ name: c.name, nullable: c.nullable })),
          `${dialect} ${table.table}`,
        ).toEqual(expected);
        for (const index of table.indexes) expect(indexes.has(index), `${dialect} index ${index}`).toBe(true);
      }
    }
  });
});
