import { type RawBuilder, sql } from 'kysely';
import { runInTransaction } from '../../store/dialects/run-in-transaction.ts';
import type { AnyDb, DialectName, StoreDialect } from '../../store/dialects/store-dialect.ts';

/**
 * How each dialect begins a read-only transaction whose every query sees one snapshot of the database:
 * - PostgreSQL: REPEATABLE READ takes the snapshot at the first query and keeps it to the end.
 * - MySQL/MariaDB (InnoDB): WITH CONSISTENT SNAPSHOT takes it at once; it needs REPEATABLE READ, set
 *   just before, since a pooled session may default to another level.
 * - SQLite in WAL mode (as the store opens it): a read transaction sees the database as of its first
 *   read until it ends, while writers go on appending to the log.
 */
const BEGIN_SNAPSHOT: Record<DialectName, { before?: RawBuilder<unknown>; begin: RawBuilder<unknown> }> = {
  postgres: { begin: sql`start transaction isolation level repeatable read, read only` },
  mysql: {
    before: sql`set transaction isolation level repeatable read`,
    begin: sql`start transaction with consistent snapshot, read only`,
  },
  sqlite: { begin: sql`begin` },
};

/**
 * Runs `fn` on one dedicated connection inside a read-only snapshot transaction, so that everything it
 * reads, across tables and batches, is the database as of one instant.
 *
 * On SQLite the store has a single connection per handle, so other queries on the same handle wait until
 * `fn` ends: read the rows inside it, and do anything slow (copying objects) after.
 */
export async function inSnapshot<T>(
  db: AnyDb,
  dialect: StoreDialect,
  fn: (snapshot: AnyDb) => Promise<T>,
): Promise<T> {
  const { before, begin } = BEGIN_SNAPSHOT[dialect.name];
  return db.connection().execute(async (connection) => {
    await before?.execute(connection);
    return runInTransaction(connection, begin, fn);
  });
}
