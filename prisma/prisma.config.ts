// Prisma CLI configuration for the MariaDB schema, where Prisma's schema engine is installed:
//   npx prisma migrate deploy --config prisma/prisma.config.ts
// The URL comes from DATABASE_URL, else from galileo's variables (galileo_expdb_mysql_*).
// Services do not need this: libs/db applies the same migrations itself when it opens the database.
import { defineConfig } from 'prisma/config';

const env = process.env;
const user = encodeURIComponent(env.galileo_expdb_mysql_user ?? 'root');
const password = env.galileo_expdb_mysql_password
  ? `:${encodeURIComponent(env.galileo_expdb_mysql_password)}`
  : '';
const host = env.galileo_expdb_mysql_host ?? 'localhost';
const port = env.galileo_expdb_mysql_port ?? '3307';
const database = env.galileo_expdb_mysql_db ?? 'galileo';

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  datasource: { url: env.DATABASE_URL ?? `mysql://${user}${password}@${host}:${port}/${database}` },
});
