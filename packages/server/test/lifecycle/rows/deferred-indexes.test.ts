import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createIndexes, dropLookupIndexes } from '../../../src/lifecycle/rows/deferred-indexes.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';

async function indexesOf(database: MigratedDatabase, table: string) {
  return (
    await sql<{ name: string; sql: string | null }>`
      select name, sql from sqlite_master where type = 'index' and tbl_name = ${table} order by name`.execute(
      database.db,
    )
  ).rows;
}

describe('lookup indexes deferred for a SQLite load', () => {
  let database: MigratedDatabase;
  before(async () => {
    database = await createMigratedDatabase('sqlite');
  });
  after(() => database?.close());

  test('are the plain indexes only, and come back exactly as they were', async () => {
    const before = await indexesOf(database, 'tasks');
    const dropped = await dropLookupIndexes(database.db, 'tasks');
    assert.deepEqual(dropped.map((index) => index.name).sort(), [
      'tasks_cache_idx',
      'tasks_claim_idx',
      'tasks_lease_idx',
      'tasks_parent_idx',
    ]);
    const kept = await indexesOf(database, 'tasks');
    assert.deepEqual(
      kept.map((index) => index.name),
      ['sqlite_autoindex_tasks_1', 'tasks_run_path_uq'],
      'the primary key and the unique index stay',
    );
    await createIndexes(database.db, dropped);
    assert.deepEqual(await indexesOf(database, 'tasks'), before);
    await createIndexes(database.db, dropped);
    assert.deepEqual(await indexesOf(database, 'tasks'), before, 'making them again changes nothing');
  });

  test('are dropped with the transaction they are dropped in, or not at all', async () => {
    const before = await indexesOf(database, 'runs');
    await assert.rejects(
      database.db.transaction().execute(async (trx) => {
        assert.ok((await dropLookupIndexes(trx, 'runs')).length > 0);
        throw new Error('killed before the commit');
      }),
      /killed before the commit/,
    );
    assert.deepEqual(await indexesOf(database, 'runs'), before);
  });
});
