/**
 * A SQLite table's rows as lines of JSON, the neutral rows of `row-values.ts` as `JSON.stringify` would
 * write them, made by SQLite itself (`json_object`) in the order the rows are stored (rowid). A million
 * tasks take about a quarter of the time they take as JS rows in key order: each row is one string
 * instead of an object of values to convert and serialize, and the table is read front to back instead
 * of a row lookup per entry of its key's index.
 *
 * The order is the one the rows were inserted in, so a row comes after the rows its foreign keys reference
 * (SQLite checks them as each statement ends, and Cairn's connections enforce them). Batches are not
 * resumable across connections (a VACUUM renumbers rows): the reader is for one snapshot, as a backup's.
 *
 * A value SQLite would write differently from the neutral form (text in a number column, an integer
 * beyond 2^53, a blob, a real) makes its batch go through `neutralRow` instead, which converts it or
 * rejects it as a copy from any other dialect does.
 */
import { sql } from 'kysely';
import type { AnyDb } from '../../store/dialects/store-dialect.ts';
import { DEFAULT_BATCH_LIMITS } from './keyset-reader.ts';
import { neutralRow, numericColumn } from './row-values.ts';

export interface JsonLines {
  /** The rows' lines, each ending with a newline. */
  readonly text: string;
  readonly rows: number;
  /** The batch held a value SQLite would write otherwise, and went through `neutralRow`. */
  readonly converted: boolean;
}

const FIRST_BATCH_ROWS = 16;
/** The largest integer a JSON number read back into JS keeps exactly. */
const SAFE = Number.MAX_SAFE_INTEGER;

/** Every row of `table` (a table with a rowid), read through `db`, one snapshot connection. */
export async function* sqliteJsonLines(db: AnyDb, table: string): AsyncGenerator<JsonLines> {
  const columns = (
    await sql<Column>`select name, type from pragma_table_info(${table}) order by cid`.execute(db)
  ).rows;
  const fast = fastQuery(table, columns);
  const limits = DEFAULT_BATCH_LIMITS;
  let after = Number.MIN_SAFE_INTEGER;
  let size = FIRST_BATCH_ROWS;
  for (;;) {
    const read = await fast(after, size).catch((error: unknown) => {
      if (error instanceof Error && /JSON cannot hold BLOB values/i.test(error.message)) return undefined;
      throw error;
    });
    const converted = read === undefined || read.some((row) => row.odd === 1);
    const batch = converted ? await slow(db, table, after, size) : read;
    const last = batch.at(-1);
    if (last === undefined) return;
    let chars = 0;
    let text = '';
    for (const row of batch) {
      text += `${row.line}\n`;
      chars += row.line.length;
    }
    yield { text, rows: batch.length, converted };
    if (batch.length < size) return;
    after = last.position;
    size = Math.max(
      1,
      Math.min(limits.maxRows, Math.floor(limits.maxBytes / Math.max(1, chars / batch.length))),
    );
  }

  function fastQuery(name: string, described: readonly Column[]) {
    const pairs = described.map((column) => sql`${sql.lit(column.name)}, ${sql.ref(column.name)}`);
    const checks = described.flatMap((column) => oddValue(name, column) ?? []);
    const odd = checks.length === 0 ? sql`0` : sql.join(checks, sql` or `);
    return async (from: number, limit: number) =>
      (
        await sql<{ line: string; position: number; odd: number | null }>`
          select json_object(${sql.join(pairs)}) as line, _rowid_ as position, (${odd}) as odd
          from ${sql.table(name)} where _rowid_ > ${from} order by _rowid_ limit ${limit}`.execute(db)
      ).rows;
  }
}

/** The batch as JS rows, converted (or rejected) value by value. */
async function slow(db: AnyDb, table: string, after: number, limit: number) {
  const rows = (
    await sql<Record<string, unknown>>`
      select _rowid_ as ${sql.ref('cairn_rowid')}, * from ${sql.table(table)}
      where _rowid_ > ${after} order by _rowid_ limit ${limit}`.execute(db)
  ).rows;
  return rows.map(({ cairn_rowid: position, ...row }) => ({
    line: JSON.stringify(neutralRow(table, row)),
    position: Number(position),
  }));
}

/** A column as `pragma_table_info` describes it: `type` is the type it was declared with. */
interface Column {
  readonly name: string;
  readonly type: string;
}

/**
 * An expression true (1) for a value of the column that `json_object` would not write as `neutralRow`
 * does, or undefined when the column cannot hold one. SQLite's type affinity decides what a column holds
 * (https://sqlite.org/datatype3.html): a TEXT column stores any number given to it as text, so it holds
 * text, NULL or a blob (which `json_object` refuses); an INTEGER column stores integers, NULL, and what
 * did not look like a number (text, a blob) or was not whole (a real), all of which sort outside the
 * safe integers but the real.
 */
function oddValue(table: string, column: Column) {
  const value = sql.ref(column.name);
  const numeric = numericColumn(table, column.name);
  const declared = column.type.toUpperCase();
  if (numeric !== true && /CHAR|CLOB|TEXT/.test(declared)) return undefined;
  if (numeric !== false && declared.includes('INT')) {
    return sql`(${value} not between ${-SAFE} and ${SAFE} or typeof(${value}) = 'real')`;
  }
  const type = sql`typeof(${value})`;
  const unsafe = sql`(${type} = 'integer' and ${value} not between ${-SAFE} and ${SAFE})`;
  switch (numeric) {
    case true:
      return sql`(${type} not in ('integer', 'null') or ${unsafe})`;
    case false:
      return sql`${type} not in ('text', 'null')`;
    case undefined:
      return sql`(${type} not in ('integer', 'text', 'null') or ${unsafe})`;
  }
}
