import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ArtifactStore, ObjectInfo } from '../../artifacts/artifact-store.ts';
import { CairnError, errorMessage } from '../../errors.ts';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { MIGRATIONS } from '../../store/migrations/index.ts';
import { readHistory } from '../../store/migrator/schema-history.ts';
import { compareSchema } from '../../store/migrator/schema-status.ts';
import { CAIRN_VERSION } from '../../version.ts';
import { COPY_TABLES } from '../rows/copy-tables.ts';
import { readBatches } from '../rows/keyset-reader.ts';
import type { Row } from '../rows/row-values.ts';
import { AUDIT_OUTCOME, insertAudit } from './audit-record.ts';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  type BackupManifest,
  MANIFEST_PATH,
  type ManifestMigration,
  type ManifestObject,
  type ManifestTable,
  manifestChunks,
  OBJECTS_TAKEN,
  objectEntryPath,
  tableEntryPath,
} from './backup-manifest.ts';
import { checkSourceSchema } from './backup-schema.ts';
import { loadAhead } from './load-ahead.ts';
import { inSnapshot } from './snapshot-transaction.ts';
import { fileExists, TarWriter } from './tar-writer.ts';

export type BackupProgress =
  | { kind: 'snapshot'; schemaVersion: number }
  | { kind: 'rows'; table: string; rows: number }
  | { kind: 'table'; table: string; rows: number }
  | { kind: 'objects'; objects: number; bytes: number };

export interface BackupOptions {
  /** The metadata store; on SQLite its one connection is held while the rows are read. */
  readonly db: AnyDb;
  readonly dialect: StoreDialect;
  readonly store: ArtifactStore;
  /** The archive to write. */
  readonly file: string;
  /** Replace an existing file (otherwise one is refused). */
  readonly replace?: boolean;
  /** Who asked for it, for the audit record. */
  readonly actor?: string | null;
  readonly onProgress?: (event: BackupProgress) => void;
}

export interface BackupSummary {
  readonly manifest: BackupManifest;
  /** The archive's size. */
  readonly bytes: number;
  /** Why the backup is missing from the source's lifecycle_audit, if it is. */
  readonly auditProblem?: string;
}

/**
 * Objects listed and read ahead of the one being written: each costs a few round trips to the store
 * (file-system calls, S3 requests), which overlap instead of adding up. Objects up to SMALL_OBJECT_BYTES
 * are read ahead whole, bounding the memory read ahead to OBJECTS_AHEAD of them.
 */
const OBJECTS_AHEAD = 32;
const SMALL_OBJECT_BYTES = 256 * 1024;
/** Progress within a large table, and over the objects, is reported at most this often. */
const PROGRESS_INTERVAL_MS = 1000;

/**
 * Writes one archive of both stores: every table's rows as of one snapshot, then every object of the
 * artifact store, then the manifest (see `backup-manifest.ts`). Safe while Cairn runs: the snapshot is
 * consistent, and the objects taken after it include every one it references (see OBJECTS_TAKEN).
 * Recorded in the source's `lifecycle_audit`, after the snapshot, so not in the backup itself.
 */
export async function writeBackup(options: BackupOptions): Promise<BackupSummary> {
  const { db, dialect, store, file } = options;
  const startedAt = Date.now();
  const backupId = randomUUID();
  if (options.replace !== true && existsSync(file)) throw fileExists(file);
  const archive = await TarWriter.create(file);
  let manifest: BackupManifest;
  let bytes: number;
  try {
    const metadata = await inSnapshot(db, dialect, (snapshot) =>
      writeMetadata(snapshot, dialect, archive, options.onProgress),
    );
    const objects = await writeObjects(store, archive, options.onProgress);
    manifest = {
      format: BACKUP_FORMAT,
      format_version: BACKUP_FORMAT_VERSION,
      backup_id: backupId,
      cairn_version: CAIRN_VERSION,
      schema_version: metadata.schemaVersion,
      migrations: metadata.migrations,
      snapshot_at: new Date(metadata.snapshotAt).toISOString(),
      created_at: new Date().toISOString(),
      source: { dialect: dialect.name, artifact_store: store.url },
      tables: metadata.tables,
      objects_taken: OBJECTS_TAKEN,
      objects_vanished: objects.vanished,
      objects: objects.objects,
    };
    await archive.writeEntry(MANIFEST_PATH, manifestChunks(manifest));
    bytes = await archive.finish(options.replace === true);
  } catch (error) {
    await archive.abort();
    // Nothing is written to a database whose schema this code does not know.
    if (!(error instanceof CairnError && error.code.startsWith('SCHEMA_'))) {
      await recordBackup(options, startedAt, AUDIT_OUTCOME.FAILED, {
        file,
        backup_id: backupId,
        error: errorMessage(error),
      }).catch(() => undefined);
    }
    throw error;
  }
  // A failure to record it does not undo a complete backup (a read-only database user can take one).
  const auditProblem = await recordBackup(options, startedAt, AUDIT_OUTCOME.SUCCEEDED, {
    file,
    backup_id: backupId,
    bytes,
    schema_version: manifest.schema_version,
    rows: Object.fromEntries(manifest.tables.map((table) => [table.name, table.rows])),
    objects: manifest.objects.length,
  }).then(
    () => undefined,
    (error: unknown) => `recording the backup in lifecycle_audit failed: ${errorMessage(error)}`,
  );
  return { manifest, bytes, ...(auditProblem === undefined ? {} : { auditProblem }) };
}

function recordBackup(
  options: BackupOptions,
  startedAt: number,
  outcome: (typeof AUDIT_OUTCOME)['SUCCEEDED' | 'FAILED'],
  details: object,
): Promise<string> {
  return insertAudit(options.db, {
    operation: 'backup',
    actor: options.actor ?? null,
    fromVersion: null,
    // The release that took it, as other lifecycle operations that change no version record.
    toVersion: CAIRN_VERSION,
    outcome,
    details,
    startedAt,
    finishedAt: Date.now(),
  });
}

interface WrittenMetadata {
  schemaVersion: number;
  migrations: ManifestMigration[];
  snapshotAt: number;
  tables: ManifestTable[];
}

/** Every table's rows, read inside the snapshot, as `metadata/<table>.jsonl` entries. */
async function writeMetadata(
  snapshot: AnyDb,
  dialect: StoreDialect,
  archive: TarWriter,
  onProgress: BackupOptions['onProgress'],
): Promise<WrittenMetadata> {
  // The schema is read in the snapshot too, so it is the schema of the rows.
  const status = compareSchema(await readHistory(snapshot, dialect), MIGRATIONS, CAIRN_VERSION);
  const snapshotAt = Date.now();
  checkSourceSchema(status);
  onProgress?.({ kind: 'snapshot', schemaVersion: status.databaseSchemaVersion });
  const tables: ManifestTable[] = [];
  for (const table of COPY_TABLES) {
    // Tables a later migration adds are absent from an older schema.
    if (!(await dialect.tableExists(snapshot, table.name))) continue;
    const counter = { rows: 0 };
    const report = (rows: number) => onProgress?.({ kind: 'rows', table: table.name, rows });
    const written = await archive.writeEntry(
      tableEntryPath(table.name),
      jsonLines(readBatches(snapshot, table), counter, report),
    );
    tables.push({ name: table.name, rows: counter.rows, bytes: written.size, sha256: written.sha256 });
    onProgress?.({ kind: 'table', table: table.name, rows: counter.rows });
  }
  return {
    schemaVersion: status.databaseSchemaVersion,
    migrations: status.applied.map(({ version, name, checksum }) => ({ version, name, checksum })),
    snapshotAt,
    tables,
  };
}

async function* jsonLines(
  batches: AsyncIterable<Row[]>,
  counter: { rows: number },
  report: (rows: number) => void,
): AsyncGenerator<Buffer> {
  let reportedAt = Date.now();
  for await (const rows of batches) {
    counter.rows += rows.length;
    yield Buffer.from(`${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
    if (Date.now() - reportedAt >= PROGRESS_INTERVAL_MS) {
      reportedAt = Date.now();
      report(counter.rows);
    }
  }
}

interface WrittenObjects {
  objects: ManifestObject[];
  vanished: number;
}

async function writeObjects(
  store: ArtifactStore,
  archive: TarWriter,
  onProgress: BackupOptions['onProgress'],
): Promise<WrittenObjects> {
  const objects: ManifestObject[] = [];
  let vanished = 0;
  let bytes = 0;
  let reportedAt = Date.now();
  const loads = loadAhead(store.list(''), OBJECTS_AHEAD, (info) => readObject(store, info), closeBody);
  for await (const loaded of loads) {
    if ('error' in loaded) throw loaded.error;
    if (loaded.value === undefined) {
      vanished++;
      continue;
    }
    const { key } = loaded.item;
    const written = await archive.writeEntry(objectEntryPath(key), loaded.value);
    objects.push({ key, size: written.size, sha256: written.sha256 });
    bytes += written.size;
    if (Date.now() - reportedAt >= PROGRESS_INTERVAL_MS) {
      reportedAt = Date.now();
      onProgress?.({ kind: 'objects', objects: objects.length, bytes });
    }
  }
  onProgress?.({ kind: 'objects', objects: objects.length, bytes });
  return { objects, vanished };
}

/**
 * A small object's bytes, read ahead in full; a larger one's stream, opened ahead and read when its turn
 * comes; or nothing when it was deleted after being listed.
 */
async function readObject(store: ArtifactStore, info: ObjectInfo): Promise<Buffer[] | Readable | undefined> {
  let body: Readable;
  try {
    body = await store.get(info.key);
  } catch (error) {
    if (error instanceof CairnError && error.code === 'ARTIFACT_NOT_FOUND') return undefined;
    throw error;
  }
  if (info.size > SMALL_OBJECT_BYTES) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return chunks;
}

function closeBody(body: Buffer[] | Readable | undefined): void {
  if (body instanceof Readable) body.destroy();
}
