#!/usr/bin/env node
// Derives prisma/sqlite/schema.prisma from prisma/schema.prisma (MariaDB, the source of truth):
// provider sqlite, no native MariaDB types (@db.*), the client generated into its own folder.
//   node prisma/derive-sqlite.mjs           write the derived schema
//   node prisma/derive-sqlite.mjs --check   exit 1 when the committed file is not up to date
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const sourcePath = join(here, 'schema.prisma');
export const derivedPath = join(here, 'sqlite', 'schema.prisma');

const header = `// GENERATED from prisma/schema.prisma by prisma/derive-sqlite.mjs (npm run db:generate).
// Do not edit: change prisma/schema.prisma and regenerate; a test checks this file is up to date.
`;

/** The SQLite schema text for a MariaDB schema text. */
export function deriveSqliteSchema(source) {
  let text = source;
  const replaceOnce = (pattern, replacement, what) => {
    if (!pattern.test(text)) throw new Error(`prisma/schema.prisma: expected ${what}`);
    text = text.replace(pattern, replacement);
  };
  replaceOnce(
    /(datasource\s+db\s*\{[^}]*provider\s*=\s*)"mysql"/,
    '$1"sqlite"',
    'datasource db with provider "mysql"',
  );
  replaceOnce(
    /(generator\s+client\s*\{[^}]*output\s*=\s*)"\.\.\/libs\/db\/src\/generated\/mysql"/,
    '$1"../../libs/db/src/generated/sqlite"',
    'generator client with output "../libs/db/src/generated/mysql"',
  );
  // Native types exist only for MariaDB; SQLite takes Prisma's defaults (TEXT, REAL, INTEGER).
  text = text.replace(/[ \t]+@db\.[A-Za-z]+(\([^)]*\))?/g, '');
  // Keep the column layout readable after removing attributes.
  text = text.replace(/[ \t]+$/gm, '');
  return header + text;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const derived = deriveSqliteSchema(readFileSync(sourcePath, 'utf8'));
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(derivedPath, 'utf8');
    } catch {
      // missing counts as out of date
    }
    if (current !== derived) {
      console.error('prisma/sqlite/schema.prisma is out of date: run `npm run db:generate`');
      process.exit(1);
    }
  } else {
    writeFileSync(derivedPath, derived);
  }
}
