// A backup of a database an older release wrote, still at that release's schema (a backup taken before
// upgrading), restores into this code on another dialect: the target is migrated to the backup's schema,
// loaded, then migrated to the newest, and every row and object the release wrote is there.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { type RestoreEvent, restoreBackup } from '../../../src/lifecycle/backup/restore-backup.ts';
import { writeBackup } from '../../../src/lifecycle/backup/write-backup.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import type { DialectName } from '../../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../../src/store/migrations/index.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import { createTestDatabase, dialectTargets } from '../../support/test-databases.ts';
import { readFixture, readReleases, restoreFixture } from '../release-fixtures.ts';
import { dumpObjects, dumpTables } from './support/deployment.ts';
import { assertOpens } from './support/round-trip.ts';
import { createTestStore, scratchDir } from './support/test-stores.ts';

const available = (await dialectTargets()).filter((t) => t.skip === undefined).map((t) => t.dialect);
const releases = readReleases().filter((release) => release.schema_version < LATEST_SCHEMA_VERSION);

for (const [index, release] of releases.entries()) {
  const source = available[index % available.length] as DialectName;
  const target = available[(index + 1) % available.length] as DialectName;
  test(`a backup of ${release.version}'s data (schema ${release.schema_version}) on ${source} restores onto ${target} at schema ${LATEST_SCHEMA_VERSION}`, async () => {
    const { dir, manifest: fixture } = readFixture(release);
    const scratch = scratchDir('cairn-old-backup-');
    const sourceDatabase = await createTestDatabase(source);
    const targetDatabase = await createTestDatabase(target);
    const targetStore = await createTestStore('fs');
    try {
      restoreFixture(dir, fixture, sourceDatabase);
      const sourceHandle = await connectDatabase(sourceDatabase.location);
      const file = path.join(scratch.dir, 'backup.tar');
      let before: Awaited<ReturnType<typeof dumpTables>>;
      try {
        // The fixture's objects are only read.
        const sourceStore = new FsArtifactStore(path.join(dir, 'artifacts'));
        before = await dumpTables(sourceHandle.db);
        const { manifest } = await writeBackup({
          db: sourceHandle.db,
          dialect: sourceHandle.dialect,
          location: sourceHandle.location,
          store: sourceStore,
          file,
        });
        assert.equal(manifest.schema_version, release.schema_version);
        assert.equal(manifest.migrations.length, release.schema_version);
      } finally {
        await sourceHandle.close();
      }

      const targetHandle = await connectDatabase(targetDatabase.location);
      try {
        // An empty database already migrated by this Cairn (`cairn admin migrate` before the restore).
        const migrated = await new Migrator({
          db: targetHandle.db,
          dialect: targetHandle.dialect,
        }).migrateTo();
        assert.equal(migrated.error, undefined);
        const events: RestoreEvent[] = [];
        await restoreBackup({
          db: targetHandle.db,
          dialect: targetHandle.dialect,
          location: targetHandle.location,
          store: targetStore.store,
          file,
          onProgress: (event) => events.push(event),
        });
        const steps = events.flatMap((event) =>
          event.kind === 'migration' ? [`${event.direction} ${event.name}`] : [],
        );
        const later = MIGRATIONS.filter((migration) => migration.version > release.schema_version);
        assert.deepEqual(
          steps,
          [
            ...later.map((migration) => `down ${migration.name}`).reverse(),
            ...later.map((migration) => `up ${migration.name}`),
          ],
          `migrated down to ${release.schema_version}, loaded, then migrated up again`,
        );
        const status = await new Migrator({ db: targetHandle.db, dialect: targetHandle.dialect }).status();
        assert.equal(status.databaseSchemaVersion, LATEST_SCHEMA_VERSION);

        // Every row as the release wrote it; columns of later schemas hold their defaults.
        const after = await dumpTables(targetHandle.db);
        for (const [table, rows] of Object.entries(before)) {
          const restored = (after[table] ?? [])
            .filter((row) => !(table === 'lifecycle_audit' && row.operation === 'restore'))
            .map((row) =>
              Object.fromEntries(Object.keys(rows[0] ?? row).map((column) => [column, row[column]])),
            );
          assert.deepEqual(restored, rows, `rows of ${table}`);
        }
        for (const task of after.tasks ?? []) assert.equal(task.lost_attempts, 0);
        for (const pipeline of after.pipelines ?? []) assert.equal(pipeline.tags, null);
        assert.deepEqual(
          await dumpObjects(targetStore.store),
          new Map(fixture.artifacts.map((object) => [object.key, object.sha256])),
        );
      } finally {
        await targetHandle.close();
      }
      await assertOpens(targetDatabase);
    } finally {
      await sourceDatabase.drop();
      await targetDatabase.drop();
      await targetStore.remove();
      scratch.remove();
    }
  });
}

test('a restore interrupted in its last migration finishes it when run again', async () => {
  const release = releases.at(-1);
  assert.ok(release);
  const { dir, manifest: fixture } = readFixture(release);
  const scratch = scratchDir('cairn-old-backup-');
  const sourceDatabase = await createTestDatabase('sqlite');
  const targetDatabase = await createTestDatabase('sqlite');
  const targetStore = await createTestStore('fs');
  try {
    restoreFixture(dir, fixture, sourceDatabase);
    const sourceHandle = await connectDatabase(sourceDatabase.location);
    const file = path.join(scratch.dir, 'backup.tar');
    await writeBackup({
      db: sourceHandle.db,
      dialect: sourceHandle.dialect,
      location: sourceHandle.location,
      store: new FsArtifactStore(path.join(dir, 'artifacts')),
      file,
    });
    await sourceHandle.close();

    const handle = await connectDatabase(targetDatabase.location);
    try {
      const restore = (onProgress?: (event: RestoreEvent) => void) =>
        restoreBackup({
          db: handle.db,
          dialect: handle.dialect,
          location: handle.location,
          store: targetStore.store,
          file,
          ...(onProgress ? { onProgress } : {}),
        });
      await restore();
      const restored = await dumpTables(handle.db);
      // As a kill during the last step would leave it: the rows loaded, the schema not yet at the
      // newest, the restore recorded as still running its migrations.
      const migrator = new Migrator({ db: handle.db, dialect: handle.dialect });
      assert.equal((await migrator.migrateTo(release.schema_version)).error, undefined);
      const marker = (restored.lifecycle_audit ?? []).find((row) => row.operation === 'restore');
      assert.ok(marker);
      const details = JSON.parse(String(marker.details));
      await handle.db
        .updateTable('lifecycle_audit')
        .set({
          outcome: 'RUNNING',
          finished_at: null,
          details: JSON.stringify({ ...details, progress: { ...details.progress, phase: 'migrating' } }),
        })
        .where('id', '=', marker.id)
        .execute();

      const events: RestoreEvent[] = [];
      const again = await restore((event) => events.push(event));
      assert.equal(again.resumed, true);
      assert.deepEqual(
        events.flatMap((event) => (event.kind === 'migration' ? [event.name] : [])),
        MIGRATIONS.filter((migration) => migration.version > release.schema_version).map((m) => m.name),
      );
      assert.equal((await migrator.status()).databaseSchemaVersion, LATEST_SCHEMA_VERSION);
      // The same rows; the restore's own row SUCCEEDED again, at a later time.
      const withoutTime = (tables: Awaited<ReturnType<typeof dumpTables>>) => ({
        ...tables,
        lifecycle_audit: tables.lifecycle_audit?.map((row) =>
          row.id === marker.id ? { ...row, finished_at: null } : row,
        ),
      });
      const finished = await dumpTables(handle.db);
      assert.equal(finished.lifecycle_audit?.find((row) => row.id === marker.id)?.outcome, 'SUCCEEDED');
      assert.deepEqual(withoutTime(finished), withoutTime(restored));
    } finally {
      await handle.close();
    }
  } finally {
    await sourceDatabase.drop();
    await targetDatabase.drop();
    await targetStore.remove();
    scratch.remove();
  }
});
