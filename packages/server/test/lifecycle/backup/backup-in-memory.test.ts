// An in-memory SQLite database is open to its own connection only: its backup reads the rows through
// that connection, in this thread, instead of a worker's, and restores like any other.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { restoreBackup } from '../../../src/lifecycle/backup/restore-backup.ts';
import { writeBackup } from '../../../src/lifecycle/backup/write-backup.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import { parseDatabaseUrl } from '../../../src/store/database-url.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import { createTestDatabase } from '../../support/test-databases.ts';
import { dumpTables, seedDeployment } from './support/deployment.ts';
import { assertRestored, SMALL_TABLE_PARTS } from './support/round-trip.ts';
import { createTestStore, scratchDir } from './support/test-stores.ts';

const RUNS = 25;

test('a backup of an in-memory SQLite database restores with every row and object', async () => {
  const source = await connectDatabase(parseDatabaseUrl('sqlite::memory:'));
  const store = await createTestStore('fs');
  const scratch = scratchDir('cairn-backup-memory-');
  const target = await createTestDatabase('sqlite');
  const targetStore = await createTestStore('fs');
  const restored = await connectDatabase(target.location);
  try {
    const migrated = await new Migrator({ db: source.db, dialect: source.dialect }).migrateTo();
    assert.equal(migrated.error, undefined);
    await seedDeployment(source.db, store.store, RUNS);
    const tables = await dumpTables(source.db);
    const { manifest } = await writeBackup({
      db: source.db,
      dialect: source.dialect,
      location: source.location,
      store: store.store,
      file: path.join(scratch.dir, 'backup.tar'),
      tablePartBytes: SMALL_TABLE_PARTS,
    });
    assert.ok(
      manifest.tables.some((table) => (table.parts ?? 1) > 1),
      'a table in parts',
    );
    await restoreBackup({
      db: restored.db,
      dialect: restored.dialect,
      location: restored.location,
      store: targetStore.store,
      file: path.join(scratch.dir, 'backup.tar'),
    });
    await assertRestored({ tables, runCount: RUNS, manifest }, restored.db, targetStore.store);
  } finally {
    await restored.close();
    await target.drop();
    await targetStore.remove();
    await source.close();
    await store.remove();
    scratch.remove();
  }
});
