import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { AnyDb, DialectName } from '../dialects/store-dialect.ts';

/** Collects the statements a migration would send, without a database, for dry runs. */
class RecordingDriver implements Driver {
  readonly #statements: CompiledQuery[];
  constructor(statements: CompiledQuery[]) {
    this.#statements = statements;
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const statements = this.#statements;
    return {
      async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
        statements.push(query);
        return { rows: [] };
      },
      // biome-ignore lint/correctness/useYield: a recorder has no rows to stream.
      async *streamQuery() {
        throw new Error('a dry run cannot stream query results');
      },
    };
  }
  async beginTransaction(): Promise<void> {}
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

const KYSELY_PARTS = {
  sqlite: { adapter: SqliteAdapter, compiler: SqliteQueryCompiler, introspector: SqliteIntrospector },
  mysql: { adapter: MysqlAdapter, compiler: MysqlQueryCompiler, introspector: MysqlIntrospector },
  postgres: { adapter: PostgresAdapter, compiler: PostgresQueryCompiler, introspector: PostgresIntrospector },
} as const;

/** A Kysely instance for `dialect` whose queries land in `statements` instead of a database. */
export function recordingDb(dialect: DialectName, statements: CompiledQuery[]): AnyDb {
  const parts = KYSELY_PARTS[dialect];
  const kyselyDialect: Dialect = {
    createAdapter: () => new parts.adapter(),
    createDriver: () => new RecordingDriver(statements),
    createIntrospector: (db) => new parts.introspector(db),
    createQueryCompiler: () => new parts.compiler(),
  };
  return new Kysely({ dialect: kyselyDialect });
}
