import { setImmediate } from 'node:timers/promises';
import { CompiledQuery } from 'kysely';
import type { AnyDb } from '../../store/dialects/store-dialect.ts';
import type { Row } from './row-values.ts';

/**
 * Rows per INSERT. Each statement goes through Kysely's executor and node:sqlite's call into SQLite
 * once, which cost more than SQLite's own work for a row; 64 rows a statement spreads that over many,
 * while keeping the statement's parameters (64 × a table's columns) far below SQLite's limit of 32,766.
 */
const ROWS_PER_STATEMENT = 64;
/**
 * node:sqlite runs each statement synchronously, so a load would hold the thread from one batch to the
 * next; giving way this often lets work waiting on I/O meanwhile (a restore's objects) go on beside it.
 */
const YIELD_EVERY_ROWS = 512;

/**
 * Inserts rows (all with the same columns) into a SQLite table in their order, ROWS_PER_STATEMENT to
 * a statement. The SQL is written here rather than built by Kysely: building and compiling multi-row
 * INSERTs of thousands of values cost more than running them (a million tasks spent 5 s in the builder
 * alone). The text is the same for every full statement (and for the one short one at the end), so the
 * connection's statement cache prepares each once.
 */
export async function insertSqliteRows(db: AnyDb, table: string, rows: readonly Row[]): Promise<void> {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.keys(first);
  const prefix = `insert into ${quoted(table)} (${columns.map(quoted).join(', ')}) values `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const full = statement(prefix, tuple, ROWS_PER_STATEMENT);
  let sinceYield = 0;
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    const parameters: unknown[] = [];
    for (const row of chunk) for (const column of columns) parameters.push(row[column] ?? null);
    const text = chunk.length === ROWS_PER_STATEMENT ? full : statement(prefix, tuple, chunk.length);
    await db.executeQuery(CompiledQuery.raw(text, parameters));
    sinceYield += chunk.length;
    if (sinceYield >= YIELD_EVERY_ROWS) {
      sinceYield = 0;
      await setImmediate();
    }
  }
}

function statement(prefix: string, tuple: string, rows: number): string {
  return prefix + Array.from({ length: rows }, () => tuple).join(', ');
}

function quoted(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
