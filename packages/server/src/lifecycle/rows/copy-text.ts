/**
 * Rows in the text format of PostgreSQL's `COPY ... FROM STDIN`: a line per row, its fields separated by
 * tabs, NULL as `\N`. Only backslash, tab, newline and carriage return need escaping for a value to come
 * back exactly; backspace, form feed and vertical tab are escaped too, as `COPY ... TO STDOUT` writes
 * them, so that a row's line here is the very line the server gives back for it (see
 * `storage-move/compare-rows.ts`). Everything else, unicode included, is taken as it is (the
 * connection's encoding is UTF-8).
 * Neutral values (see `row-values.ts`) need no other conversion: the server parses a field as the column's
 * type, as it parses the text of a bound parameter, so a row copied goes in as `insertRows` would put it.
 */
import type { Row, RowValue } from './row-values.ts';

/** Text is handed to the stream in pieces of about this many characters: large writes, bounded memory. */
const CHUNK_CHARS = 256 * 1024;

const SPECIAL = /[\\\t\n\r\b\f\v]/g;
const ESCAPED: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v',
};
const escaped = (char: string) => ESCAPED[char] ?? char;

export function copyField(value: RowValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return value.replace(SPECIAL, escaped);
}

/**
 * The rows' `columns`, in the rows' order, as pieces of COPY text. Throws on a row without one of the
 * columns: COPY has no DEFAULT to stand for it, as a multi-row INSERT has.
 */
export function* copyText(columns: readonly string[], rows: Iterable<Row>): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    let separator = '';
    for (const column of columns) {
      const value = row[column];
      if (value === undefined) throw new TypeError(`a row to copy has no ${column}`);
      chunk += separator;
      chunk += copyField(value);
      separator = '\t';
    }
    chunk += '\n';
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
