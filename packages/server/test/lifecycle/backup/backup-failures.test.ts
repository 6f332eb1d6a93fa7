// A backup that cannot be taken fails with the reason and leaves no archive: a schema newer than the code
// (found in the snapshot, which on SQLite a worker thread reads), and a failure of the artifact store
// while the rows are still being read (which stops the reading).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { ArtifactStore, ObjectInfo } from '../../../src/artifacts/artifact-store.ts';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { CairnError } from '../../../src/errors.ts';
import { writeBackup } from '../../../src/lifecycle/backup/write-backup.ts';
import { delegatingStore } from '../../support/delegating-store.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { recordNewerMigration } from '../../support/newer-schema.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import { seedDeployment } from './support/deployment.ts';
import { scratchDir } from './support/test-stores.ts';

/** A store whose listing fails after its first object. */
function failingStore(store: FsArtifactStore): ArtifactStore {
  return delegatingStore(store, {
    async *list(prefix?: string): AsyncIterable<ObjectInfo> {
      for await (const info of store.list(prefix)) {
        yield info;
        throw new CairnError('ARTIFACT_STORE_FAILED', 'the disk went away');
      }
    },
  });
}

async function backupInto(database: MigratedDatabase, store: ArtifactStore, dir: string) {
  return writeBackup({
    db: database.db,
    dialect: database.dialect,
    location: database.handle.location,
    store,
    file: path.join(dir, 'backup.tar'),
  });
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`a backup of ${dialect} that fails`, { skip }, () => {
    test('refuses a schema newer than the code, naming the release, and writes nothing', async () => {
      const database = await createMigratedDatabase(dialect);
      const scratch = scratchDir('cairn-backup-newer-');
      try {
        await recordNewerMigration(database.handle.db, '3.0.0');
        const store = new FsArtifactStore(path.join(scratch.dir, 'artifacts'));
        await assert.rejects(backupInto(database, store, scratch.dir), (error: unknown) => {
          assert.ok(error instanceof CairnError, String(error));
          assert.equal(error.code, 'SCHEMA_NEWER_THAN_CODE');
          assert.match(error.message, /3\.0\.0/);
          return true;
        });
        assert.deepEqual(readdirSync(scratch.dir), []);
      } finally {
        await database.close();
        scratch.remove();
      }
    });

    test('stops reading the rows when the artifact store fails, and writes nothing', async () => {
      const database = await createMigratedDatabase(dialect);
      const scratch = scratchDir('cairn-backup-store-fails-');
      try {
        const store = new FsArtifactStore(path.join(scratch.dir, 'artifacts'));
        await seedDeployment(database.db, store, 40);
        await assert.rejects(backupInto(database, failingStore(store), scratch.dir), /the disk went away/);
        assert.deepEqual(readdirSync(scratch.dir), ['artifacts']);
        const audit = await database.db
          .selectFrom('lifecycle_audit')
          .select(['outcome', 'details'])
          .where('operation', '=', 'backup')
          .execute();
        assert.deepEqual(
          audit.map((row) => [row.outcome, JSON.parse(row.details ?? '{}').error]),
          [['FAILED', 'the disk went away']],
        );
      } finally {
        await database.close();
        scratch.remove();
      }
    });
  });
}
