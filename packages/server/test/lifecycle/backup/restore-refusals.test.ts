// What a restore refuses, and what it leaves behind: damaged or foreign archives are refused before the
// target is touched (or, for a damaged object, with the restore left to be resumed); targets holding
// anything but an unfinished restore are never written to.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CairnError } from '../../../src/errors.ts';
import { ArchiveReader } from '../../../src/lifecycle/backup/archive-reader.ts';
import { ArchiveWriter } from '../../../src/lifecycle/backup/archive-writer.ts';
import { MANIFEST_PATH, manifestChunks } from '../../../src/lifecycle/backup/backup-manifest.ts';
import { restoreBackup } from '../../../src/lifecycle/backup/restore-backup.ts';
import { unfinishedRestores } from '../../../src/lifecycle/backup/restore-marker.ts';
import { writeBackup } from '../../../src/lifecycle/backup/write-backup.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import type { DialectName } from '../../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION } from '../../../src/store/migrations/index.ts';
import { HISTORY_TABLE } from '../../../src/store/migrator/schema-history.ts';
import type { DatabaseHandle } from '../../../src/store/open-database.ts';
import { createTestDatabase, dialectTargets, type TestDatabase } from '../../support/test-databases.ts';
import { dumpObjects } from './support/deployment.ts';
import { assertRestored, type BackedUpDeployment, backedUpDeployment } from './support/round-trip.ts';
import { createTestStore, scratchDir, type TestStore } from './support/test-stores.ts';

const RUNS = 20;
const targets = await dialectTargets();
const sourceDialect = targets.find((target) => target.skip === undefined)?.dialect ?? 'sqlite';

function rejectsWith(code: string, pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof CairnError, String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    return true;
  };
}

/** A copy of `file` with one byte of an entry's data changed. */
async function damaged(file: string, entry: string, into: string): Promise<string> {
  const reader = await ArchiveReader.open(file);
  const offset = reader.entries.get(entry)?.offset;
  await reader.close();
  assert.ok(offset !== undefined, entry);
  const bytes = readFileSync(file);
  bytes[offset + 10] = (bytes[offset + 10] ?? 0) ^ 0xff;
  writeFileSync(into, bytes);
  return into;
}

/** A copy of `file` whose manifest `change` rewrote. */
async function withManifest(file: string, into: string, change: (manifest: Record<string, unknown>) => void) {
  const reader = await ArchiveReader.open(file);
  const writer = await ArchiveWriter.create(into);
  for (const entry of reader.entries.values()) {
    if (entry.path === MANIFEST_PATH) continue;
    await writer.writeSizedEntry(entry.path, entry.size, reader.read(entry));
  }
  const manifestEntry = reader.entries.get(MANIFEST_PATH);
  assert.ok(manifestEntry);
  const manifest = JSON.parse((await reader.readAll(manifestEntry)).toString('utf8'));
  await reader.close();
  change(manifest);
  await writer.writeEntry(MANIFEST_PATH, manifestChunks(manifest));
  await writer.finish(false);
  return into;
}

describe('refused archives and targets', {
  skip: targets.find((t) => t.dialect === sourceDialect)?.skip,
}, () => {
  let backup: BackedUpDeployment;
  let other: string;
  const scratch = scratchDir('cairn-refusals-');
  const files: Record<string, string> = {};

  before(async () => {
    backup = await backedUpDeployment(sourceDialect, 'fs', RUNS);
    other = path.join(scratch.dir, 'other-backup.tar');
    await writeBackup({
      db: backup.database.db,
      dialect: backup.database.dialect,
      location: backup.database.handle.location,
      store: backup.store.store,
      file: other,
    });
    const at = (name: string) => path.join(scratch.dir, name);
    files.damagedTable = await damaged(backup.file, 'metadata/tasks.jsonl', at('damaged-table.tar'));
    files.damagedObject = await damaged(backup.file, 'objects/large/object', at('damaged-object.tar'));
    files.newer = await withManifest(backup.file, at('newer.tar'), (manifest) => {
      manifest.cairn_version = '9.0.0';
      manifest.schema_version = LATEST_SCHEMA_VERSION + 1;
      (manifest.migrations as unknown[]).push({
        version: LATEST_SCHEMA_VERSION + 1,
        name: '9999-from-the-future',
        checksum: 'f'.repeat(64),
      });
    });
    files.truncated = at('truncated.tar');
    const bytes = readFileSync(backup.file);
    writeFileSync(files.truncated, bytes.subarray(0, bytes.length - 100_000));
    files.notBackup = at('not-a-backup.tar');
    const writer = await ArchiveWriter.create(files.notBackup);
    await writer.writeEntry('hello.txt', [Buffer.from('hello')]);
    await writer.finish(false);
    files.text = at('notes.txt');
    writeFileSync(files.text, 'just some text\n'.repeat(100));
  });
  after(async () => {
    await backup?.close();
    scratch.remove();
  });

  for (const { dialect, skip } of targets) {
    describe(`onto ${dialect}`, { skip }, () => {
      let database: TestDatabase;
      let handle: DatabaseHandle;
      let store: TestStore;
      const restore = (file: string, force = false) => restoreInto(handle, store, file, force);
      const assertUntouched = async () => {
        assert.equal(
          await handle.dialect.tableExists(handle.db, HISTORY_TABLE),
          false,
          'no schema was created',
        );
        assert.equal((await dumpObjects(store.store)).size, 0, 'no object was stored');
      };

      before(async () => {
        database = await createTestDatabase(dialect as DialectName);
        handle = await connectDatabase(database.location);
        store = await createTestStore('fs');
      });
      after(async () => {
        await handle?.close();
        await database?.drop();
        await store?.remove();
      });

      test('a file that is not a Cairn backup, or is missing, is refused', async () => {
        await assert.rejects(
          restore(files.text as string),
          rejectsWith('BACKUP_INVALID', /is not a Cairn backup: the block at byte 0 is not a tar header/),
        );
        await assert.rejects(
          restore(files.notBackup as string),
          rejectsWith('BACKUP_INVALID', /is not a Cairn backup: it has no manifest\.json/),
        );
        await assert.rejects(
          restore(path.join(scratch.dir, 'missing.tar')),
          rejectsWith('CONFIG_INVALID', /missing\.tar does not exist/),
        );
        await assertUntouched();
      });

      test('a truncated archive is refused before the target is touched', async () => {
        await assert.rejects(
          restore(files.truncated as string),
          rejectsWith('BACKUP_INVALID', /the archive is truncated/),
        );
        await assertUntouched();
      });

      test('damaged metadata is refused, naming the table, before the target is touched', async () => {
        await assert.rejects(
          restore(files.damagedTable as string),
          rejectsWith(
            'BACKUP_INVALID',
            /is damaged: the SHA-256 of metadata\/tasks\.jsonl \(table tasks\) is [0-9a-f]{64}, but the manifest records/,
          ),
        );
        await assertUntouched();
      });

      test('a backup from a newer Cairn is refused with the release to use', async () => {
        await assert.rejects(
          restore(files.newer as string),
          rejectsWith(
            'SCHEMA_NEWER_THAN_CODE',
            new RegExp(
              `schema version ${LATEST_SCHEMA_VERSION + 1} \\(migration "9999-from-the-future"\\).*Restore it with Cairn 9\\.0\\.0 or later`,
            ),
          ),
        );
        await assertUntouched();
      });

      test('a damaged object is not stored; the restore stays unfinished and resumes from a good copy', async () => {
        await assert.rejects(
          restore(files.damagedObject as string),
          rejectsWith(
            'BACKUP_INVALID',
            /is damaged: object "large\/object" holds 1500000 bytes with SHA-256 [0-9a-f]{64}, but the manifest records 1500000 bytes with SHA-256/,
          ),
        );
        assert.equal(await store.store.stat('large/object'), undefined, 'the damaged object was not stored');
        const [marker] = await unfinishedRestores(handle.db);
        assert.equal(marker?.details.backup_id, backup.summary.manifest.backup_id);
        assert.equal(marker?.details.progress.phase, 'objects');
        assert.match(marker?.details.error ?? '', /object "large\/object"/);

        // Another backup cannot be restored over it, unless told to discard it.
        await assert.rejects(
          restore(other),
          rejectsWith(
            'RESTORE_TARGET_NOT_EMPTY',
            new RegExp(
              `unfinished restore of another backup \\(${backup.summary.manifest.backup_id}.*pass --force`,
            ),
          ),
        );

        const resumed = await restore(backup.file);
        assert.equal(resumed.resumed, true);
        await assertRestored({ ...backup, manifest: backup.summary.manifest }, handle.db, store.store);
      });

      test('a target holding rows is refused, naming them, and left as it was', async () => {
        await assert.rejects(
          restore(other, true),
          rejectsWith(
            'RESTORE_TARGET_NOT_EMPTY',
            /the target database is not empty: it holds pipelines \(\d+ rows?\), .*runs \(\d+ rows\)/,
          ),
        );
        await assertRestored({ ...backup, manifest: backup.summary.manifest }, handle.db, store.store);
      });
    });
  }

  test('--force discards an unfinished restore of another backup and starts over', {
    skip: targets.find((t) => t.dialect === sourceDialect)?.skip,
  }, async () => {
    const database = await createTestDatabase(sourceDialect);
    const handle = await connectDatabase(database.location);
    const store = await createTestStore('fs');
    try {
      const restore = (file: string, force = false) => restoreInto(handle, store, file, force);
      await assert.rejects(restore(files.damagedObject as string), /object "large\/object"/);
      const forced = path.join(scratch.dir, 'forced.tar');
      copyFileSync(other, forced);
      const summary = await restore(forced, true);
      assert.equal(summary.resumed, false);
      const { manifest } = summary;
      assert.notEqual(manifest.backup_id, backup.summary.manifest.backup_id);
      assert.deepEqual(await unfinishedRestores(handle.db), []);
      // The other backup was taken after the first, which the source recorded: one more audit row.
      const tables = { ...backup.tables, lifecycle_audit: await auditRowsOf(backup) };
      await assertRestored({ tables, runCount: RUNS, manifest }, handle.db, store.store);
    } finally {
      await handle.close();
      await database.drop();
      await store.remove();
    }
  });
});

/** The source's audit rows as of the second backup: those of the first snapshot plus the first backup's. */
async function auditRowsOf(backup: BackedUpDeployment) {
  const rows = await backup.database.db.selectFrom('lifecycle_audit').selectAll().orderBy('id').execute();
  const first = backup.summary.manifest.backup_id;
  const kept = rows.filter(
    (row) => row.operation !== 'backup' || JSON.parse(row.details ?? '{}').backup_id === first,
  );
  return kept
    .map((row) => ({ ...row }))
    .sort((a, b) => (JSON.stringify([a.id]) < JSON.stringify([b.id]) ? -1 : 1));
}

function restoreInto(handle: DatabaseHandle, store: TestStore, file: string, force: boolean) {
  return restoreBackup({
    db: handle.db,
    dialect: handle.dialect,
    location: handle.location,
    store: store.store,
    file,
    force,
  });
}
