import { setImmediate } from 'node:timers/promises';
import { CompiledQuery } from 'kysely';
import type { AnyDb } from '../../store/dialects/store-dialect.ts';
import type { Row } from './row-values.ts';

/**
 * node:sqlite runs each statement synchronously, so a load would hold the thread from one batch to the
 * next; giving way this often lets work waiting on I/O meanwhile (a restore's objects) go on beside it.
 */
const YIELD_EVERY_ROWS = 500;

/**
 * Inserts rows (all with the same columns) into a SQLite table in their order, one prepared single-row
 * INSERT each. SQLite runs statements in this process, so the round trips a multi-row INSERT saves on a
 * server cost nothing here, while building and compiling multi-row INSERTs of thousands of values cost
 * more than running them: a million tasks spent 5 s in Kysely's builder alone. The statement's text is
 * the same for every row, so the connection's statement cache compiles it once.
 */
export async function insertSqliteRows(db: AnyDb, table: string, rows: readonly Row[]): Promise<void> {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.keys(first);
  const text =
    `insert into ${quoted(table)} (${columns.map(quoted).join(', ')}) ` +
    `values (${columns.map(() => '?').join(', ')})`;
  let sinceYield = 0;
  for (const row of rows) {
    await db.executeQuery(
      CompiledQuery.raw(
        text,
        columns.map((column) => row[column] ?? null),
      ),
    );
    if (++sinceYield === YIELD_EVERY_ROWS) {
      sinceYield = 0;
      await setImmediate();
    }
  }
}

function quoted(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
