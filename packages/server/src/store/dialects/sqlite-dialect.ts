import { type SqlBool, sql } from 'kysely';
import { CairnError } from '../../errors.ts';
import { runInTransaction } from './run-in-transaction.ts';
import type { AnyDb, StoreDialect } from './store-dialect.ts';

export function isBusy(error: unknown): boolean {
  return error instanceof Error && /database is locked|SQLITE_BUSY/i.test(error.message);
}

export const sqliteDialect: StoreDialect = {
  name: 'sqlite',
  capabilities: {
    transactionalDdl: true,
    returning: true,
    skipLocked: false,
    tableScopedIndexNames: false,
    createTableSuffix: undefined,
    migrationLock: 'BEGIN EXCLUSIVE transaction per migration',
    expressionStatistics: false,
    foreignKeysShareLockParent: false,
    insertsInWith: false,
    parallelQueries: false,
  },
  columnTypes: {
    uuid: 'text',
    name: 'text',
    path: 'text',
    text: 'text',
    largeText: 'text',
    timestamp: 'integer',
    flag: 'integer',
    integer: 'integer',
    bigInteger: 'integer',
    sha256: 'text',
  },

  // SQLite has one writer at a time; the exclusive transaction of each unit is the lock.
  // busy_timeout makes a second migrator wait for it rather than fail at once.
  async withMigrationLock(db, timeoutMs, fn) {
    return db.connection().execute(async (connection) => {
      await sql.raw(`pragma busy_timeout = ${Math.max(0, Math.floor(timeoutMs))}`).execute(connection);
      try {
        return await fn(connection);
      } catch (error) {
        if (isBusy(error)) {
          throw new CairnError(
            'MIGRATION_LOCK_TIMEOUT',
            `another process held the SQLite database's write lock for more than ${timeoutMs} ms; ` +
              'wait for it to finish (another migrator or a running Cairn) and try again',
            { cause: error },
          );
        }
        throw error;
      }
    });
  },

  runMigrationUnit: (connection, fn) => runInTransaction(connection, sql`begin exclusive`, fn),

  async databaseBytes(db: AnyDb) {
    const { rows } = await sql<{ bytes: number }>`select page_count * page_size as bytes
      from pragma_page_count(), pragma_page_size()`.execute(db);
    return Number(rows[0]?.bytes ?? 0);
  },
  async tableExists(db: AnyDb, table: string) {
    const { rows } = await sql`select 1 from sqlite_master where type = 'table' and name = ${table}`.execute(
      db,
    );
    return rows.length > 0;
  },
  async indexExists(db: AnyDb, table: string, index: string) {
    // On its table: a name another table's index holds is not this index, and creating it must fail.
    const { rows } = await sql`select 1 from sqlite_master
      where type = 'index' and name = ${index} and tbl_name = ${table}`.execute(db);
    return rows.length > 0;
  },
  async columnExists(db: AnyDb, table: string, column: string) {
    const { rows } = await sql`select 1 from pragma_table_info(${table}) where name = ${column}`.execute(db);
    return rows.length > 0;
  },
  jsonMemberEquals(column, key, value) {
    // A member's `value` is its text for a JSON string; `type` keeps a number from matching its digits.
    return sql<SqlBool>`exists (select 1 from json_each(${column}) as member
      where member.key = ${key} and member.type = 'text' and member.value = ${value})`;
  },
};
