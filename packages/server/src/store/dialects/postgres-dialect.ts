import { type SqlBool, sql } from 'kysely';
import { CairnError } from '../../errors.ts';
import { runInTransaction } from './run-in-transaction.ts';
import type { AnyDb, StoreDialect } from './store-dialect.ts';

// Advisory locks are scoped to the current database, so one fixed key suffices. ("cairn" in ASCII.)
const LOCK_KEY = 0x636169726e;
const POLL_MS = 100;

export const postgresDialect: StoreDialect = {
  name: 'postgres',
  capabilities: {
    transactionalDdl: true,
    returning: true,
    skipLocked: true,
    tableScopedIndexNames: false,
    createTableSuffix: undefined,
    migrationLock: 'pg_advisory_lock (session level)',
    expressionStatistics: true,
    foreignKeysShareLockParent: false,
    insertsInWith: true,
    parallelQueries: true,
  },
  columnTypes: {
    uuid: 'uuid',
    name: 'varchar(255)',
    path: 'varchar(512)',
    text: 'text',
    largeText: 'text',
    timestamp: 'bigint',
    flag: 'smallint',
    integer: 'integer',
    bigInteger: 'bigint',
    sha256: 'char(64)',
  },

  // Polling pg_try_advisory_lock gives a bounded wait without touching the session's lock_timeout,
  // which the migrations themselves may rely on.
  async withMigrationLock(db, timeoutMs, fn) {
    return db.connection().execute(async (connection) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { rows } = await sql<{
          acquired: boolean;
        }>`select pg_try_advisory_lock(${LOCK_KEY}) as acquired`.execute(connection);
        if (rows[0]?.acquired) break;
        if (Date.now() >= deadline) {
          throw new CairnError(
            'MIGRATION_LOCK_TIMEOUT',
            `another migrator held the migration lock for more than ${timeoutMs} ms; wait for it to finish and try again`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      try {
        return await fn(connection);
      } finally {
        await sql`select pg_advisory_unlock(${LOCK_KEY})`.execute(connection);
      }
    });
  },

  runMigrationUnit: (connection, fn) => runInTransaction(connection, sql`begin`, fn),

  async databaseBytes(db: AnyDb) {
    const { rows } = await sql<{
      bytes: number | string;
    }>`select pg_database_size(current_database()) as bytes`.execute(db);
    return Number(rows[0]?.bytes ?? 0);
  },
  async tableExists(db: AnyDb, table: string) {
    const { rows } = await sql`select 1 from information_schema.tables
      where table_schema = current_schema() and table_name = ${table}`.execute(db);
    return rows.length > 0;
  },
  async indexExists(db: AnyDb, table: string, index: string) {
    // On its table: a name another table's index holds is not this index, and creating it must fail.
    const { rows } = await sql`select 1 from pg_indexes
      where schemaname = current_schema() and tablename = ${table} and indexname = ${index}`.execute(db);
    return rows.length > 0;
  },
  async columnExists(db: AnyDb, table: string, column: string) {
    const { rows } = await sql`select 1 from information_schema.columns
      where table_schema = current_schema() and table_name = ${table} and column_name = ${column}`.execute(
      db,
    );
    return rows.length > 0;
  },
  jsonMemberEquals(column, key, value) {
    // JSON compared with JSON, so a number never equals its digits; the casts pick `-> text` (a key) over
    // `-> integer` (an array index) and make the value a JSON string.
    return sql<SqlBool>`(${column}::jsonb -> ${key}::text) = to_jsonb(${value}::text)`;
  },
};
