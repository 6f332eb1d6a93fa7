/**
 * A PostgreSQL table's rows as the text lines of `COPY ... TO STDOUT`, read without parsing a single
 * value: the server writes each value as the text `copy-text.ts` would give it, so a row's line can be
 * compared with the line of a row read elsewhere, at a fraction of the cost of reading rows through the
 * driver (which builds an object with a value per column for every row).
 */
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

export interface CopyOutQuery {
  readonly table: string;
  readonly columns: readonly string[];
  /** Leave out the row with this id. */
  readonly exceptId?: string;
}

/** Each row's line, without its newline, in the table's physical order. */
export async function* copyOutLines(url: string, query: CopyOutQuery): AsyncGenerator<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  // A connection lost mid-stream fails the stream, which the caller sees; unheard, the client's own
  // 'error' event would end the process.
  client.on('error', () => {});
  await client.connect();
  try {
    const columns = query.columns.map((column) => client.escapeIdentifier(column)).join(', ');
    const except = query.exceptId === undefined ? '' : ` where id <> ${client.escapeLiteral(query.exceptId)}`;
    const stream = client.query(
      copyTo(`copy (select ${columns} from ${client.escapeIdentifier(query.table)}${except}) to stdout`),
    );
    // Decoded as a stream, so a character split between two chunks is put back together.
    stream.setEncoding('utf8');
    let partial = '';
    for await (const chunk of stream as AsyncIterable<string>) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      yield* lines;
    }
    if (partial !== '') yield partial;
  } finally {
    await client.end();
  }
}
