import { sql } from 'kysely';
import type { ArtifactStore, ObjectBatch, StoredObject } from '../../artifacts/artifact-store.ts';
import { CairnError, errorMessage } from '../../errors.ts';
import type { DatabaseLocation } from '../../store/database-url.ts';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { Migrator } from '../../store/migrator/migrator.ts';
import { CAIRN_VERSION } from '../../version.ts';
import { createIndexes, dropLookupIndexes } from '../rows/deferred-indexes.ts';
import { DEFAULT_BATCH_LIMITS } from '../rows/keyset-reader.ts';
import { openRowLoader, type RowLoader } from '../rows/row-loader.ts';
import { type Row, rowBytes } from '../rows/row-values.ts';
import { AUDIT_OUTCOME, insertAudit, updateAudit } from './audit-record.ts';
import { BackupArchive } from './backup-archive.ts';
import type { BackupManifest, ManifestTable } from './backup-manifest.ts';
import { checkBackupSchema } from './backup-schema.ts';
import { forEachKeepingPrefix } from './finished-prefix.ts';
import type { RestoreDetails, RestoreMarker, RestoreProgress } from './restore-marker.ts';
import { countRows, inspectTarget } from './restore-target.ts';
import { rewriteRow, type UriRewrite, uriRewrite } from './uri-rewrite.ts';

export type RestoreEvent =
  | { kind: 'opened'; manifest: BackupManifest }
  | { kind: 'resuming'; progress: RestoreProgress }
  | { kind: 'discarded'; backupId: string }
  | { kind: 'migration'; name: string; direction: 'up' | 'down' }
  | { kind: 'rewrite'; rewrite: UriRewrite }
  | { kind: 'objects'; done: number; total: number }
  | { kind: 'rows'; table: string; done: number; total: number }
  | { kind: 'table'; table: string; rows: number }
  | { kind: 'migrated'; schemaVersion: number };

export interface RestoreOptions {
  /** The target metadata store: empty, or holding an unfinished restore. */
  readonly db: AnyDb;
  readonly dialect: StoreDialect;
  /** Where `db` is: rows are loaded over a connection of their own there on PostgreSQL (COPY). */
  readonly location: DatabaseLocation;
  /** The target artifact store; objects of the same keys are replaced. */
  readonly store: ArtifactStore;
  readonly file: string;
  /** Discard an unfinished restore found in the target, of this backup or another, and start over. */
  readonly force?: boolean;
  /** Who asked for it, for the audit record. */
  readonly actor?: string | null;
  /**
   * The schema to leave the restored database at: the newest this code knows (the default), or the
   * backup's own, for an upgrade rolling back to the release it backed up.
   */
  readonly schemaVersion?: 'latest' | 'backup';
  readonly onProgress?: (event: RestoreEvent) => void;
}

export interface RestoreSummary {
  readonly manifest: BackupManifest;
  /** An unfinished restore of the same backup was taken over. */
  readonly resumed: boolean;
  readonly uriRewrite: UriRewrite | null;
}

/** Object progress is saved at most this often; storing an object again after a crash is harmless. */
const SAVE_INTERVAL_MS = 1000;
/**
 * Tables of at least this many rows are loaded into SQLite with their lookup indexes made after (see
 * `rows/deferred-indexes.ts`); for smaller ones the drop and the rebuild cost more than they save.
 */
const DEFER_INDEXES_ROWS = 10_000;
/** SQLite's automatic checkpoint during a restore's row load, and its default (see `#loadTables`). */
const BULK_LOAD_CHECKPOINT_PAGES = 100_000;
const DEFAULT_CHECKPOINT_PAGES = 1000;
/** Progress within a large table is reported at most this often. */
const PROGRESS_INTERVAL_MS = 2000;
/**
 * Objects stored at once: each store's write waits on round trips (S3 requests; the filesystem store's
 * open, write, rename and, at each save, fsyncs), which take about as long for many objects side by side
 * as for one. On the filesystem store 64 at a time measured faster than 16.
 */
const CONCURRENT_OBJECTS = 64;

/**
 * Restores a backup onto an empty database of any dialect and an artifact store:
 *
 * 1. checks the archive: its structure, the schema it was taken at (refusing one newer than this code),
 *    and every table file's SHA-256, before the target is touched;
 * 2. migrates the target to the backup's schema and records the restore in `lifecycle_audit`, RUNNING,
 *    with its progress (see `restore-marker.ts`);
 * 3. stores the objects, each checked against its size and SHA-256 as the store writes it (a damaged one
 *    is removed again), then loads the rows in dependency order, a batch per transaction together with the
 *    progress, rewriting artifact URIs of the old store to the new one (see `uri-rewrite.ts`);
 * 4. compares each table's row count with the manifest's, migrates to the newest schema this code knows,
 *    and marks the restore SUCCEEDED.
 *
 * A restore that stops anywhere (a kill, a crash, a damaged object) is taken over by running it again on
 * the same target with the same backup; `force` discards it instead. A target holding anything else is
 * refused with what it holds.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreSummary> {
  const archive = await BackupArchive.open(options.file);
  try {
    return await restoreArchive(options, archive);
  } finally {
    await archive.close();
  }
}

async function restoreArchive(options: RestoreOptions, archive: BackupArchive): Promise<RestoreSummary> {
  const { manifest } = archive;
  checkBackupSchema(
    {
      cairnVersion: manifest.cairn_version,
      schemaVersion: manifest.schema_version,
      migrations: manifest.migrations,
    },
    CAIRN_VERSION,
  );
  archive.verifyTables();
  const migrator = new Migrator({
    db: options.db,
    dialect: options.dialect,
    onProgress: ({ phase, step }) => {
      if (phase === 'start') {
        options.onProgress?.({ kind: 'migration', name: step.migration.name, direction: step.direction });
      }
    },
  });
  options.onProgress?.({ kind: 'opened', manifest });
  const { marker, resumed } = await claimTarget(options, archive, migrator);
  if (resumed) options.onProgress?.({ kind: 'resuming', progress: marker.details.progress });
  const restore = new RestoreRun(options, archive, marker);
  if (marker.details.uri_rewrite !== null) {
    options.onProgress?.({ kind: 'rewrite', rewrite: marker.details.uri_rewrite });
  }
  try {
    await restore.run(migrator);
  } catch (error) {
    await restore.recordFailure(error);
    throw error;
  }
  return { manifest, resumed, uriRewrite: marker.details.uri_rewrite };
}

/** Starts a restore on an empty target, or takes over the unfinished restore of the same backup. */
async function claimTarget(
  options: RestoreOptions,
  archive: BackupArchive,
  migrator: Migrator,
): Promise<{ marker: RestoreMarker; resumed: boolean }> {
  const { manifest } = archive;
  const state = await inspectTarget(options.db, options.dialect);
  if (state.kind === 'occupied') {
    const held = state.tables
      .map((table) => `${table.name} (${table.rows} ${table.rows === 1 ? 'row' : 'rows'})`)
      .join(', ');
    throw new CairnError(
      'RESTORE_TARGET_NOT_EMPTY',
      `the target database is not empty: it holds ${held}. A restore only fills an empty database; ` +
        'create a new one (or drop its tables) and restore into that',
    );
  }
  if (state.kind === 'unfinished') {
    const own = state.markers.find((marker) => marker.details.backup_id === manifest.backup_id);
    if (own !== undefined && options.force !== true) {
      await checkResumable(own, options, migrator, manifest);
      return { marker: own, resumed: true };
    }
    if (options.force !== true) {
      const other = state.markers[0] as RestoreMarker;
      throw new CairnError(
        'RESTORE_TARGET_NOT_EMPTY',
        `the target database holds an unfinished restore of another backup (${other.details.backup_id}, ` +
          `from ${other.details.archive}, started ${new Date(other.startedAt).toISOString()}); restore that ` +
          'backup again to finish it, or pass --force to discard it and start over',
      );
    }
    // Every Cairn table goes, and with them the unfinished restore's rows and its marker.
    await migrate(migrator, 0);
    for (const marker of state.markers)
      options.onProgress?.({ kind: 'discarded', backupId: marker.details.backup_id });
  }
  await migrate(migrator, manifest.schema_version);
  const details: RestoreDetails = {
    backup_id: manifest.backup_id,
    archive: archive.file,
    backup_cairn_version: manifest.cairn_version,
    schema_version: manifest.schema_version,
    source: manifest.source,
    target_artifact_store: options.store.url,
    uri_rewrite: uriRewrite(manifest.source.artifact_store, options.store.url) ?? null,
    progress: { phase: 'objects', objects_done: 0, tables_done: 0, rows_done: 0 },
  };
  const startedAt = Date.now();
  const id = await insertAudit(options.db, {
    operation: 'restore',
    actor: options.actor ?? null,
    fromVersion: manifest.cairn_version,
    toVersion: CAIRN_VERSION,
    outcome: AUDIT_OUTCOME.RUNNING,
    details,
    startedAt,
    finishedAt: null,
  });
  return { marker: { id, startedAt, details }, resumed: false };
}

/** Throws unless the unfinished restore can go on where it stopped, with the same artifact store. */
async function checkResumable(
  marker: RestoreMarker,
  options: RestoreOptions,
  migrator: Migrator,
  manifest: BackupManifest,
): Promise<void> {
  const { details } = marker;
  if (details.target_artifact_store !== options.store.url) {
    throw new CairnError(
      'RESTORE_TARGET_NOT_EMPTY',
      `the unfinished restore of this backup in the target database was storing objects in ` +
        `${details.target_artifact_store}, not ${options.store.url}; run it again with that artifact store, ` +
        'or pass --force to start over',
    );
  }
  if (details.progress.phase === 'migrating') return;
  const status = await migrator.status();
  if (status.databaseSchemaVersion !== manifest.schema_version || status.interrupted.length > 0) {
    throw new CairnError(
      'RESTORE_TARGET_NOT_EMPTY',
      `the unfinished restore of this backup left the target's schema at version ` +
        `${status.databaseSchemaVersion}${status.interrupted.length > 0 ? ' with an interrupted migration' : ''}, ` +
        `not at the backup's ${manifest.schema_version}; pass --force to start over`,
    );
  }
}

async function migrate(migrator: Migrator, target: number): Promise<void> {
  const outcome = await migrator.migrateTo(target);
  if (outcome.error) throw outcome.error;
}

/** One restore's remaining work, from the progress its marker records. */
class RestoreRun {
  readonly #options: RestoreOptions;
  readonly #archive: BackupArchive;
  readonly #marker: RestoreMarker;
  #progress: RestoreProgress;

  constructor(options: RestoreOptions, archive: BackupArchive, marker: RestoreMarker) {
    this.#options = options;
    this.#archive = archive;
    this.#marker = marker;
    this.#progress = marker.details.progress;
  }

  async run(migrator: Migrator): Promise<void> {
    if (this.#progress.phase !== 'migrating') {
      await this.#storeObjectsAndLoadRows();
      await this.#checkCounts();
      await this.#advance({ ...this.#progress, phase: 'migrating' });
    }
    const target =
      this.#options.schemaVersion === 'backup'
        ? this.#archive.manifest.schema_version
        : migrator.latestVersion;
    await migrate(migrator, target);
    this.#options.onProgress?.({ kind: 'migrated', schemaVersion: target });
    await updateAudit(this.#options.db, this.#marker.id, {
      outcome: AUDIT_OUTCOME.SUCCEEDED,
      finishedAt: Date.now(),
      details: this.#details(this.#progress),
    });
  }

  /**
   * Stores the objects while the rows load: the objects wait on the disk or the network and the rows on
   * the processor, so side by side they take about as long as the longer of the two. Only the rows'
   * transactions write the progress while both go on, each with the objects counted durable by then, so
   * the two can never write over each other's counts; once the rows are in, the objects record their own.
   * The first failure stops both.
   */
  async #storeObjectsAndLoadRows(): Promise<void> {
    const stop = new AbortController();
    let rowsLoaded = false;
    const flows = [
      this.#storeObjects(stop.signal, () => rowsLoaded),
      this.#loadTables(stop.signal).then(() => {
        rowsLoaded = true;
      }),
    ].map((flow) =>
      flow.catch((error: unknown) => {
        stop.abort(error);
        throw error;
      }),
    );
    await Promise.allSettled(flows);
    // The failure that stopped the other flow, rather than the stop it caused.
    if (stop.signal.aborted) throw stop.signal.reason;
    await this.#record(this.#progress);
  }

  /** Keeps the failure in the marker, which stays RUNNING: the restore is unfinished, not abandoned. */
  async recordFailure(error: unknown): Promise<void> {
    const details = { ...this.#details(this.#progress), error: errorMessage(error) };
    // The database may be what failed; the error itself matters more than recording it.
    await updateAudit(this.#options.db, this.#marker.id, { details }).catch(() => undefined);
  }

  #details(progress: RestoreProgress): RestoreDetails {
    const { error: _previous, ...details } = this.#marker.details;
    return { ...details, progress };
  }

  /** Records `progress` as the restore's (in `db`, a transaction of the rows it counts, if given). */
  async #record(progress: RestoreProgress, db: AnyDb = this.#options.db): Promise<void> {
    await updateAudit(db, this.#marker.id, { details: this.#details(progress) });
  }

  async #advance(progress: RestoreProgress): Promise<void> {
    await this.#record(progress);
    this.#progress = progress;
  }

  /**
   * Takes the rows' part of `progress`, which a rows' transaction has just recorded, keeping the objects'
   * part as it stands now: the objects may have moved on while that transaction ran.
   */
  #rowsRecorded(progress: RestoreProgress): void {
    const { phase, objects_done } = this.#progress;
    this.#progress = { ...progress, phase, objects_done };
  }

  /**
   * Stores the objects the progress does not count yet. `rowsLoaded` says whether the rows are all in:
   * until then the rows' transactions carry the object count into the progress.
   */
  async #storeObjects(stop: AbortSignal, rowsLoaded: () => boolean): Promise<void> {
    const { store, onProgress } = this.#options;
    const objects = this.#archive.manifest.objects;
    const batch = objectBatch(store);
    let savedAt = Date.now();
    let saving = false;
    await forEachKeepingPrefix(
      this.#progress.objects_done,
      objects.length,
      CONCURRENT_OBJECTS,
      async (index) => {
        stop.throwIfAborted();
        const object = objects[index] as (typeof objects)[number];
        let stored: StoredObject;
        try {
          stored = await batch.put(object.key, this.#archive.objectBody(object));
        } catch (error) {
          throw archiveFailure(error);
        }
        try {
          this.#archive.checkStored(object, stored);
        } catch (error) {
          // The store hashed the bytes as it wrote them, so the check costs no second read; what it
          // wrote is taken back. (Killed before that, the restore is unfinished, and resuming it
          // stores the object again.)
          await store.delete(object.key);
          throw error;
        }
      },
      async (finished) => {
        // One save at a time: a later one overtaking a slow sync would be undone by it.
        if (saving || Date.now() - savedAt < SAVE_INTERVAL_MS) return;
        saving = true;
        try {
          // The objects before `finished` were written before this sync began, so it makes them durable
          // before the progress counts them: a crash can lose only objects a resumed restore stores again.
          await batch.sync();
          this.#progress = { ...this.#progress, objects_done: finished };
          if (rowsLoaded()) await this.#record(this.#progress);
        } finally {
          saving = false;
          savedAt = Date.now();
        }
        onProgress?.({ kind: 'objects', done: finished, total: objects.length });
      },
    );
    await batch.sync();
    // Rows may remain: the phase is theirs now, recorded with the next of their transactions.
    this.#progress = { ...this.#progress, phase: 'rows', objects_done: objects.length };
    onProgress?.({ kind: 'objects', done: objects.length, total: objects.length });
  }

  async #loadTables(stop: AbortSignal): Promise<void> {
    const { db, location } = this.#options;
    const tables = this.#archive.manifest.tables;
    const loader = openRowLoader(db, location);
    // SQLite copies the write-ahead log into the database every 1,000 pages by default, and a bulk load
    // modifies the same index pages over and over: copying them once per 100,000 pages (400 MiB of log)
    // loads a million tasks in 24 s instead of 34. Each commit still syncs the log, so nothing is less
    // durable; the log is folded in and truncated once the rows are in.
    const sqlite = location.dialect === 'sqlite';
    if (sqlite) await sql`pragma wal_autocheckpoint = ${sql.lit(BULK_LOAD_CHECKPOINT_PAGES)}`.execute(db);
    try {
      for (let index = this.#progress.tables_done; index < tables.length; index++) {
        const table = tables[index] as ManifestTable;
        const deferring = location.dialect === 'sqlite' && table.rows >= DEFER_INDEXES_ROWS;
        if (deferring && this.#progress.deferred_indexes === undefined) {
          await db.transaction().execute(async (trx) => {
            const progress = {
              ...this.#progress,
              tables_done: index,
              deferred_indexes: await dropLookupIndexes(trx, table.name),
            };
            await this.#record(progress, trx);
            this.#rowsRecorded(progress);
          });
        }
        await this.#loadTable(loader, table, index, stop);
        const { deferred_indexes: deferred, ...loaded } = this.#progress;
        await db.transaction().execute(async (trx) => {
          const progress = { ...loaded, tables_done: index + 1, rows_done: 0 };
          if (deferred !== undefined) await createIndexes(trx, deferred);
          await this.#record(progress, trx);
          this.#rowsRecorded(progress);
        });
        this.#options.onProgress?.({ kind: 'table', table: table.name, rows: table.rows });
      }
    } finally {
      if (sqlite) await sql`pragma wal_autocheckpoint = ${sql.lit(DEFAULT_CHECKPOINT_PAGES)}`.execute(db);
      await loader.close();
    }
    if (sqlite) await sql`pragma wal_checkpoint(truncate)`.execute(db);
    // Tables filled by COPY keep the statistics of empty ones until autovacuum gets to them, and plans
    // made on those (sequential scans, nested loops) stay slow until then.
    if (location.dialect === 'postgres') await sql`analyze`.execute(db);
  }

  /** Loads the rows the progress does not have yet, each batch in a transaction with its progress. */
  async #loadTable(loader: RowLoader, table: ManifestTable, index: number, stop: AbortSignal): Promise<void> {
    const rewrite = this.#marker.details.uri_rewrite;
    let batch: Row[] = [];
    let bytes = 0;
    let reportedAt = Date.now();
    const commit = async () => {
      stop.throwIfAborted();
      const progress = { ...this.#progress, rows_done: this.#progress.rows_done + batch.length };
      const rows = batch;
      // The rows and the progress that counts them commit together, so a resumed restore skips exactly
      // the rows that are in.
      await loader.transaction(async (trx, load) => {
        await load(table.name, rows);
        await this.#record(progress, trx);
      });
      this.#rowsRecorded(progress);
      batch = [];
      bytes = 0;
      if (Date.now() - reportedAt >= PROGRESS_INTERVAL_MS) {
        reportedAt = Date.now();
        this.#options.onProgress?.({
          kind: 'rows',
          table: table.name,
          done: progress.rows_done,
          total: table.rows,
        });
      }
    };
    const skip = this.#progress.tables_done === index ? this.#progress.rows_done : 0;
    this.#progress = { ...this.#progress, tables_done: index, rows_done: skip };
    for await (const row of this.#archive.rows(table, skip)) {
      const restored = rewrite === null ? row : rewriteRow(table.name, row, rewrite);
      batch.push(restored);
      bytes += rowBytes(restored);
      if (batch.length >= DEFAULT_BATCH_LIMITS.maxRows || bytes >= DEFAULT_BATCH_LIMITS.maxBytes)
        await commit();
    }
    if (batch.length > 0) await commit();
    if (this.#progress.rows_done !== table.rows) {
      throw new CairnError(
        'BACKUP_INVALID',
        `${this.#archive.file} is damaged: ${table.name} has ${this.#progress.rows_done} rows, but the ` +
          `manifest records ${table.rows}`,
      );
    }
  }

  /** Each table holds what the backup holds (and lifecycle_audit this restore's own row besides). */
  async #checkCounts(): Promise<void> {
    for (const table of this.#archive.manifest.tables) {
      const expected = table.rows + (table.name === 'lifecycle_audit' ? 1 : 0);
      const found = await countRows(this.#options.db, table.name);
      if (found !== expected) {
        throw new CairnError(
          'RESTORE_TARGET_NOT_EMPTY',
          `after loading, ${table.name} holds ${found} rows where the backup has ${expected}: something else ` +
            'wrote to the target database during the restore; restore into a database nothing else uses',
        );
      }
    }
  }
}

/**
 * The archive's own error when storing an object failed because its bytes did not match the manifest:
 * the S3 store wraps a body's failure in its own.
 */
function archiveFailure(error: unknown): unknown {
  if (error instanceof CairnError && error.code === 'BACKUP_INVALID') return error;
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof CairnError && cause.code === 'BACKUP_INVALID' ? cause : error;
}

/** The store's batch of writes synced together, or its put, durable on return, when it has none. */
function objectBatch(store: ArtifactStore): ObjectBatch {
  return store.batch?.() ?? { put: (key, body) => store.put(key, body), sync: async () => {} };
}
