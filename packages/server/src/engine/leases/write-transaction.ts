import { type Kysely, sql } from 'kysely';
import { runInTransaction } from '../../store/dialects/run-in-transaction.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';

/**
 * Runs `fn` in a transaction that writes tasks: committed whole or not at all, even if the process dies.
 *
 * Where rows can be locked and skipped (`skipLocked`), the transaction runs at READ COMMITTED: InnoDB then
 * takes no gap locks and keeps no locks on rows a claim looked at but did not take, so concurrent
 * claimers only ever meet the rows they actually claim. Elsewhere (SQLite) there is one writer at a time,
 * and the write lock is taken at BEGIN: a deferred transaction that read first could fail with
 * SQLITE_BUSY when it came to write, instead of waiting its turn. There, concurrent write transactions
 * share one commit (see `store/dialects/sqlite-group-commit.ts`, which knows them by their
 * `begin immediate`); each still returns only once its own write is committed.
 *
 * On SQLite, all of one process's writes must go through one Kysely instance (whose single connection
 * queues them): node:sqlite waits for a busy lock synchronously, so a second connection in the same
 * process would stall the event loop that the first one's open transaction needs in order to finish.
 */
export async function inWriteTransaction<T>(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  fn: (trx: Kysely<CairnDatabase>) => Promise<T>,
): Promise<T> {
  if (dialect.capabilities.skipLocked) {
    return db.transaction().setIsolationLevel('read committed').execute(fn);
  }
  return db.connection().execute((connection) => runInTransaction(connection, sql`begin immediate`, fn));
}
