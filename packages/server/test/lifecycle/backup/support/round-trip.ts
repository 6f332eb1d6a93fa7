/** A deployment backed up, and checks that a restore of it holds exactly what the backup promised. */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { ArtifactStore } from '../../../../src/artifacts/artifact-store.ts';
import type { BackupManifest } from '../../../../src/lifecycle/backup/backup-manifest.ts';
import { type BackupSummary, writeBackup } from '../../../../src/lifecycle/backup/write-backup.ts';
import type { AnyDb, DialectName } from '../../../../src/store/dialects/store-dialect.ts';
import { openStore } from '../../../../src/store/open-store.ts';
import { CAIRN_VERSION } from '../../../../src/version.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../../support/migrated-database.ts';
import {
  dumpObjects,
  dumpTables,
  expectedTables,
  generatedDeployment,
  objectDigests,
  seedDeployment,
  type Tables,
} from './deployment.ts';
import { createTestStore, type StoreKind, scratchDir, type TestStore } from './test-stores.ts';

export interface BackedUpDeployment {
  readonly database: MigratedDatabase;
  readonly store: TestStore;
  readonly runCount: number;
  /** Every table as it was when the backup was taken. */
  readonly tables: Tables;
  readonly file: string;
  readonly summary: BackupSummary;
  close(): Promise<void>;
}

/**
 * Small enough that the tables of a test deployment are split into several parts, as a production
 * store's large tables are at 16 MiB.
 */
export const SMALL_TABLE_PARTS = 16 * 1024;

/**
 * A seeded deployment on `dialect` and a store of `storeKind`, and its backup, its tables' files split
 * at `tablePartBytes` (the default's 16 MiB makes one part of each).
 */
export async function backedUpDeployment(
  dialect: DialectName,
  storeKind: StoreKind,
  runCount: number,
  tablePartBytes?: number,
): Promise<BackedUpDeployment> {
  const database = await createMigratedDatabase(dialect);
  const store = await createTestStore(storeKind);
  const scratch = scratchDir('cairn-backup-file-');
  await seedDeployment(database.db, store.store, runCount);
  const tables = await dumpTables(database.db);
  const file = path.join(scratch.dir, 'backup.tar');
  const summary = await writeBackup({
    db: database.db,
    dialect: database.dialect,
    location: database.handle.location,
    store: store.store,
    file,
    ...(tablePartBytes === undefined ? {} : { tablePartBytes }),
  });
  return {
    database,
    store,
    runCount,
    tables,
    file,
    summary,
    async close() {
      await database.close();
      await store.remove();
      scratch.remove();
    },
  };
}

/**
 * Asserts that `db` and `store` hold what restoring `backup` onto a store at `store.url` must give: every
 * row (artifact URIs moved to the new store), the restore's own audit row, and every object.
 */
export async function assertRestored(
  backup: Pick<BackedUpDeployment, 'tables' | 'runCount'> & { manifest: BackupManifest },
  db: AnyDb,
  store: ArtifactStore,
): Promise<void> {
  const restored = await dumpTables(db);
  const audit = restored.lifecycle_audit ?? [];
  const own = audit.filter((row) => row.operation === 'restore' && row.outcome === 'SUCCEEDED');
  const ownRow = own.find((row) => JSON.parse(String(row.details)).backup_id === backup.manifest.backup_id);
  assert.ok(ownRow, 'the restore is recorded in lifecycle_audit');
  assert.equal(ownRow.from_version, backup.manifest.cairn_version);
  assert.equal(ownRow.to_version, CAIRN_VERSION);
  restored.lifecycle_audit = audit.filter((row) => row !== ownRow);
  const expected = expectedTables(backup.tables, store.url, backup.runCount);
  for (const [table, rows] of Object.entries(expected)) {
    assert.deepEqual(restored[table], rows, `rows of ${table}`);
  }
  assert.deepEqual(
    await dumpObjects(store),
    new Map(backup.manifest.objects.map((object) => [object.key, object.sha256])),
    'objects',
  );
}

/** The objects a seeded deployment holds, by key and SHA-256. */
export function seededObjects(storeUrl: string, runCount: number): Map<string, string> {
  return objectDigests(generatedDeployment(storeUrl, runCount).objects);
}

/** Proves the restored database is one Cairn opens: at the newest schema, nothing pending. */
export async function assertOpens(database: { location: Parameters<typeof openStore>[0] }): Promise<void> {
  const handle = await openStore(database.location);
  await handle.close();
}
