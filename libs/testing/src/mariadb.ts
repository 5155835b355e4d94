import { randomBytes } from 'node:crypto';
import { createConnection, type ConnectionConfig } from 'mariadb';

/** The MariaDB every test talks to: the machine's real server, root without password (GALILEO_TEST_MYSQL_* override). */
export function testMariadbServer(): { host: string; port: number; user: string; password: string } {
  return {
    host: process.env.GALILEO_TEST_MYSQL_HOST ?? '127.0.0.1',
    port: Number(process.env.GALILEO_TEST_MYSQL_PORT ?? 3306),
    user: process.env.GALILEO_TEST_MYSQL_USER ?? 'root',
    password: process.env.GALILEO_TEST_MYSQL_PASSWORD ?? '',
  };
}

export interface MariadbTestDatabase {
  /** The fresh database's name, `gtest_<label>_<random>`. */
  readonly database: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Drops the database. */
  drop(): Promise<void>;
}

async function withServer<T>(fn: (run: (sql: string) => Promise<unknown>) => Promise<T>): Promise<T> {
  const server = testMariadbServer();
  const config: ConnectionConfig = { ...server, connectTimeout: 5000 };
  const connection = await createConnection(config);
  try {
    return await fn((sql) => connection.query(sql));
  } finally {
    await connection.end();
  }
}

/** Creates an empty database on the real MariaDB for one test file; call `drop()` afterwards. */
export async function mariadbTestDatabase(label = 't'): Promise<MariadbTestDatabase> {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  const database = `gtest_${safe}_${randomBytes(4).toString('hex')}`;
  await withServer((run) => run(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`));
  return {
    ...testMariadbServer(),
    database,
    drop: () => withServer((run) => run(`DROP DATABASE IF EXISTS \`${database}\``)).then(() => undefined),
  };
}
