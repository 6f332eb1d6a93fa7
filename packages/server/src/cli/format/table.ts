/** One column of a table: its header and how a row shows in it. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
}

const GAP = '  ';

/**
 * Rows as aligned text, headers first, as `kubectl get` prints them: every column as wide as its widest
 * cell, the last one left ragged so long values are not padded.
 *
 * @example
 * formatTable([{ id: 'a1', name: 'train' }], [{ header: 'ID', value: (r) => r.id }, { header: 'NAME', value: (r) => r.name }]);
 * // ['ID  NAME', 'a1  train']
 */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string[] {
  const cells = [
    columns.map((column) => column.header),
    ...rows.map((row) => columns.map((column) => oneLine(column.value(row)))),
  ];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => width(line[index] ?? ''))));
  return cells.map((line) =>
    line
      .map((cell, index) => (index === line.length - 1 ? cell : pad(cell, widths[index] ?? 0)))
      .join(GAP)
      .trimEnd(),
  );
}

/** A cell never breaks the table: newlines and tabs become spaces. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}

/** Width in terminal columns, counting each code point once (no wide-character tables needed here). */
function width(text: string): number {
  return [...text].length;
}

function pad(text: string, to: number): string {
  return text + ' '.repeat(Math.max(0, to - width(text)));
}
