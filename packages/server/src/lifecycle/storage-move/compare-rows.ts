import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DatabaseLocation } from '../../store/database-url.ts';
import type { AnyDb } from '../../store/dialects/store-dialect.ts';
import { rewriteRow, type UriRewrite } from '../backup/uri-rewrite.ts';
import type { CopyTable } from '../rows/copy-tables.ts';
import { readBatches } from '../rows/keyset-reader.ts';
import { copyOutLines } from '../rows/postgres-copy-out.ts';
import type { Row } from '../rows/row-values.ts';
import { digestColumns, digestLine, type RowDigest, RowDigestSum, rowDigest } from './row-digest.ts';

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
  /** Where `target` is: a PostgreSQL target is read with COPY (see `rows/postgres-copy-out.ts`). */
  readonly targetLocation: DatabaseLocation;
  readonly tables: readonly CopyTable[];
  readonly rewrite: UriRewrite | null;
  /** The move's own row in the target's lifecycle_audit, which the source does not have. */
  readonly markerId: string;
  readonly onTable: (comparison: TableComparison) => void;
  /**
   * The digest of a table's rows as the copy wrote them, given its digest columns, when the source is
   * known not to have changed since (see `quiet-source.ts`); undefined to read the source again.
   */
  readonly copied?: (table: string, columns: readonly string[]) => RowDigest | undefined;
}

/**
 * Compares every row of every table between the source, as the move must have written it (artifact URIs
 * rewritten), and the target: each side is read in full (both at once) and digested (see `row-digest.ts`).
 * Equal digests and counts mean the target holds exactly the source's rows: none missing, none extra, none
 * altered on the way (a value the target's column type changed, a row the source changed after it was
 * copied). A table in `copied` is not read from the source again: its digest is the copy's.
 */
export async function compareRows(comparison: RowComparison): Promise<TableComparison[]> {
  const results: TableComparison[] = [];
  const { rewrite, markerId, targetLocation, copied } = comparison;
  const targetColumns = await digestColumns(comparison.target);
  for (const table of comparison.tables) {
    const columns = targetColumns.get(table.name) ?? [];
    const exceptId = table.name === 'lifecycle_audit' ? markerId : undefined;
    const known = copied?.(table.name, columns);
    const [source, target] = await Promise.all([
      known ??
        digestRows(readBatches(comparison.snapshot, table), columns, (row) =>
          rewrite === null ? row : rewriteRow(table.name, row, rewrite),
        ),
      targetLocation.dialect === 'postgres'
        ? digestLines(
            copyOutLines(targetLocation.url, {
              table: table.name,
              columns,
              ...(exceptId === undefined ? {} : { exceptId }),
            }),
            columns,
          )
        : digestRows(readBatches(comparison.target, table), columns, (row) =>
            exceptId !== undefined && row.id === exceptId ? undefined : row,
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

/** The digest of the rows, in batches, for which `select` does not return undefined. */
async function digestRows(
  batches: AsyncIterable<Row[]>,
  columns: readonly string[],
  select: (row: Row) => Row | undefined,
): Promise<RowDigest> {
  async function* lines(): AsyncGenerator<string> {
    for await (const batch of batches) {
      for (const read of batch) {
        const row = select(read);
        if (row !== undefined) yield digestLine(row, columns);
      }
      // SQLite answers synchronously, so without a turn of the event loop here the other side's socket
      // would not be read (nor its connection opened) until this side had read its whole table.
      await nextTurn();
    }
  }
  return digestLines(lines(), columns);
}

async function digestLines(lines: AsyncIterable<string>, columns: readonly string[]): Promise<RowDigest> {
  const sum = new RowDigestSum();
  let rows = 0;
  for await (const line of lines) {
    sum.addLine(line);
    rows++;
  }
  return rowDigest(rows, columns, sum);
}
