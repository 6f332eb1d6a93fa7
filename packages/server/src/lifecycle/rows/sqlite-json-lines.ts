/**
 * A SQLite table's rows as lines of JSON, the neutral rows of `row-values.ts` as `JSON.stringify` would
 * write them, made by SQLite itself (`json_object`) in the order the rows are stored (rowid), a batch at
 * a time as one UTF-8 BLOB. A million tasks take about an eighth of the time they take as JS rows in key
 * order: no object of values a row to convert and serialize, no text to decode and encode again, and the
 * table read front to back instead of a row lookup per entry of its key's index.
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
  /** The rows' lines in UTF-8, each ending with a newline. */
  readonly bytes: Uint8Array;
  readonly rows: number;
  /**
   * The batch went through `neutralRow`: it held a value SQLite would write otherwise (or SQLite joined
   * its lines out of order).
   */
  readonly converted: boolean;
}

const FIRST_BATCH_ROWS = 16;
/** The largest integer a JSON number read back into JS keeps exactly. */
const SAFE = Number.MAX_SAFE_INTEGER;

/** A batch as SQLite wrote it: its lines, and the rowids they came from in the order they are in. */
interface Aggregated {
  readonly bytes: Uint8Array | null;
  readonly positions: string | null;
  readonly rows: number;
  readonly odd: number | null;
}

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
    const last = read === undefined || read.odd === 1 ? undefined : lastInOrder(read);
    const batch =
      read !== undefined && last !== undefined
        ? { bytes: read.bytes, rows: read.rows, last }
        : await slow(db, table, after, size);
    if (batch.rows === 0 || batch.bytes === null) return;
    yield { bytes: batch.bytes, rows: batch.rows, converted: last === undefined };
    if (batch.rows < size) return;
    after = batch.last;
    size = Math.max(
      1,
      Math.min(
        limits.maxRows,
        Math.floor(limits.maxBytes / Math.max(1, batch.bytes.byteLength / batch.rows)),
      ),
    );
  }

  /**
   * One statement a batch, whose lines SQLite joins into one BLOB: no string a row for JavaScript to make,
   * and no text to decode from UTF-8 and encode again (half the time of a row at a time, for a million
   * tasks). group_concat joins in the order its rows arrive, which for a subquery ordered by rowid is
   * that order, though SQLite does not promise it; the rowids are joined beside the lines to check.
   */
  function fastQuery(name: string, described: readonly Column[]) {
    const pairs = described.map((column) => sql`${sql.lit(column.name)}, ${sql.ref(column.name)}`);
    const checks = described.flatMap((column) => oddValue(name, column) ?? []);
    const odd = checks.length === 0 ? sql`0` : sql.join(checks, sql` or `);
    return async (from: number, limit: number) =>
      (
        await sql<Aggregated>`
          select cast(group_concat(line, char(10)) || char(10) as blob) as bytes,
            group_concat(position) as positions, count(*) as rows, max(odd) as odd
          from (
            select json_object(${sql.join(pairs)}) as line, _rowid_ as position, (${odd}) as odd
            from ${sql.table(name)} where _rowid_ > ${from} order by _rowid_ limit ${limit}
          )`.execute(db)
      ).rows[0] as Aggregated;
  }
}

/**
 * The batch's last rowid when its lines are in rowid order (or it is empty); undefined when they are
 * not, and the batch must be read again row by row.
 */
export function lastInOrder(read: Pick<Aggregated, 'positions'>): number | undefined {
  if (read.positions === null) return Number.MIN_SAFE_INTEGER;
  let previous = Number.MIN_SAFE_INTEGER;
  for (const text of read.positions.split(',')) {
    const position = Number(text);
    if (!(position > previous)) return undefined;
    previous = position;
  }
  return previous;
}

/** The batch as JS rows, converted (or rejected) value by value, in rowid order. */
async function slow(db: AnyDb, table: string, after: number, limit: number) {
  const rows = (
    await sql<Record<string, unknown>>`
      select _rowid_ as ${sql.ref('cairn_rowid')}, * from ${sql.table(table)}
      where _rowid_ > ${after} order by _rowid_ limit ${limit}`.execute(db)
  ).rows;
  let text = '';
  let last = after;
  for (const { cairn_rowid: position, ...row } of rows) {
    text += `${JSON.stringify(neutralRow(table, row))}\n`;
    last = Number(position);
  }
  return { bytes: Buffer.from(text), rows: rows.length, last };
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
