#!/usr/bin/env node
// `npm run db:generate` (also run by `postinstall`): derives the SQLite schema, then generates both
// Prisma clients into libs/db/src/generated/{mysql,sqlite}. Works offline: `prisma generate` needs
// no engine binary with the `prisma-client` generator, but the CLI insists that a schema engine
// file exists, so PRISMA_SCHEMA_ENGINE_BINARY points at a stand-in when no engine was downloaded.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deriveSqliteSchema, derivedPath, sourcePath } from './derive-sqlite.mjs';

const require = createRequire(import.meta.url);

writeFileSync(derivedPath, deriveSqliteSchema(readFileSync(sourcePath, 'utf8')));

const cli = join(dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !engineDownloaded())
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;

for (const schema of [sourcePath, derivedPath]) {
  const run = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], { env, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`prisma generate failed for ${schema} (exit ${run.status ?? run.signal})`);
    process.exit(1);
  }
}

function engineDownloaded() {
  try {
    const engines = dirname(require.resolve('@prisma/engines'));
    return [engines, dirname(engines)].some((dir) =>
      readdirSync(dir).some((name) => name.startsWith('schema-engine')),
    );
  } catch {
    return false;
  }
}
