import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ArtifactStore, ListedObject, ObjectInfo } from '../../artifacts/artifact-store.ts';
import { CairnError, errorMessage } from '../../errors.ts';
import type { DatabaseLocation } from '../../store/database-url.ts';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { CAIRN_VERSION } from '../../version.ts';
import { ArchiveWriter, fileExists, type WrittenEntry } from './archive-writer.ts';
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
import { type Loaded, loadAhead } from './load-ahead.ts';
import { readMetadataInWorker } from './metadata-from-worker.ts';
import { type MetadataEvent, readMetadata, TABLE_PART_BYTES } from './metadata-parts.ts';
import { inSnapshot } from './snapshot-transaction.ts';

export type BackupProgress =
  | { kind: 'snapshot'; schemaVersion: number }
  | { kind: 'rows'; table: string; rows: number }
  | { kind: 'table'; table: string; rows: number }
  | { kind: 'objects'; objects: number; bytes: number };

export interface BackupOptions {
  /** The metadata store: its audit record is written through it (and its rows read if it is in memory). */
  readonly db: AnyDb;
  readonly dialect: StoreDialect;
  /**
   * Where `db` is. The rows are read in a worker thread, over a connection of its own, while this thread
   * writes the objects (see `metadata-worker.ts`); but an in-memory SQLite database's, which no other
   * connection can open, are read through `db`.
   */
  readonly location: DatabaseLocation;
  readonly store: ArtifactStore;
  /** The archive to write. */
  readonly file: string;
  /** Replace an existing file (otherwise one is refused). */
  readonly replace?: boolean;
  /** Who asked for it, for the audit record. */
  readonly actor?: string | null;
  readonly onProgress?: (event: BackupProgress) => void;
  /** A table's rows are split into entries of at least this many bytes (16 MiB by default). */
  readonly tablePartBytes?: number;
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
/** Times a streamed object is read before a backup gives up on it changing size under it. */
const SIZE_ATTEMPTS = 3;
/** Progress over the objects is reported at most this often. */
const PROGRESS_INTERVAL_MS = 1000;

/**
 * Writes one archive of both stores: every table's rows as of one snapshot and every object of the
 * artifact store, listed once the snapshot is taken, side by side, then the manifest (see
 * `backup-manifest.ts`). Safe while Cairn runs: the snapshot is consistent, and the objects taken after
 * it include every one it references (see OBJECTS_TAKEN).
 * Recorded in the source's `lifecycle_audit`, after the snapshot, so not in the backup itself.
 */
export async function writeBackup(options: BackupOptions): Promise<BackupSummary> {
  const { db, dialect, store, file } = options;
  const startedAt = Date.now();
  const backupId = randomUUID();
  if (options.replace !== true && existsSync(file)) throw fileExists(file);
  const archive = await ArchiveWriter.create(file);
  let manifest: BackupManifest;
  let bytes: number;
  try {
    const partBytes = options.tablePartBytes ?? TABLE_PART_BYTES;
    const { location } = options;
    const { metadata, objects } = !(location.dialect === 'sqlite' && location.path === ':memory:')
      ? await writeContents(readMetadataInWorker(location, partBytes), store, archive, options.onProgress)
      : await inSnapshot(db, dialect, (snapshot) =>
          writeContents(readMetadata(snapshot, dialect, partBytes), store, archive, options.onProgress),
        );
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

/**
 * Writes the metadata's parts as `events` brings them and, once its snapshot is taken, the objects beside
 * them: entries one at a time, in the order each side is ready. A failure on either side stops the other.
 */
async function writeContents(
  events: AsyncGenerator<MetadataEvent>,
  store: ArtifactStore,
  archive: ArchiveWriter,
  onProgress: BackupOptions['onProgress'],
): Promise<{ metadata: WrittenMetadata; objects: WrittenObjects }> {
  const first = await events.next();
  if (first.done === true || first.value.kind !== 'snapshot') {
    await events.return(undefined);
    throw new Error("the backup's metadata did not begin with its snapshot");
  }
  const { schemaVersion, migrations, snapshotAt } = first.value;
  onProgress?.({ kind: 'snapshot', schemaVersion });
  let last: Promise<unknown> = Promise.resolve();
  const serially = <T>(write: () => Promise<T>): Promise<T> => {
    const written = last.then(write);
    last = written.catch(() => undefined);
    return written;
  };
  const stop = new AbortController();
  const tables: ManifestTable[] = [];
  const rows = (async () => {
    for await (const event of events) {
      if (stop.signal.aborted) break;
      if (event.kind === 'part') {
        await serially(() => archive.appendBytes(tableEntryPath(event.table, event.part), event.data));
      } else if (event.kind === 'rows') {
        onProgress?.({ kind: 'rows', table: event.table, rows: event.rows });
      } else if (event.kind === 'table') {
        tables.push(event.table);
        onProgress?.({ kind: 'table', table: event.table.name, rows: event.table.rows });
      }
    }
  })();
  const objects = writeObjects(store, archive, onProgress, serially, stop.signal);
  try {
    const [, written] = await Promise.all([rows, objects]);
    return { metadata: { schemaVersion, migrations, snapshotAt, tables }, objects: written };
  } catch (error) {
    stop.abort();
    await Promise.allSettled([rows, objects]);
    throw error;
  }
}

interface WrittenObjects {
  objects: ManifestObject[];
  vanished: number;
}

async function writeObjects(
  store: ArtifactStore,
  archive: ArchiveWriter,
  onProgress: BackupOptions['onProgress'],
  serially: <T>(write: () => Promise<T>) => Promise<T>,
  signal: AbortSignal,
): Promise<WrittenObjects> {
  const objects: ManifestObject[] = [];
  let vanished = 0;
  let bytes = 0;
  let reportedAt = Date.now();
  for await (const loaded of objectReads(store)) {
    signal.throwIfAborted();
    if ('error' in loaded) throw loaded.error;
    const { key } = loaded.item;
    const written = await serially(() => writeObject(store, archive, loaded.item, loaded.value));
    if (written === undefined) {
      vanished++;
      continue;
    }
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
 * Every object of the store with its bytes (a small one) or its stream: from the store's own pass that
 * lists and reads at once when it has one, else from a listing with the reads run ahead of the writes.
 */
function objectReads(store: ArtifactStore): AsyncIterable<Loaded<ObjectInfo, ObjectRead>> {
  if (store.listWithBytes === undefined) {
    return loadAhead(store.list(''), OBJECTS_AHEAD, (info) => readObject(store, info), closeBody);
  }
  return withLargeOpened(store, store.listWithBytes('', SMALL_OBJECT_BYTES));
}

async function* withLargeOpened(
  store: ArtifactStore,
  listed: AsyncIterable<ListedObject>,
): AsyncGenerator<Loaded<ObjectInfo, ObjectRead>> {
  for await (const { info, bytes } of listed) {
    if (bytes !== undefined) {
      yield { item: info, value: bytes };
      continue;
    }
    // Read only when its turn comes: a large object's time is its bytes', not its round trips'.
    yield await readObject(store, info).then(
      (value) => ({ item: info, value }),
      (error: unknown) => ({ item: info, error }),
    );
  }
}

/** An object read ahead: its bytes, its open stream, or nothing when it was deleted after being listed. */
type ObjectRead = Buffer | Readable | undefined;

/**
 * Writes the object's entry; undefined when the object is gone. A tar header comes before the data and
 * carries its size, which for a streamed object is the size the listing gave: should the object have
 * been replaced since by one of another size, it is read again, at its new size.
 */
async function writeObject(
  store: ArtifactStore,
  archive: ArchiveWriter,
  listed: ObjectInfo,
  read: ObjectRead,
): Promise<WrittenEntry | undefined> {
  const entryPath = objectEntryPath(listed.key);
  let info = listed;
  let body = read;
  for (let attempt = 1; ; attempt++) {
    if (body === undefined) return undefined;
    if (!(body instanceof Readable)) return archive.writeBytes(entryPath, body);
    const written = await archive.writeSizedEntry(entryPath, info.size, body);
    if (written !== undefined) return written;
    if (attempt === SIZE_ATTEMPTS) {
      throw new CairnError(
        'ARTIFACT_STORE_FAILED',
        `object ${JSON.stringify(info.key)} changed size each of the ${attempt} times it was read: something ` +
          'keeps rewriting it; take the backup again once it is left alone',
      );
    }
    const current = await store.stat(info.key);
    if (current === undefined) return undefined;
    info = current;
    body = await readObject(store, current);
  }
}

/**
 * A small object's bytes, read ahead in full; a larger one's stream, opened ahead and read when its turn
 * comes; or nothing when it was deleted after being listed.
 */
async function readObject(store: ArtifactStore, info: ObjectInfo): Promise<ObjectRead> {
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
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

function closeBody(body: ObjectRead): void {
  if (body instanceof Readable) body.destroy();
}
