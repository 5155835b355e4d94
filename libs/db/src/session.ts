import type { DatabaseDialect } from './types.js';
import type { PrismaTx } from './prisma-clients.js';

/** A plain SQL parameter. */
export type SqlValue = string | number | null;

/**
 * What a repository runs on: one connection or transaction. `use` serialises top-level work on
 * SQLite (one connection: a statement issued while a transaction is open would join it);
 * `atomic` runs several statements in one transaction, or just runs them inside an open one.
 */
export interface Session {
  readonly dialect: DatabaseDialect;
  /** Runs `fn` with the Prisma client of this session. */
  use<T>(fn: (prisma: PrismaTx) => Promise<T>): Promise<T>;
  /** Executes one statement, returning the affected row count. */
  execute(sql: string, params: readonly SqlValue[]): Promise<number>;
  /**
   * Executes a one-row statement once per row in a single round trip where the driver can
   * (MariaDB's bulk protocol); absent elsewhere, where multi-row statements are used instead.
   */
  readonly executeBatch?: (sql: string, rows: readonly (readonly SqlValue[])[]) => Promise<number>;
  /** Runs one query returning rows (plain objects keyed by column name). */
  query<T>(sql: string, params: readonly SqlValue[]): Promise<T[]>;
  atomic<T>(fn: (session: Session) => Promise<T>): Promise<T>;
}
