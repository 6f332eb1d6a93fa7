import { createHash } from 'node:crypto';
import type { AnyDb } from '../../store/dialects/store-dialect.ts';
import { rewriteRow, type UriRewrite } from '../backup/uri-rewrite.ts';
import type { CopyTable } from '../rows/copy-tables.ts';
import { readBatches } from '../rows/keyset-reader.ts';
import type { Row } from '../rows/row-values.ts';

export interface TableComparison {
  readonly table: string;
  readonly sourceRows: number;
  readonly targetRows: number;
  /** Same rows, value for value (the source's with their artifact URIs rewritten). */
  readonly equal: boolean;
}

export interface RowComparison {
  /** The source, inside one read-only snapshot transaction. */
  readonly snapshot: AnyDb;
  readonly target: AnyDb;
  readonly tables: readonly CopyTable[];
  readonly rewrite: UriRewrite | null;
  /** The move's own row in the target's lifecycle_audit, which the source does not have. */
  readonly markerId: string;
  readonly onTable: (comparison: TableComparison) => void;
}

/**
 * Compares every row of every table between the source, as the move must have written it (artifact URIs
 * rewritten), and the target: each side is read in full (both at once) and summed into a digest that
 * does not depend on the order rows come in, since the two databases may collate keys differently. Equal
 * digests and counts mean the target holds exactly the source's rows: none missing, none extra, none
 * altered on the way (a value the target's column type changed, a row the source changed after it was
 * copied).
 */
export async function compareRows(comparison: RowComparison): Promise<TableComparison[]> {
  const results: TableComparison[] = [];
  for (const table of comparison.tables) {
    const rewrite = comparison.rewrite;
    const [source, target] = await Promise.all([
      digestRows(readBatches(comparison.snapshot, table), (row) =>
        rewrite === null ? row : rewriteRow(table.name, row, rewrite),
      ),
      digestRows(readBatches(comparison.target, table), (row) =>
        table.name === 'lifecycle_audit' && row.id === comparison.markerId ? undefined : row,
      ),
    ]);
    const result = {
      table: table.name,
      sourceRows: source.rows,
      targetRows: target.rows,
      equal: source.rows === target.rows && source.digest === target.digest,
    };
    results.push(result);
    comparison.onTable(result);
  }
  return results;
}

const SUM_BITS = 256n;
const SUM_MASK = (1n << SUM_BITS) - 1n;

/**
 * The rows' count and a digest of them: the sum, modulo 2^256, of each row's SHA-256 (its values in
 * column-name order), with the column names. Rows for which `select` returns undefined are left out.
 */
async function digestRows(
  batches: AsyncIterable<Row[]>,
  select: (row: Row) => Row | undefined,
): Promise<{ rows: number; digest: string }> {
  let columns: string[] | undefined;
  let sum = 0n;
  let rows = 0;
  for await (const batch of batches) {
    for (const read of batch) {
      const row = select(read);
      if (row === undefined) continue;
      columns ??= Object.keys(row).sort();
      const text = JSON.stringify(columns.map((column) => row[column]));
      sum = (sum + BigInt(`0x${createHash('sha256').update(text).digest('hex')}`)) & SUM_MASK;
      rows++;
    }
  }
  return { rows, digest: `${(columns ?? []).join(',')}:${sum.toString(16)}` };
}
