import { type CreateTableBuilder, type RawBuilder, sql } from 'kysely';
import type { AnyDb, ColumnTypes, StoreDialect } from '../dialects/store-dialect.ts';

type TableBuilder = CreateTableBuilder<string, never>;

export function withTableSuffix(builder: TableBuilder, dialect: StoreDialect): TableBuilder {
  const suffix = dialect.capabilities.createTableSuffix;
  return suffix ? builder.modifyEnd(sql.raw(suffix)) : builder;
}

/**
 * What a migration may do. Each schema step first checks whether it is already done, so a migration
 * interrupted on a database without transactional DDL (MySQL) can simply be run again.
 * In a dry run the checks are skipped: every step is shown.
 */
export class MigrationContext {
  readonly db: AnyDb;
  readonly dialect: StoreDialect;
  /** The dialect's column types, ready for `addColumn`. */
  readonly types: Record<keyof ColumnTypes, RawBuilder<unknown>>;
  readonly #dryRun: boolean;

  constructor(db: AnyDb, dialect: StoreDialect, dryRun: boolean) {
    this.db = db;
    this.dialect = dialect;
    this.#dryRun = dryRun;
    this.types = Object.fromEntries(
      Object.entries(dialect.columnTypes).map(([key, type]) => [key, sql.raw(type)]),
    ) as Record<keyof ColumnTypes, RawBuilder<unknown>>;
  }

  async #needed(done: () => Promise<boolean>): Promise<boolean> {
    return this.#dryRun || !(await done());
  }

  async createTable(table: string, build: (builder: TableBuilder) => TableBuilder): Promise<void> {
    if (await this.#needed(() => this.dialect.tableExists(this.db, table))) {
      await withTableSuffix(build(this.db.schema.createTable(table)), this.dialect).execute();
    }
  }

  async dropTable(table: string): Promise<void> {
    if (await this.#needed(async () => !(await this.dialect.tableExists(this.db, table)))) {
      await this.db.schema.dropTable(table).execute();
    }
  }

  async createIndex(
    index: string,
    table: string,
    columns: string[],
    options: { unique?: boolean } = {},
  ): Promise<void> {
    if (await this.#needed(() => this.dialect.indexExists(this.db, table, index))) {
      let builder = this.db.schema.createIndex(index).on(table).columns(columns);
      if (options.unique) builder = builder.unique();
      await builder.execute();
    }
  }

  /**
   * Planner statistics on an expression of a table's columns, gathered at once, where the dialect keeps
   * them (see `expressionStatistics`); elsewhere nothing. `if not exists` makes the step repeatable.
   */
  async createExpressionStatistics(name: string, table: string, expression: string): Promise<void> {
    if (!this.dialect.capabilities.expressionStatistics) return;
    await sql`create statistics if not exists ${sql.id(name)} on (${sql.raw(expression)}) from ${sql.table(table)}`.execute(
      this.db,
    );
    await sql`analyze ${sql.table(table)}`.execute(this.db);
  }

  async dropExpressionStatistics(name: string): Promise<void> {
    if (!this.dialect.capabilities.expressionStatistics) return;
    await sql`drop statistics if exists ${sql.id(name)}`.execute(this.db);
  }

  async dropIndex(index: string, table: string): Promise<void> {
    if (await this.#needed(async () => !(await this.dialect.indexExists(this.db, table, index)))) {
      const builder = this.db.schema.dropIndex(index);
      await (this.dialect.capabilities.tableScopedIndexNames ? builder.on(table) : builder).execute();
    }
  }

  async addColumn(table: string, column: string, type: RawBuilder<unknown>): Promise<void> {
    if (await this.#needed(() => this.dialect.columnExists(this.db, table, column))) {
      await this.db.schema.alterTable(table).addColumn(column, type).execute();
    }
  }

  async dropColumn(table: string, column: string): Promise<void> {
    if (await this.#needed(async () => !(await this.dialect.columnExists(this.db, table, column)))) {
      await this.db.schema.alterTable(table).dropColumn(column).execute();
    }
  }
}
