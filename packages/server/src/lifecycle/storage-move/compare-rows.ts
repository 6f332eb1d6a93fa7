import { hash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DatabaseLocation } from '../../store/database-url.ts';
import type { AnyDb } from '../../store/dialects/store-dialect.ts';
import { rewriteRow, type UriRewrite } from '../backup/uri-rewrite.ts';
import type { CopyTable } from '../rows/copy-tables.ts';
import { copyField } from '../rows/copy-text.ts';
import { readBatches } from '../rows/keyset-reader.ts';
import { copyOutLines } from '../rows/postgres-copy-out.ts';
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
  /** Where `target` is: a PostgreSQL target is read with COPY (see `rows/postgres-copy-out.ts`). */
  readonly targetLocation: DatabaseLocation;
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
  const { rewrite, markerId, targetLocation } = comparison;
  const targetColumns = await columnsOf(comparison.target);
  for (const table of comparison.tables) {
    const columns = targetColumns.get(table.name) ?? [];
    const exceptId = table.name === 'lifecycle_audit' ? markerId : undefined;
    const [source, target] = await Promise.all([
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

/** Each table's columns in name order: the order every row's line is written in, on both sides. */
async function columnsOf(db: AnyDb): Promise<Map<string, string[]>> {
  const tables = await db.introspection.getTables();
  return new Map(tables.map((table) => [table.name, table.columns.map((column) => column.name).sort()]));
}

interface Digest {
  readonly rows: number;
  readonly digest: string;
}

/**
 * The rows' count and a digest of them: the sum, modulo 2^256, of the SHA-256 of each row's line of COPY
 * text (its `columns`, which name the columns in order), with the column names. Rows for which `select`
 * returns undefined are left out.
 */
async function digestRows(
  batches: AsyncIterable<Row[]>,
  columns: readonly string[],
  select: (row: Row) => Row | undefined,
): Promise<Digest> {
  async function* lines(): AsyncGenerator<string> {
    for await (const batch of batches) {
      for (const read of batch) {
        const row = select(read);
        if (row === undefined) continue;
        yield columns.map((column) => copyField(row[column] ?? null)).join('\t');
      }
      // SQLite answers synchronously, so without a turn of the event loop here the other side's socket
      // would not be read (nor its connection opened) until this side had read its whole table.
      await nextTurn();
    }
  }
  return digestLines(lines(), columns);
}

async function digestLines(lines: AsyncIterable<string>, columns: readonly string[]): Promise<Digest> {
  const sum = new RowDigestSum();
  let rows = 0;
  for await (const line of lines) {
    sum.add(hash('sha256', line, 'buffer'));
    rows++;
  }
  return { rows, digest: `${columns.join(',')}:${sum.hex()}` };
}

/**
 * A sum of 256-bit numbers modulo 2^256, kept in eight 32-bit words: a million rows are added without a
 * BigInt (and the garbage of its hex string) for each.
 */
class RowDigestSum {
  readonly #words = new Uint32Array(8);

  add(digest: Buffer): void {
    let carry = 0;
    for (let word = 7; word >= 0; word--) {
      const total = (this.#words[word] as number) + digest.readUInt32BE(word * 4) + carry;
      this.#words[word] = total >>> 0;
      carry = total > 0xffffffff ? 1 : 0;
    }
  }

  hex(): string {
    return Array.from(this.#words, (word) => word.toString(16).padStart(8, '0')).join('');
  }
}
