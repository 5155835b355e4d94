// Trace inserts into the experiment database: libs/db's idempotent multi-row INSERT IGNORE /
// ON CONFLICT DO NOTHING (the recorder's hot path) against the peer, Prisma's createMany
// (skipDuplicates on MariaDB), in the same run, on MariaDB and SQLite.
//   npx tsx libs/db/bench/insert.bench.ts [--quick]     last line: one JSON object
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DatabaseTarget, type TraceRecord } from '@galileo/db';
import { mariadbTestDatabase } from '@galileo/testing';
import { MysqlPrismaClient, SqlitePrismaClient } from '../src/prisma-clients.js';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';

const quick = process.argv.includes('--quick');
const total = quick ? 20_000 : 100_000;
const batch = 1000;

function traces(prefix: string, count: number): TraceRecord[] {
  const now = Date.now() / 1000;
  return Array.from({ length: count }, (_, i) => ({
    requestId: `${prefix}${i.toString(16).padStart(8, '0')}:${i}`.slice(0, 36),
    client: `worker-1:squeezenet:${i % 8}`,
    service: 'squeezenet',
    created: now + i / 1000,
    sent: now + i / 1000 + 0.0001,
    done: now + i / 1000 + 0.02,
    status: 200,
    server: '10.0.0.12:8080',
    experimentId: 'bench-exp',
    headers: '{"Content-Type": "application/json", "Content-Length": "27"}',
    response: '{"class": "tabby cat", "p": 0.81}',
  }));
}

function rate(rows: number, ms: number): number {
  return Math.round((rows / ms) * 1000);
}

async function measure(target: DatabaseTarget) {
  const db = await openDatabase(target);
  await db.traces.insertMany(traces('w', 3000)); // warm-up (JIT, connections)
  const rows = traces('a', total);
  let t = performance.now();
  for (let i = 0; i < rows.length; i += batch) await db.traces.insertMany(rows.slice(i, i + batch));
  const libsDb = rate(total, performance.now() - t);
  // Redelivery: the same rows again, all skipped.
  t = performance.now();
  for (let i = 0; i < rows.length; i += batch) await db.traces.insertMany(rows.slice(i, i + batch));
  const libsDbDuplicates = rate(total, performance.now() - t);
  await db.close();

  const peerRows = traces('b', total).map((r) => ({ ...r }));
  const prisma =
    target.dialect === 'mysql'
      ? new MysqlPrismaClient({
          adapter: new PrismaMariaDb({
            host: target.host,
            port: target.port,
            user: target.user,
            password: target.password,
            database: target.database,
          }),
        })
      : (new SqlitePrismaClient({
          adapter: new PrismaBetterSqlite3({ url: target.path }),
        }) as unknown as MysqlPrismaClient);
  await prisma.trace.createMany({ data: traces('v', 1000) }); // warm-up
  t = performance.now();
  for (let i = 0; i < peerRows.length; i += batch) {
    const data = peerRows.slice(i, i + batch);
    await (target.dialect === 'mysql'
      ? prisma.trace.createMany({ data, skipDuplicates: true })
      : prisma.trace.createMany({ data }));
  }
  const prismaCreateMany = rate(total, performance.now() - t);
  await prisma.$disconnect();
  return {
    rowsPerSecond: libsDb,
    duplicateRowsPerSecond: libsDbDuplicates,
    peerPrismaCreateManyRowsPerSecond: prismaCreateMany,
  };
}

const maria = await mariadbTestDatabase('bench_insert');
const dir = mkdtempSync(join(tmpdir(), 'galileo-db-bench-'));
try {
  const mariadb = await measure({ dialect: 'mysql', ...maria });
  const sqlite = await measure({ dialect: 'sqlite', path: join(dir, 'bench.sqlite') });
  console.log(JSON.stringify({ bench: 'db-trace-inserts', quick, rows: total, batch, mariadb, sqlite }));
} finally {
  await maria.drop();
  rmSync(dir, { recursive: true, force: true });
}
