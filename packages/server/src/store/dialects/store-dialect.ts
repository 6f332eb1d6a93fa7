import type { Kysely, RawBuilder, SqlBool } from 'kysely';

export type DialectName = 'sqlite' | 'mysql' | 'postgres';

/**
 * Kysely deliberately types migration code against no particular schema: a migration must keep
 * working after later migrations change the tables it once saw.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above; this alias is the one place it is allowed.
export type AnyDb = Kysely<any>;

/** What a database can do, stated once per dialect so no code asks "which database is this?". */
export interface DialectCapabilities {
  /** DDL statements roll back with the transaction they ran in. */
  transactionalDdl: boolean;
  /** `INSERT ... RETURNING` and `UPDATE ... RETURNING`. */
  returning: boolean;
  /** `SELECT ... FOR UPDATE SKIP LOCKED`, for claiming work without blocking other claimers. */
  skipLocked: boolean;
  /** Index names are per table (MySQL), so `DROP INDEX` must name the table; elsewhere they are per schema. */
  tableScopedIndexNames: boolean;
  /**
   * Appended to CREATE TABLE. MySQL's default collation compares case-insensitively; binary collation
   * makes names unique and sorted exactly as on SQLite and PostgreSQL.
   */
  createTableSuffix: string | undefined;
  /** How two migrators are kept apart; shown by `cairn admin status`. */
  migrationLock: string;
  /**
   * `CREATE STATISTICS` on an expression (PostgreSQL 14 and later): without it the planner guesses the
   * selectivity of `lower(column) like ...`, and a wrong guess picks a sort over an index walk.
   */
  expressionStatistics: boolean;
  /**
   * Inserting a child row share-locks its parent through the foreign key (InnoDB). A transaction that
   * inserts a child and then updates the parent must lock the parent for update first, or two of them
   * deadlock, each holding the share lock the other's update waits for.
   */
  foreignKeysShareLockParent: boolean;
  /** INSERTs inside WITH (PostgreSQL): several tables written by one statement, in one round trip. */
  insertsInWith: boolean;
  /**
   * Queries sent together run at the same time, each on a connection of the pool; SQLite's one
   * connection runs them one after another.
   */
  parallelQueries: boolean;
}

/**
 * Column types chosen to hold the largest real values on each database. Timestamps are integers
 * (milliseconds since the Unix epoch, UTC) so they compare, sort and round-trip identically everywhere.
 */
export interface ColumnTypes {
  uuid: string;
  /** Names and display names: up to 255 characters. */
  name: string;
  /** A task's path in its run's DAG (up to 512 characters), indexed together with the run id. */
  path: string;
  /** Descriptions and error messages. */
  text: string;
  /** Pipeline specs and JSON documents: megabytes. */
  largeText: string;
  timestamp: string;
  /** 0 or 1; one integer type on every dialect so rows compare equal across backends. */
  flag: string;
  integer: string;
  bigInteger: string;
  /** A hex SHA-256 digest. */
  sha256: string;
}

export interface StoreDialect {
  readonly name: DialectName;
  readonly capabilities: DialectCapabilities;
  readonly columnTypes: ColumnTypes;
  /**
   * Runs `fn` on one connection while holding the lock that keeps other migrators out.
   * Rejects with MIGRATION_LOCK_TIMEOUT when the lock is not free within `timeoutMs`.
   */
  withMigrationLock<T>(db: AnyDb, timeoutMs: number, fn: (connection: AnyDb) => Promise<T>): Promise<T>;
  /**
   * Runs one migration on the locked connection: inside a transaction where DDL is transactional,
   * directly where it is not (each step is then idempotent, so an interrupted run can be repeated).
   */
  runMigrationUnit<T>(connection: AnyDb, fn: (executor: AnyDb) => Promise<T>): Promise<T>;
  tableExists(db: AnyDb, table: string): Promise<boolean>;
  /** The space the database takes on its server's disk, indexes included: what a backup must hold. */
  databaseBytes(db: AnyDb): Promise<number>;
  indexExists(db: AnyDb, table: string, index: string): Promise<boolean>;
  columnExists(db: AnyDb, table: string, column: string): Promise<boolean>;
  /**
   * Whether the JSON object kept as text in `column` has the member `key` holding the string `value`
   * (a tag filter); false where the column is NULL or has no such member. Both are bound parameters,
   * never part of a JSON path, so a key needs no quoting.
   */
  jsonMemberEquals(column: RawBuilder<unknown>, key: string, value: string): RawBuilder<SqlBool>;
}
