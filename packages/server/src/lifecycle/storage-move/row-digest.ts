/**
 * A digest of a table's rows that does not depend on the order they come in, since the two databases of a
 * move may collate keys differently: the sum, modulo 2^256, of the SHA-256 of each row's line of COPY
 * text (see `rows/copy-text.ts`), its columns in name order. A sum can be kept as it grows, batch by
 * batch, and recorded in a checkpoint: the copy digests what it writes, and the comparison digests what
 * the target holds.
 */
import { hash } from 'node:crypto';
import type { AnyDb } from '../../store/dialects/store-dialect.ts';
import { copyField } from '../rows/copy-text.ts';
import type { Row } from '../rows/row-values.ts';

export interface RowDigest {
  readonly rows: number;
  /** The columns' names and the sum, in hex: equal digests of equal counts mean equal rows. */
  readonly digest: string;
}

/** Each table's columns in name order, as the digest lines write them. */
export async function digestColumns(db: AnyDb): Promise<Map<string, string[]>> {
  const tables = await db.introspection.getTables();
  return new Map(tables.map((table) => [table.name, table.columns.map((column) => column.name).sort()]));
}

/** A row's line: its `columns` (a table's `digestColumns`), a missing one as NULL. */
export function digestLine(row: Row, columns: readonly string[]): string {
  return columns.map((column) => copyField(row[column] ?? null)).join('\t');
}

export function rowDigest(rows: number, columns: readonly string[], sum: RowDigestSum): RowDigest {
  return { rows, digest: `${columns.join(',')}:${sum.hex()}` };
}

/**
 * A sum of 256-bit numbers modulo 2^256, kept in eight 32-bit words: a million rows are added without a
 * BigInt (and the garbage of its hex string) for each.
 */
export class RowDigestSum {
  readonly #words = new Uint32Array(8);

  /** A sum recorded with `hex()`; undefined (nothing recorded) is the empty sum. */
  static of(hex: string | undefined): RowDigestSum {
    const sum = new RowDigestSum();
    if (hex === undefined) return sum;
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new TypeError(`a row digest sum is 64 hex digits, not "${hex}"`);
    for (let word = 0; word < 8; word++)
      sum.#words[word] = Number.parseInt(hex.slice(word * 8, word * 8 + 8), 16);
    return sum;
  }

  addLine(line: string): void {
    const digest = hash('sha256', line, 'buffer');
    this.#add((word) => digest.readUInt32BE(word * 4));
  }

  /** Adds another sum: the sum of a batch's lines, made ahead, joins the table's. */
  addSum(other: RowDigestSum): void {
    this.#add((word) => other.#words[word] as number);
  }

  #add(wordOf: (word: number) => number): void {
    let carry = 0;
    for (let word = 7; word >= 0; word--) {
      const total = (this.#words[word] as number) + wordOf(word) + carry;
      this.#words[word] = total >>> 0;
      carry = total > 0xffffffff ? 1 : 0;
    }
  }

  hex(): string {
    return Array.from(this.#words, (word) => word.toString(16).padStart(8, '0')).join('');
  }
}
