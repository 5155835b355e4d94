// Prisma CLI configuration for the derived SQLite schema, where Prisma's schema engine is installed:
//   npx prisma migrate deploy --config prisma/sqlite/prisma.config.ts
// The file comes from DATABASE_URL (`file:…`), else galileo_expdb_sqlite_path (default ./galileodb.sqlite).
import { resolve } from 'node:path';
import { defineConfig } from 'prisma/config';

const path = resolve(process.env.galileo_expdb_sqlite_path ?? './galileodb.sqlite');

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  datasource: { url: process.env.DATABASE_URL ?? `file:${path}` },
});
