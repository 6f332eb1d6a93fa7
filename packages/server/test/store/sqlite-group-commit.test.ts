// SQLite's group commit (store/dialects/sqlite-group-commit.ts): concurrent write transactions share a
// commit, yet each caller hears back only once its own write is committed, a failed write undoes only
// itself, and a write acknowledged before a SIGKILL is in the database after it. SQLite only: the other
// dialects have a connection per transaction and commit each on its own.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { inWriteTransaction } from '../../src/engine/leases/write-transaction.ts';
import { runInTransaction } from '../../src/store/dialects/run-in-transaction.ts';
import type { CairnDatabase } from '../../src/store/tables.ts';
import { spawnJsonLines } from '../support/child-process.ts';
import { experimentRow } from '../support/experiment-row.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../support/migrated-database.ts';

const WRITES = 24;

describe('SQLite group commit', () => {
  let store: MigratedDatabase;
  let db: Kysely<CairnDatabase>;
  /** Another connection to the same file: it sees only what is committed. */
  let outside: DatabaseSync;

  before(async () => {
    store = await createMigratedDatabase('sqlite');
    db = store.db;
    const { location } = store.database;
    if (location.dialect !== 'sqlite') throw new Error('a SQLite test database has a path');
    outside = new DatabaseSync(location.path, { readOnly: true });
  });
  after(async () => {
    outside.close();
    await store.close();
  });

  function committed(ids: readonly string[]): Set<string> {
    const found = outside
      .prepare(`select id from experiments where id in (${ids.map(() => '?').join(', ')})`)
      .all(...ids) as { id: string }[];
    return new Set(found.map((row) => row.id));
  }

  function write(row: ReturnType<typeof experimentRow>, fail = false): Promise<void> {
    return inWriteTransaction(db, store.dialect, async (trx) => {
      await trx.insertInto('experiments').values(row).execute();
      if (fail) throw new Error(`write ${row.name} refused`);
    });
  }

  test('concurrent writes all commit, each committed by the time its promise resolves', async () => {
    const rows = Array.from({ length: WRITES }, (_, index) =>
      experimentRow(`concurrent-${index}-${randomUUID()}`),
    );
    const seenAtResolve: boolean[] = [];
    await Promise.all(
      rows.map((row, index) =>
        write(row).then(() => {
          seenAtResolve[index] = committed([row.id]).has(row.id);
        }),
      ),
    );
    assert.deepEqual(
      seenAtResolve,
      rows.map(() => true),
      'a write resolved before its commit',
    );
  });

  test('a write that fails undoes itself alone; the others of its group commit', async () => {
    const rows = Array.from({ length: WRITES }, (_, index) =>
      experimentRow(`partial-${index}-${randomUUID()}`),
    );
    const outcomes = await Promise.allSettled(rows.map((row, index) => write(row, index % 5 === 2)));
    const failing = new Set(rows.filter((_, index) => index % 5 === 2).map((row) => row.id));
    outcomes.forEach((outcome, index) => {
      const row = rows[index] as (typeof rows)[number];
      if (failing.has(row.id)) {
        assert.equal(outcome.status, 'rejected');
        assert.match(
          String((outcome as PromiseRejectedResult).reason),
          new RegExp(`write ${row.name} refused`),
        );
      } else {
        assert.equal(outcome.status, 'fulfilled', String((outcome as PromiseRejectedResult).reason));
      }
    });
    const found = committed(rows.map((row) => row.id));
    assert.deepEqual(
      rows.filter((row) => found.has(row.id)).map((row) => row.name),
      rows.filter((row) => !failing.has(row.id)).map((row) => row.name),
    );
  });

  test('a holder that goes on after its grouped write goes on once that write is committed', async () => {
    const own = experimentRow(`goes-on-${randomUUID()}`);
    const queued = Array.from({ length: 4 }, (_, index) => experimentRow(`queued-${index}-${randomUUID()}`));
    let seen: boolean | undefined;
    await Promise.all([
      db.connection().execute(async (connection) => {
        await runInTransaction(connection, sql`begin immediate`, (trx) =>
          trx.insertInto('experiments').values(own).execute(),
        );
        // The queued writes wait for the connection, so the group is still open here.
        await sql`select 1`.execute(connection);
        seen = committed([own.id]).has(own.id);
      }),
      ...queued.map((row) => write(row)),
    ]);
    assert.equal(seen, true);
  });

  test('other statements meeting an open group commit it first and run as they would alone', async () => {
    const grouped = Array.from({ length: 8 }, (_, index) => experimentRow(`beside-${index}-${randomUUID()}`));
    const inTransaction = experimentRow(`kysely-transaction-${randomUUID()}`);
    const alone = experimentRow(`autocommit-${randomUUID()}`);
    let foreignKeys: number | undefined;
    await Promise.all([
      ...grouped.map((row) => write(row)),
      // A pragma is a no-op inside a transaction; it must run outside the group to take effect.
      sql`pragma foreign_keys = off`
        .execute(db)
        .then(async () => {
          foreignKeys = (await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows[0]
            ?.foreign_keys;
        })
        .finally(() => sql`pragma foreign_keys = on`.execute(db)),
      db.transaction().execute((trx) => trx.insertInto('experiments').values(inTransaction).execute()),
      db.insertInto('experiments').values(alone).execute(),
    ]);
    assert.equal(foreignKeys, 0);
    const all = [...grouped, inTransaction, alone];
    assert.equal(committed(all.map((row) => row.id)).size, all.length);
  });

  test('a write SQLite rolls back whole fails with every write of its group, and only those', async () => {
    // A database that cannot grow: some of the large writes find it full, and SQLite may then roll back
    // the whole shared transaction. Whatever it does, a write resolves exactly when it is committed.
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(db);
    const pages = (rows[0] as { page_count: number }).page_count;
    await sql.raw(`pragma max_page_count = ${pages + 40}`).execute(db);
    try {
      const large = Array.from({ length: WRITES }, (_, index) =>
        experimentRow(`full-${index}-${randomUUID()}`, 'x'.repeat(20_000)),
      );
      const outcomes = await Promise.allSettled(large.map((row) => write(row)));
      const found = committed(large.map((row) => row.id));
      assert.ok(
        outcomes.some((outcome) => outcome.status === 'rejected'),
        'the database never filled up',
      );
      outcomes.forEach((outcome, index) => {
        const row = large[index] as (typeof large)[number];
        assert.equal(outcome.status === 'fulfilled', found.has(row.id), `${row.name}: ${outcome.status}`);
      });
    } finally {
      await sql.raw('pragma max_page_count = 4294967294').execute(db);
    }
    // The connection goes on working.
    const after = experimentRow(`after-full-${randomUUID()}`);
    await write(after);
    assert.ok(committed([after.id]).has(after.id));
  });

  test('every write acknowledged before a SIGKILL is in the database after it', async () => {
    const child = spawnJsonLines(path.join(import.meta.dirname, 'fixtures', 'grouped-writes-child.ts'), [
      store.database.url,
    ]);
    await child.waitFor(() => child.lines.length >= 300);
    child.child.kill('SIGKILL');
    await child.exited;
    const acked = child.lines.map((line) => line.acked as string);
    const found = committed(acked);
    assert.deepEqual(
      acked.filter((id) => !found.has(id)),
      [],
      'acknowledged writes missing after the kill',
    );
  });
});
