/**
 * Rows into PostgreSQL by `COPY ... FROM STDIN`, inside a transaction that Kysely statements share.
 *
 * COPY FROM STDIN is a protocol exchange of its own (the client streams the data after the statement), so
 * it needs the `pg` client itself, which Kysely keeps to itself: nothing public leads from a transaction to
 * its client. The loader therefore opens a pool of its own with a single connection and lends it to
 * Kysely: the client Kysely has taken for a transaction is then the only one there is, and COPY runs on
 * it, in that transaction.
 */
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { AnyDb } from '../../store/dialects/store-dialect.ts';
import { copyText } from './copy-text.ts';
import type { LoadRows, RowLoader } from './row-loader.ts';
import type { Row } from './row-values.ts';

export class PostgresCopyLoader implements RowLoader {
  /** The statements that go with the rows: Kysely on the pool's one connection. */
  readonly #db: AnyDb;
  /** The client Kysely took last: with one connection in the pool, the one of a transaction under way. */
  #client: pg.PoolClient | undefined;

  constructor(url: string) {
    // Connected as the store's pool is (see open-database.ts), without its parser of bigint columns into
    // numbers: a loader only writes.
    const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
    // A connection the server closes while idle is discarded by the pool, which emits 'error'; the next
    // transaction opens another, and its own failure reaches its caller.
    pool.on('error', () => {});
    this.#db = new Kysely({
      dialect: new PostgresDialect({
        pool: {
          options: pool.options,
          connect: async () => {
            this.#client = await pool.connect();
            return this.#client;
          },
          end: () => pool.end(),
        },
      }),
    });
  }

  transaction<T>(fn: (trx: AnyDb, load: LoadRows) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((trx) => {
      const client = this.#client;
      if (client === undefined) throw new Error('a transaction began without a connection');
      return fn(trx, (table, rows, sent) => copyInto(client, table, rows, sent));
    });
  }

  close(): Promise<void> {
    return this.#db.destroy();
  }
}

async function copyInto(
  client: pg.PoolClient,
  table: string,
  rows: readonly Row[],
  sent: (() => void) | undefined,
): Promise<void> {
  const first = rows[0];
  if (first === undefined) {
    sent?.();
    return;
  }
  const columns = Object.keys(first);
  const list = columns.map((column) => client.escapeIdentifier(column)).join(', ');
  const copy = client.query(copyFrom(`copy ${client.escapeIdentifier(table)} (${list}) from stdin`));
  let sending: Promise<void> | undefined;
  function* data() {
    // Each piece is written once the one before has gone to the socket, so once the last is written the
    // server has them all. `sent` waits for the next turn of the event loop: by then the stream has ended
    // and sent the end of the data too, without which the server cannot finish the statement.
    yield* copyText(columns, rows);
    if (sent !== undefined) sending = nextTurn().then(sent);
  }
  try {
    await pipeline(data, copy);
  } finally {
    // `sent` must not come once the load has settled: the caller expects it only while it waits.
    await sending;
  }
}
