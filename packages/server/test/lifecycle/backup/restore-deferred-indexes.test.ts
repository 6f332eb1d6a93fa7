// A large table restored into SQLite is loaded with its lookup indexes dropped and made after. A restore
// stopped in between must leave that recorded, and the restore that takes it over must end with every
// index back, exactly as the migrations made them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { restoreBackup } from '../../../src/lifecycle/backup/restore-backup.ts';
import { unfinishedRestores } from '../../../src/lifecycle/backup/restore-marker.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import type { AnyDb } from '../../../src/store/dialects/store-dialect.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import { createMigratedDatabase } from '../../support/migrated-database.ts';
import { createTestDatabase } from '../../support/test-databases.ts';
import { assertRestored, type BackedUpDeployment, backedUpDeployment } from './support/round-trip.ts';
import { createTestStore } from './support/test-stores.ts';

/** Five tasks a run and two more: over the 10,000 rows from which a table's indexes are deferred. */
const RUNS = 2000;

async function indexes(db: AnyDb) {
  return (
    await sql<{ name: string; sql: string | null }>`
      select name, sql from sqlite_master where type = 'index' order by name`.execute(db)
  ).rows;
}

async function autocheckpoint(db: AnyDb): Promise<number> {
  const [row] = (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db)).rows;
  return Number(row?.wal_autocheckpoint);
}

describe('a large table restored into SQLite', () => {
  let backup: BackedUpDeployment;
  before(async () => {
    backup = await backedUpDeployment('sqlite', 'fs', RUNS);
  });
  after(() => backup?.close());

  test('stopped while its indexes are dropped, is finished with every index back', async () => {
    const fresh = await createMigratedDatabase('sqlite');
    const migratedIndexes = await indexes(fresh.db);
    await fresh.close();
    const database = await createTestDatabase('sqlite');
    const store = await createTestStore('fs');
    const handle = await connectDatabase(database.location);
    try {
      const [last] = (
        await sql<{ id: string }>`select id from tasks order by rowid desc limit 1`.execute(
          backup.database.db,
        )
      ).rows;
      assert.ok(last);
      const restore = () =>
        restoreBackup({
          db: handle.db,
          dialect: handle.dialect,
          location: handle.location,
          store: store.store,
          file: backup.file,
        });
      // Migrated already, the target is still empty; the trigger stops the batch that holds the last task.
      const migrated = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo();
      assert.equal(migrated.error, undefined);
      await sql`create trigger stop_restore before insert on tasks when new.id = ${sql.lit(last.id)}
        begin select raise(abort, 'stopped by the test'); end`.execute(handle.db);
      await assert.rejects(restore(), /stopped by the test/);
      assert.equal(await autocheckpoint(handle.db), 1000, 'a failed load leaves the default checkpoints');
      const [marker] = await unfinishedRestores(handle.db);
      assert.ok(marker);
      assert.deepEqual(marker.details.progress.deferred_indexes?.map((index) => index.name).sort(), [
        'tasks_cache_idx',
        'tasks_claim_idx',
        'tasks_lease_idx',
        'tasks_parent_idx',
      ]);
      assert.ok(marker.details.progress.rows_done > 0, 'rows of tasks went in before the stop');
      assert.ok(!(await indexes(handle.db)).some((index) => index.name === 'tasks_parent_idx'));

      await sql`drop trigger stop_restore`.execute(handle.db);
      await restore();
      assert.deepEqual(await indexes(handle.db), migratedIndexes);
      assert.equal(
        await autocheckpoint(handle.db),
        1000,
        'checkpoints are back to the default after the load',
      );
      await assertRestored({ ...backup, manifest: backup.summary.manifest }, handle.db, store.store);
    } finally {
      await handle.close();
      await database.drop();
      await store.remove();
    }
  });
});
