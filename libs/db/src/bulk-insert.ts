import type { DatabaseDialect } from './types.js';
import type { Session, SqlValue } from './session.js';

/**
 * The one place where idempotent bulk inserts are written: multi-row `INSERT IGNORE` (MariaDB) or
 * `INSERT … ON CONFLICT DO NOTHING` (SQLite) in batches, so a row whose unique key is already
 * stored is skipped by the database itself. This is the recorder's hot path; Prisma's createMany
 * (`skipDuplicates` is not even available on SQLite) costs several times more per row.
 */

export interface BulkInsert {
  readonly table: string;
  readonly columns: readonly string[];
}

/** Rows per statement: MariaDB takes 65,535 placeholders, SQLite 32,766; both stay well below. */
const MAX_ROWS: Record<DatabaseDialect, number> = { mysql: 1000, sqlite: 500 };
/** Rows per bulk-protocol call. */
const BULK_ROWS = 2000;
/** UTF-16 units of text per statement (≤ 12 MB of UTF-8, below MariaDB's 16 MB max_allowed_packet). */
const MAX_TEXT_UNITS = 2_000_000;

function quote(dialect: DatabaseDialect, identifier: string): string {
  return dialect === 'mysql' ? `\`${identifier}\`` : `"${identifier}"`;
}

export function insertIgnoreSql(dialect: DatabaseDialect, target: BulkInsert, rowCount: number): string {
  const columns = target.columns.map((c) => quote(dialect, c)).join(', ');
  const tuple = `(${target.columns.map(() => '?').join(', ')})`;
  const values = Array.from({ length: rowCount }, () => tuple).join(', ');
  return dialect === 'mysql'
    ? `INSERT IGNORE INTO ${quote(dialect, target.table)} (${columns}) VALUES ${values}`
    : `INSERT INTO ${quote(dialect, target.table)} (${columns}) VALUES ${values} ON CONFLICT DO NOTHING`;
}

function textUnits(row: readonly SqlValue[]): number {
  let units = 0;
  for (const value of row) units += typeof value === 'string' ? value.length + 3 : 24;
  return units;
}

/** Inserts the rows in batches, skipping those already stored; returns how many were inserted. */
export async function insertIgnoringDuplicates(
  session: Session,
  target: BulkInsert,
  rows: readonly (readonly SqlValue[])[],
): Promise<number> {
  if (rows.length === 0) return 0;
  if (session.executeBatch) {
    // MariaDB's bulk protocol: measured ~1.5x the rows/s of multi-row text INSERTs; the driver
    // splits packets at max_allowed_packet itself.
    const sql = insertIgnoreSql(session.dialect, target, 1);
    let inserted = 0;
    for (let i = 0; i < rows.length; i += BULK_ROWS)
      inserted += await session.executeBatch(sql, rows.slice(i, i + BULK_ROWS));
    return inserted;
  }
  const maxRows = MAX_ROWS[session.dialect];
  let inserted = 0;
  let batch: SqlValue[] = [];
  let batchRows = 0;
  let batchUnits = 0;
  const flush = async () => {
    if (batchRows === 0) return;
    inserted += await session.execute(insertIgnoreSql(session.dialect, target, batchRows), batch);
    batch = [];
    batchRows = 0;
    batchUnits = 0;
  };
  for (const row of rows) {
    const units = textUnits(row);
    if (batchRows > 0 && (batchRows >= maxRows || batchUnits + units > MAX_TEXT_UNITS)) await flush();
    for (const value of row) batch.push(value);
    batchRows += 1;
    batchUnits += units;
  }
  await flush();
  return inserted;
}
