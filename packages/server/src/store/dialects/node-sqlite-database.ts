import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Compiled statements kept per connection. Kysely prepares every query it runs, and compiling the SQL
 * cost as much as running it: a task's claim and completion run the same few dozen statements each
 * time. The bound only matters for SQL that varies in shape (`in (?, ?, ...)` lists, multi-row inserts).
 */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Presents `node:sqlite` in the better-sqlite3 shape that Kysely's SQLite connection drives (here the
 * group commit's, see `sqlite-group-commit.ts`), so the embedded default needs no native module. The
 * connection decides between `all` and `run` by `reader`, which node:sqlite exposes as the statement's
 * result columns.
 */
export function nodeSqliteDatabase(database: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, { statement: StatementSync; reader: boolean }>();
  const compiled = (sql: string) => {
    let entry = cache.get(sql);
    if (entry === undefined) {
      const statement = database.prepare(sql);
      entry = { statement, reader: statement.columns().length > 0 };
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value ?? '');
    } else {
      // Least recently used first out: a hit moves to the end.
      cache.delete(sql);
    }
    cache.set(sql, entry);
    return entry;
  };
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const { statement, reader } = compiled(sql);
      const params = (parameters: ReadonlyArray<unknown>) => parameters.map(toSqliteValue);
      return {
        reader,
        // node:sqlite runs these to completion and resets the statement, so a shared one is safe.
        all: (parameters) => statement.all(...params(parameters)),
        run: (parameters) => statement.run(...params(parameters)),
        // An iterator stays open across awaits, and another query reusing its statement would end it.
        iterate: (parameters) => database.prepare(sql).iterate(...params(parameters)),
      };
    },
  };
}

/** node:sqlite rejects booleans and Dates, which the other drivers accept; map them the way they store them. */
function toSqliteValue(value: unknown): SQLInputValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (value === undefined) return null;
  return value as SQLInputValue;
}
