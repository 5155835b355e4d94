import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mariadbTestDatabase } from '@galileo/testing';
import type { DatabaseDialect, DatabaseTarget } from '../types.js';

export interface TestTarget {
  readonly target: DatabaseTarget;
  cleanup(): Promise<void>;
}

/** A fresh database: a new MariaDB database on the real server, or a SQLite file in a temp dir. */
export async function testTarget(dialect: DatabaseDialect, label: string): Promise<TestTarget> {
  if (dialect === 'mysql') {
    const db = await mariadbTestDatabase(label);
    return {
      target: {
        dialect: 'mysql',
        host: db.host,
        port: db.port,
        user: db.user,
        password: db.password,
        database: db.database,
      },
      cleanup: () => db.drop(),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), `galileo-db-${label}-`));
  return {
    target: { dialect: 'sqlite', path: join(dir, 'galileo.sqlite') },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const dialects: readonly DatabaseDialect[] = ['mysql', 'sqlite'];
