// A backup taken on each dialect restores onto every other one, with the filesystem store and with S3:
// every row of every table and every object comes back, artifact URIs moved to the new store. The
// tables' files are split into small parts, so that every restore reads a table across several.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { OBJECTS_TAKEN } from '../../../src/lifecycle/backup/backup-manifest.ts';
import { restoreBackup } from '../../../src/lifecycle/backup/restore-backup.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import type { AnyDb, DialectName } from '../../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../../src/store/migrations/index.ts';
import { CAIRN_VERSION } from '../../../src/version.ts';
import { createTestDatabase, dialectTargets } from '../../support/test-databases.ts';
import {
  assertOpens,
  assertRestored,
  type BackedUpDeployment,
  backedUpDeployment,
  SMALL_TABLE_PARTS,
  seededObjects,
} from './support/round-trip.ts';
import { createTestStore, type StoreKind, s3Service } from './support/test-stores.ts';

const RUNS = 120;
const targets = await dialectTargets();
const skipOf = new Map(targets.map((target) => [target.dialect, target.skip]));

async function restoreOnto(backup: BackedUpDeployment, dialect: DialectName, storeKind: StoreKind) {
  const database = await createTestDatabase(dialect);
  const store = await createTestStore(storeKind);
  const handle = await connectDatabase(database.location);
  try {
    const summary = await restoreBackup({
      db: handle.db,
      dialect: handle.dialect,
      location: handle.location,
      store: store.store,
      file: backup.file,
    });
    assert.equal(summary.resumed, false);
    assert.equal(summary.uriRewrite?.to, store.store.url);
    await assertRestored({ ...backup, manifest: backup.summary.manifest }, handle.db, store.store);
    await assertOpens(database);
    if (dialect === 'postgres') await assertAnalyzed(handle.db);
  } finally {
    await handle.close();
    await database.drop();
    await store.remove();
  }
}

/** Rows loaded by COPY leave no statistics until ANALYZE: the restore runs it, so every table has some. */
async function assertAnalyzed(db: AnyDb): Promise<void> {
  const { rows } = await sql<{ relname: string }>`
    select relname from pg_stat_user_tables where last_analyze is null and last_autoanalyze is null
  `.execute(db);
  assert.deepEqual(
    rows.map((row) => row.relname),
    [],
    'tables never analyzed after the restore',
  );
}

for (const { dialect: source, skip } of targets) {
  describe(`a backup of ${source} (filesystem store)`, { skip }, () => {
    let backup: BackedUpDeployment;
    before(async () => {
      backup = await backedUpDeployment(source, 'fs', RUNS, SMALL_TABLE_PARTS);
    });
    after(() => backup?.close());

    test('its manifest records versions, the schema, and every table and object with its digest', () => {
      const { manifest } = backup.summary;
      assert.equal(manifest.format, 'cairn-backup');
      assert.equal(manifest.format_version, 2);
      const tasks = manifest.tables.find((table) => table.name === 'tasks');
      assert.ok((tasks?.parts ?? 1) > 1, `the tasks' rows (${tasks?.bytes} bytes) are in parts`);
      for (const table of manifest.tables) assert.ok((table.parts ?? 0) >= 1, `${table.name}'s parts`);
      assert.equal(manifest.cairn_version, CAIRN_VERSION);
      assert.equal(manifest.schema_version, LATEST_SCHEMA_VERSION);
      assert.deepEqual(
        manifest.migrations.map((migration) => migration.name),
        MIGRATIONS.map((migration) => migration.name),
      );
      assert.deepEqual(manifest.source, { dialect: source, artifact_store: backup.store.store.url });
      assert.deepEqual(
        Object.fromEntries(manifest.tables.map((table) => [table.name, table.rows])),
        Object.fromEntries(Object.entries(backup.tables).map(([table, rows]) => [table, rows.length])),
      );
      assert.deepEqual(
        new Map(manifest.objects.map((object) => [object.key, object.sha256])),
        seededObjects(backup.store.store.url, RUNS),
      );
      assert.equal(manifest.objects_taken, OBJECTS_TAKEN);
      assert.equal(manifest.objects_vanished, 0);
    });

    test('the source records the backup in lifecycle_audit, after the snapshot it took', async () => {
      const rows = await backup.database.db
        .selectFrom('lifecycle_audit')
        .selectAll()
        .where('operation', '=', 'backup')
        .execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.outcome, 'SUCCEEDED');
      assert.equal(JSON.parse(rows[0]?.details ?? '{}').backup_id, backup.summary.manifest.backup_id);
      const audit = backup.summary.manifest.tables.find((table) => table.name === 'lifecycle_audit');
      assert.equal(audit?.rows, backup.tables.lifecycle_audit?.length);
    });

    for (const target of targets.map((t) => t.dialect).filter((dialect) => dialect !== source)) {
      test(
        `restores onto an empty ${target} database and another filesystem store`,
        {
          skip: skipOf.get(target),
        },
        () => restoreOnto(backup, target, 'fs'),
      );
    }
  });
}

const [first, second] = targets.filter((target) => target.skip === undefined).map((target) => target.dialect);
describe('a backup with S3 artifact stores', {
  skip: s3Service.skip ?? (first ? undefined : 'no database'),
}, () => {
  let backup: BackedUpDeployment;
  before(async () => {
    backup = await backedUpDeployment(first as DialectName, 's3', RUNS, SMALL_TABLE_PARTS);
  });
  after(() => backup?.close());

  test('restores from S3 onto a filesystem store, URIs moved from s3:// to file://', () =>
    restoreOnto(backup, second ?? (first as DialectName), 'fs'));

  test('restores onto another S3 bucket', () => restoreOnto(backup, first as DialectName, 's3'));
});
