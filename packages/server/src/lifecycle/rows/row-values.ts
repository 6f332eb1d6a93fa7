/**
 * Rows in the dialect-neutral form `tables.ts` documents: ids, names and JSON documents as strings,
 * timestamps, counts and flags as numbers, and null. That form is what a backup stores and what any
 * dialect accepts back, so a row read from one database inserts unchanged into another.
 */
import { CAIRN_TABLES, type ColumnFacts, type ColumnKind } from '../../store/tables.ts';

export type RowValue = string | number | null;
export type Row = Record<string, RowValue>;

const NUMBER_KINDS: ReadonlySet<ColumnKind> = new Set(['timestamp', 'flag', 'integer', 'bigInteger']);

/** Per table, whether each described column holds numbers: looked up once per value of every row copied. */
const NUMERIC_COLUMNS: ReadonlyMap<string, ReadonlyMap<string, boolean>> = new Map(
  Object.entries(CAIRN_TABLES as Record<string, Record<string, ColumnFacts>>).map(([table, columns]) => [
    table,
    new Map(Object.entries(columns).map(([column, facts]) => [column, NUMBER_KINDS.has(facts.kind)])),
  ]),
);

/** Whether `tables.ts` describes the column as holding numbers; undefined for a column it does not describe. */
export function numericColumn(table: string, column: string): boolean | undefined {
  return NUMERIC_COLUMNS.get(table)?.get(column);
}

/**
 * The row as neutral values. Columns `tables.ts` does not describe (those of an older schema that a later
 * migration dropped) are converted by the value's own type.
 */
export function neutralRow(table: string, row: Readonly<Record<string, unknown>>): Row {
  const numeric = NUMERIC_COLUMNS.get(table);
  const neutral: Row = {};
  for (const column in row) {
    const value = row[column];
    neutral[column] = value === null ? null : neutralValue(value, numeric?.get(column), table, column);
  }
  return neutral;
}

/**
 * @param numeric whether the column holds numbers (undefined: not known, go by the value)
 * @param table and `column` name the column for an error (not a closure: this runs for every value copied)
 */
function neutralValue(value: unknown, numeric: boolean | undefined, table: string, column: string): RowValue {
  if (value === null || value === undefined) return null;
  if (numeric === true || (numeric === undefined && typeof value === 'bigint')) {
    if (typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'string') {
      throw new TypeError(`${table}.${column} holds a ${typeof value}; expected a number`);
    }
    const number = Number(value);
    // bigint columns hold timestamps and sizes, all far below 2^53; anything else would lose digits.
    if (!Number.isSafeInteger(number)) {
      throw new TypeError(
        `${table}.${column} holds ${String(value)}, which is not an integer a copy keeps exactly`,
      );
    }
    return number;
  }
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'number' && numeric === undefined) return value;
  throw new TypeError(`${table}.${column} holds a ${typeof value}; expected text`);
}

/** About how many bytes the row's values take, to size batches by memory and statements by packet size. */
export function rowBytes(row: Row): number {
  let bytes = 0;
  // Not Object.values: every row of every batch is measured, and the array it makes costs more than this.
  for (const column in row) {
    const value = row[column];
    bytes += typeof value === 'string' ? Buffer.byteLength(value) : 8;
  }
  return bytes;
}
