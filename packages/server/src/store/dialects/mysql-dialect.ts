import { type SqlBool, sql } from 'kysely';
import { CairnError } from '../../errors.ts';
import type { AnyDb, StoreDialect } from './store-dialect.ts';

// GET_LOCK names are server-wide, so the database name is part of the lock's name.
const LOCK_NAME = sql`concat('cairn.migrate.', database())`;

export const mysqlDialect: StoreDialect = {
  name: 'mysql',
  capabilities: {
    transactionalDdl: false,
    returning: false,
    skipLocked: true,
    tableScopedIndexNames: true,
    createTableSuffix: 'engine = InnoDB default charset = utf8mb4 collate = utf8mb4_bin',
    migrationLock: "GET_LOCK('cairn.migrate.<database>')",
    expressionStatistics: false,
    foreignKeysShareLockParent: true,
    insertsInWith: false,
    parallelQueries: true,
  },
  columnTypes: {
    uuid: 'char(36)',
    name: 'varchar(255)',
    path: 'varchar(512)',
    text: 'text',
    largeText: 'longtext',
    timestamp: 'bigint',
    flag: 'smallint',
    integer: 'integer',
    bigInteger: 'bigint',
    sha256: 'char(64)',
  },

  // The lock belongs to the session: if the migrator dies, the server releases it with the connection.
  async withMigrationLock(db, timeoutMs, fn) {
    return db.connection().execute(async (connection) => {
      const seconds = Math.max(0, Math.ceil(timeoutMs / 1000));
      const { rows } = await sql<{
        acquired: number | null;
      }>`select get_lock(${LOCK_NAME}, ${seconds}) as acquired`.execute(connection);
      if (rows[0]?.acquired !== 1) {
        throw new CairnError(
          'MIGRATION_LOCK_TIMEOUT',
          `another migrator held the migration lock for more than ${seconds} s; wait for it to finish and try again`,
        );
      }
      try {
        return await fn(connection);
      } finally {
        await sql`select release_lock(${LOCK_NAME})`.execute(connection);
      }
    });
  },

  // MySQL commits implicitly around DDL, so a transaction would promise what it cannot keep.
  runMigrationUnit: (connection, fn) => fn(connection),

  async databaseBytes(db: AnyDb) {
    const { rows } = await sql<{
      bytes: number | string | null;
    }>`select sum(data_length + index_length) as bytes
      from information_schema.tables where table_schema = database()`.execute(db);
    return Number(rows[0]?.bytes ?? 0);
  },
  async tableExists(db: AnyDb, table: string) {
    const { rows } = await sql`select 1 from information_schema.tables
      where table_schema = database() and table_name = ${table}`.execute(db);
    return rows.length > 0;
  },
  async indexExists(db: AnyDb, table: string, index: string) {
    const { rows } = await sql`select 1 from information_schema.statistics
      where table_schema = database() and table_name = ${table} and index_name = ${index}`.execute(db);
    return rows.length > 0;
  },
  async columnExists(db: AnyDb, table: string, column: string) {
    const { rows } = await sql`select 1 from information_schema.columns
      where table_schema = database() and table_name = ${table} and column_name = ${column}`.execute(db);
    return rows.length > 0;
  },
  jsonMemberEquals(column, key, value) {
    // Containment of {key: value} rather than a path to the member: a key needs no path quoting.
    return sql<SqlBool>`coalesce(json_contains(${column}, json_object(${key}, ${value})), 0) = 1`;
  },
};
