import type { DatabaseLocation } from '../../store/database-url.ts';
import type { AnyDb } from '../../store/dialects/store-dialect.ts';
import { insertRows } from './batch-writer.ts';
import { PostgresCopyLoader } from './postgres-copy-loader.ts';
import type { Row } from './row-values.ts';
import { insertSqliteRows } from './sqlite-row-inserts.ts';

/**
 * Puts rows (all with the same columns) into `table` in their order, so rows that reference earlier ones
 * of the same table (a task's parent) find them, and resolves once they are in. `sent` is called as soon
 * as the database has all the rows to work on, and never after the load has settled: work that holds the
 * thread (reading the next batch from SQLite) can start then without holding the rows back.
 */
export type LoadRows = (table: string, rows: readonly Row[], sent?: () => void) => Promise<void>;

/** Writes batches of rows into a database, each in one transaction with whatever else goes with it. */
export interface RowLoader {
  /** Runs `fn` in one transaction: what it writes through `trx` and what it loads commit together. */
  transaction<T>(fn: (trx: AnyDb, load: LoadRows) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A loader into the database `db` opens at `location`. On PostgreSQL it loads with COPY, far faster than
 * INSERT, on a connection of its own (see `postgres-copy-loader.ts`) that nothing connects until the first
 * transaction; on SQLite with one prepared INSERT a row, and on MySQL with multi-row INSERTs, through `db`.
 */
export function openRowLoader(db: AnyDb, location: DatabaseLocation): RowLoader {
  if (location.dialect === 'postgres') return new PostgresCopyLoader(location.url);
  // Each INSERT is sent once the one before is done, so the database never holds the whole batch while
  // the caller waits: the caller goes on at once, and its next read runs before the INSERTs.
  const load =
    (trx: AnyDb): LoadRows =>
    (table, rows, sent) => {
      sent?.();
      return location.dialect === 'sqlite'
        ? insertSqliteRows(trx, table, rows)
        : insertRows(trx, location.dialect, table, rows);
    };
  return {
    transaction: (fn) => db.transaction().execute((trx) => fn(trx, load(trx))),
    close: async () => {},
  };
}
