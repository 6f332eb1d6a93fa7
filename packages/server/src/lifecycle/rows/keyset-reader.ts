import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { AnyDb } from '../../store/dialects/store-dialect.ts';
import type { CopyTable } from './copy-tables.ts';
import { neutralRow, type Row, rowBytes } from './row-values.ts';

export interface BatchLimits {
  /** Rows per batch at most. */
  readonly maxRows: number;
  /** About this many bytes of values per batch at most (one larger row still makes a batch of its own). */
  readonly maxBytes: number;
}

/**
 * Large enough that a round trip costs little per row, small enough that a batch of megabyte pipeline
 * specs stays a few megabytes of memory.
 */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxRows: 5000, maxBytes: 8 * 1024 * 1024 };

/** The first batch is small: until a batch has been seen, nothing says how large the rows are. */
const FIRST_BATCH_ROWS = 16;

export interface KeysetReadOptions {
  /** Resume after this row (only its key columns are read): a copy interrupted after it goes on from here. */
  readonly after?: Row;
  readonly limits?: BatchLimits;
}

/**
 * Reads every row of `table` in key order, a batch per query: each query starts after the last row of the
 * one before (keyset pagination), so no query reads more than a batch and none repeats work, however
 * large the table. Rows come in the neutral form (see `row-values.ts`), with every column.
 *
 * Consistent across batches only when `db` is one connection inside one snapshot transaction; see
 * `backup/snapshot-transaction.ts`.
 */
export async function* readBatches(
  db: AnyDb,
  table: CopyTable,
  options: KeysetReadOptions = {},
): AsyncGenerator<Row[]> {
  const limits = options.limits ?? DEFAULT_BATCH_LIMITS;
  let after = options.after;
  let size = Math.min(FIRST_BATCH_ROWS, limits.maxRows);
  for (;;) {
    let query = db.selectFrom(table.name).selectAll();
    const from = after;
    if (from !== undefined) query = query.where((eb) => afterKey(eb, table.key, from));
    for (const column of table.key) query = query.orderBy(column);
    const raw = await query.limit(size).execute();
    if (raw.length === 0) return;
    const rows = raw.map((row) => neutralRow(table.name, row));
    yield rows;
    if (rows.length < size) return;
    after = rows.at(-1);
    size = nextBatchSize(rows, limits);
  }
}

/** As many rows as the last batch's average row size says fit in `maxBytes`. */
function nextBatchSize(rows: readonly Row[], limits: BatchLimits): number {
  const bytes = rows.reduce((sum, row) => sum + rowBytes(row), 0);
  const perRow = Math.max(1, bytes / rows.length);
  return Math.max(1, Math.min(limits.maxRows, Math.floor(limits.maxBytes / perRow)));
}

/**
 * `key > after` for a key of one or more columns, written as `a >= x and (a > x or <rest after>)`: the
 * leading `a >= x` lets every dialect start an index range scan there (row-value comparisons are not
 * used by MySQL's range optimizer).
 */
function afterKey(
  // biome-ignore lint/suspicious/noExplicitAny: the tables are addressed by name; see AnyDb.
  eb: ExpressionBuilder<any, any>,
  key: readonly string[],
  after: Row,
): Expression<SqlBool> {
  const [column, ...rest] = key;
  if (column === undefined) throw new Error('a copy key needs at least one column');
  const value = after[column];
  if (value === undefined || value === null) throw new Error(`the row to resume after has no ${column}`);
  if (rest.length === 0) return eb(column, '>', value);
  return eb.and([eb(column, '>=', value), eb.or([eb(column, '>', value), afterKey(eb, rest, after)])]);
}
