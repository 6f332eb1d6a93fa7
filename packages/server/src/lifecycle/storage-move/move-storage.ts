/**
 * Moves a deployment from one pair of stores to another: any metadata database (SQLite, MySQL/MariaDB,
 * PostgreSQL) to any other, and the artifact store from a folder to S3, S3 to a folder, or neither.
 *
 * The source is only read, never written: no audit row, no maintenance mode, nothing. Its rows are read in
 * one read-only snapshot transaction (see `backup/snapshot-transaction.ts`), so a copy made in one run is
 * consistent even if something writes meanwhile; a copy resumed after a crash reads a later snapshot, and
 * writes made after a snapshot are not copied. The move is therefore meant for a quiet source, with every
 * Cairn process that writes to it stopped, and it proves that the source was quiet: at the end it reads
 * both sides again and compares every row and every object, so a source that changed during the move
 * fails it instead of leaving a target that silently lacks the change.
 *
 * Phases, recorded in the target's `lifecycle_audit` (see `move-marker.ts`), each resumed by a rerun:
 * 1. the target database is migrated to the source's schema version, and the move's marker written;
 * 2. rows: every table, parents first, a batch per transaction with its checkpoint, artifact URIs under
 *    the old store's URL rewritten to the new one's (as a restore does; see `backup/uri-rewrite.ts`);
 * 3. objects: every object streamed from store to store with its SHA-256 checked, in key order, behind a
 *    watermark (skipped when the artifact store stays where it is);
 * 4. compare: row counts and a digest of every row of every table, source (rewritten) against target, and
 *    every object's size and SHA-256 on both sides. The source's digests are the ones the copy kept as it
 *    wrote each batch when the source can show nothing has written to it since (see `quiet-source.ts`);
 *    otherwise it is read again;
 * 5. verify: `verifyDeployment` on the target, which must find no problem the source does not have.
 * Then the marker is SUCCEEDED; a rerun finds it and does nothing.
 */
import { type Kysely, sql } from 'kysely';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import { CairnError } from '../../errors.ts';
import { type DatabaseLocation, describeDatabase } from '../../store/database-url.ts';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { MIGRATIONS } from '../../store/migrations/index.ts';
import { Migrator } from '../../store/migrator/migrator.ts';
import { readHistory } from '../../store/migrator/schema-history.ts';
import { compareSchema, incompatibility } from '../../store/migrator/schema-status.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { CAIRN_VERSION } from '../../version.ts';
import { AUDIT_OUTCOME, insertAudit } from '../backup/audit-record.ts';
import { MIN_BACKUP_SCHEMA_VERSION } from '../backup/backup-schema.ts';
import { inSnapshot } from '../backup/snapshot-transaction.ts';
import { type UriRewrite, uriRewrite } from '../backup/uri-rewrite.ts';
import { verifySummary } from '../verify/describe-verify-report.ts';
import type { VerifyProgress } from '../verify/verify-deployment.ts';
import { compareObjects, type ObjectComparison } from './compare-objects.ts';
import { compareRows, type TableComparison } from './compare-rows.ts';
import { copyObjects, type ObjectCopyEvent } from './copy-objects.ts';
import { copyRows, type RowCopyEvent, tablesOf } from './copy-rows.ts';
import { moveFailed, moveRefused } from './move-errors.ts';
import {
  INITIAL_PROGRESS,
  MOVE_OPERATION,
  MoveCheckpoint,
  type MoveDetails,
  type MoveEnd,
  type MoveMarker,
  type MovePhase,
  type MoveResult,
} from './move-marker.ts';
import { checkEndsApart, checkTargetStoreEmpty, inspectMoveTarget } from './move-target.ts';
import { type QuietWatch, watchForWrites } from './quiet-source.ts';
import { digestColumns, RowDigestSum, rowDigest } from './row-digest.ts';
import { verifyMoved } from './verify-moved.ts';

export type MoveEvent =
  | { kind: 'finished-before'; marker: MoveMarker }
  | { kind: 'migration'; name: string; direction: 'up' | 'down' }
  | {
      kind: 'start';
      resumed: boolean;
      phase: MovePhase;
      schemaVersion: number;
      rewrite: UriRewrite | null;
      copyObjects: boolean;
    }
  | { kind: 'phase'; phase: MovePhase }
  | RowCopyEvent
  | ObjectCopyEvent
  /** Whether the comparison reads the source again, or holds the target against the copy's digests. */
  | { kind: 'comparing-rows'; sourceReadAgain: boolean }
  | { kind: 'compared-table'; comparison: TableComparison }
  | { kind: 'comparing-objects'; compared: number }
  | { kind: 'compared-objects'; comparison: ObjectComparison }
  | { kind: 'verify'; progress: VerifyProgress }
  | { kind: 'verified'; summary: string; inherited: number }
  | { kind: 'verify-skipped'; reason: string };

/** One side of a move: its metadata database and its artifact store. */
export interface MoveSide {
  readonly db: AnyDb;
  readonly dialect: StoreDialect;
  readonly location: DatabaseLocation;
  readonly store: ArtifactStore;
}

export interface MoveOptions {
  /** Read only: nothing is written to its database or its store. */
  readonly source: MoveSide;
  /** An empty database and an empty store (or the source's store), or those of this move left unfinished. */
  readonly target: MoveSide;
  /** Read every object back in the final comparison and verify (the default); false compares sizes only. */
  readonly hash?: boolean;
  /** Who asked for it, for the audit record. */
  readonly actor?: string | null;
  readonly onProgress?: (event: MoveEvent) => void;
}

export interface MoveSummary {
  /** The move's row in the target's lifecycle_audit. */
  readonly moveId: string;
  /** The target held this move, finished, already: nothing was done. */
  readonly finishedBefore: boolean;
  /** An unfinished move was taken over. */
  readonly resumed: boolean;
  readonly schemaVersion: number;
  /** The newest schema this code knows: a target behind it must be migrated before Cairn opens it. */
  readonly latestSchemaVersion: number;
  readonly uriRewrite: UriRewrite | null;
  readonly result: MoveResult;
}

/**
 * Moves the deployment of `options.source` into `options.target`, or finishes the move a previous run
 * left there (see the module comment). Throws STORAGE_MOVE_REFUSED when the target holds anything else,
 * or the source cannot be moved as it is; STORAGE_MOVE_FAILED when the two sides end up different or the
 * target's verify finds problems the source does not have (the move stays unfinished in the target).
 */
export async function moveStorage(options: MoveOptions): Promise<MoveSummary> {
  const { source, target } = options;
  const ends = { source: endOf(source), target: endOf(target) };
  checkEndsApart(ends.source, ends.target);
  const schemaVersion = checkSourceSchema(await readStatus(source.db, source.dialect));
  const copyObjects = source.store.url !== target.store.url;
  const rewrite = uriRewrite(source.store.url, target.store.url) ?? null;
  if (copyObjects && rewrite === null) {
    throw moveRefused(
      `artifact URIs cannot be rewritten from ${source.store.url} to ${target.store.url}: a store URL must ` +
        'not hold characters that JSON escapes',
    );
  }
  const migrator = new Migrator({
    db: target.db,
    dialect: target.dialect,
    onProgress: ({ phase, step }) => {
      if (phase === 'start') {
        options.onProgress?.({ kind: 'migration', name: step.migration.name, direction: step.direction });
      }
    },
  });
  const state = await inspectMoveTarget(target.db, target.dialect, ends.source, ends.target);
  if (state.kind === 'finished') {
    options.onProgress?.({ kind: 'finished-before', marker: state.marker });
    return summaryOf(state.marker, { finishedBefore: true, resumed: false }, migrator.latestVersion);
  }
  const resumed = state.kind === 'unfinished';
  let marker: MoveMarker;
  if (resumed) {
    marker = state.marker;
    await checkResumable(marker, schemaVersion, migrator);
  } else {
    if (copyObjects) await checkTargetStoreEmpty(target.store);
    const outcome = await migrator.migrateTo(schemaVersion);
    if (outcome.error) throw outcome.error;
    marker = await startMove(target.db, options.actor ?? null, {
      ...ends,
      schema_version: schemaVersion,
      uri_rewrite: rewrite,
      copy_objects: copyObjects,
      progress: INITIAL_PROGRESS,
    });
  }
  const checkpoint = new MoveCheckpoint(target.db, marker);
  options.onProgress?.({
    kind: 'start',
    resumed,
    phase: checkpoint.progress.phase,
    schemaVersion,
    rewrite,
    copyObjects,
  });
  try {
    const result = await runPhases(options, checkpoint, migrator.latestVersion);
    await checkpoint.succeed(result);
    return summaryOf(
      { ...marker, details: { ...marker.details, result } },
      { finishedBefore: false, resumed },
      migrator.latestVersion,
    );
  } catch (error) {
    await checkpoint.recordFailure(error);
    throw error;
  }
}

/** Records the move in the target's lifecycle_audit, RUNNING, and returns its marker. */
async function startMove(db: AnyDb, actor: string | null, details: MoveDetails): Promise<MoveMarker> {
  const startedAt = Date.now();
  const id = await insertAudit(db, {
    operation: MOVE_OPERATION,
    actor,
    fromVersion: null,
    // The release that moved it, as other lifecycle operations that change no version record.
    toVersion: CAIRN_VERSION,
    outcome: AUDIT_OUTCOME.RUNNING,
    details,
    startedAt,
    finishedAt: null,
  });
  return { id, outcome: AUDIT_OUTCOME.RUNNING, startedAt, finishedAt: null, details };
}

function endOf(side: MoveSide): MoveEnd {
  return {
    dialect: side.dialect.name,
    database: describeDatabase(side.location),
    artifact_store: side.store.url,
  };
}

async function readStatus(db: AnyDb, dialect: StoreDialect) {
  return compareSchema(await readHistory(db, dialect), MIGRATIONS, CAIRN_VERSION);
}

/** The source's schema version, if this code can copy its rows: known, complete, with lifecycle_audit. */
function checkSourceSchema(status: Awaited<ReturnType<typeof readStatus>>): number {
  const blocking = incompatibility(status);
  if (blocking) throw blocking;
  const interrupted = status.interrupted[0];
  if (interrupted) {
    throw new CairnError(
      'SCHEMA_NOT_CURRENT',
      `the source's migration "${interrupted.name}" was interrupted while ${interrupted.state}; run ` +
        "'cairn admin migrate' on the source to finish it, then move it",
    );
  }
  if (status.databaseSchemaVersion < MIN_BACKUP_SCHEMA_VERSION) {
    throw new CairnError(
      'SCHEMA_NOT_CURRENT',
      `the source's schema is at version ${status.databaseSchemaVersion}; a move starts at version ` +
        `${MIN_BACKUP_SCHEMA_VERSION} (Cairn's first release): upgrade the source first ('cairn admin upgrade')`,
    );
  }
  return status.databaseSchemaVersion;
}

/** Throws unless the unfinished move can go on: the source at the same schema, the target's intact. */
async function checkResumable(marker: MoveMarker, schemaVersion: number, migrator: Migrator): Promise<void> {
  if (marker.details.schema_version !== schemaVersion) {
    throw moveRefused(
      `the unfinished move in the target began when the source was at schema version ` +
        `${marker.details.schema_version}; it is at ${schemaVersion} now. Empty the target (drop and recreate ` +
        'its database, and empty its artifact store) and move again',
    );
  }
  const status = await migrator.status();
  if (status.databaseSchemaVersion !== schemaVersion || status.interrupted.length > 0) {
    throw moveRefused(
      `the unfinished move left the target's schema at version ${status.databaseSchemaVersion}` +
        `${status.interrupted.length > 0 ? ' with an interrupted migration' : ''}, not at the source's ` +
        `${schemaVersion}: something else changed it. Empty the target and move again`,
    );
  }
}

/** Runs the phases from the one the checkpoint records, and returns what the move did. */
async function runPhases(
  options: MoveOptions,
  checkpoint: MoveCheckpoint,
  latestSchemaVersion: number,
): Promise<MoveResult> {
  const { source, target } = options;
  const emit = (event: MoveEvent) => options.onProgress?.(event);
  const { details } = checkpoint;
  // Each phase is announced once it is recorded, so whoever reads the progress knows what a rerun resumes.
  const enter = (phase: MovePhase) => checkpoint.advance({ ...checkpoint.progress, phase });
  const at = (phase: MovePhase) => {
    if (checkpoint.progress.phase !== phase) return false;
    emit({ kind: 'phase', phase });
    return true;
  };
  // Set when this run copies every row in one snapshot, watched for writes from before it began.
  let quiet: QuietWatch | undefined;
  if (at('rows')) {
    const watch =
      checkpoint.progress.table === null ? await watchForWrites(source.db, source.dialect) : undefined;
    const digestColumnsOfTarget = await digestColumns(target.db);
    await inSnapshot(source.db, source.dialect, async (snapshot) => {
      await checkSnapshotSchema(snapshot, source.dialect, details.schema_version);
      await copyRows({
        snapshot,
        sourceDialect: source.dialect,
        target: target.db,
        targetLocation: target.location,
        checkpoint,
        rewrite: details.uri_rewrite,
        digestColumns: digestColumnsOfTarget,
        onProgress: emit,
      });
    });
    quiet = watch;
    // PostgreSQL plans with the statistics autovacuum gathers some time after a bulk load; until then
    // the comparison, the verify and the first API pages would run on plans made for empty tables (the
    // verify of 100,000 runs took 146 s instead of 58). MySQL and SQLite keep theirs up by themselves
    // or do not use them.
    if (target.dialect.name === 'postgres') await sql`analyze`.execute(target.db);
    await enter(details.copy_objects ? 'objects' : 'compare');
  }
  if (at('objects')) {
    await copyObjects(source.store, target.store, checkpoint, emit);
    await enter('compare');
  }
  const hash = options.hash ?? true;
  if (at('compare')) {
    await compareBoth(options, checkpoint, hash, quiet);
    await enter('verify');
  }
  at('verify');
  const verify =
    details.schema_version < latestSchemaVersion
      ? skipVerify(details.schema_version, latestSchemaVersion, emit)
      : // Objects the move left where they were are the source's own, byte for byte: reading them all again
        // would judge the store, not the move, so the verify checks their sizes only.
        await verifyTarget(options, hash && details.copy_objects, emit);
  return {
    rows: checkpoint.progress.rows,
    objects: checkpoint.progress.objects,
    bytes: checkpoint.progress.bytes,
    verify,
  };
}

/** A target at an older schema cannot be verified by this code: its tables are not the ones it reads. */
function skipVerify(schemaVersion: number, latest: number, emit: (event: MoveEvent) => void): string {
  const reason = `skipped: the schema is at version ${schemaVersion}, before this Cairn's ${latest}`;
  emit({ kind: 'verify-skipped', reason });
  return reason;
}

/** Verifies the target (see `verify-moved.ts`) and returns the report's summary; throws on new problems. */
async function verifyTarget(
  options: MoveOptions,
  hash: boolean,
  emit: (event: MoveEvent) => void,
): Promise<string> {
  const { source, target, actor } = options;
  const moved = await verifyMoved(
    { db: source.db as Kysely<CairnDatabase>, dialect: source.dialect, store: source.store },
    { db: target.db as Kysely<CairnDatabase>, dialect: target.dialect, store: target.store },
    {
      hash,
      ...(actor === undefined || actor === null ? {} : { actor }),
      onProgress: (progress) => emit({ kind: 'verify', progress }),
    },
  );
  if (moved.introducedCount > 0) {
    throw moveFailed(
      `the target's verify found ${moved.introducedCount} problem(s) the source does not have:\n` +
        moved.introduced.map((problem) => `  ${problem.kind}: ${problem.message}`).join('\n') +
        "\nrun 'cairn admin verify' on the target for the full report",
    );
  }
  const summary = verifySummary(moved.target);
  emit({ kind: 'verified', summary, inherited: moved.inherited });
  return summary;
}

/** Compares every row, then every object, of the two sides; throws when they differ. */
async function compareBoth(
  options: MoveOptions,
  checkpoint: MoveCheckpoint,
  hash: boolean,
  quiet: QuietWatch | undefined,
): Promise<void> {
  const { source, target } = options;
  const { details, progress } = checkpoint;
  const emit = (event: MoveEvent) => options.onProgress?.(event);
  // The copy's digests stand for the source only while it holds what the copy read: one snapshot, with
  // nothing written since. Otherwise (a copy resumed across snapshots, a source that cannot prove it is
  // untouched) the source is read again, and a change made during the move shows as a difference.
  const digests = progress.digests;
  const unchanged = digests !== undefined && quiet !== undefined && (await quiet.stillQuiet());
  emit({ kind: 'comparing-rows', sourceReadAgain: !unchanged });
  const copied = unchanged
    ? (table: string, columns: readonly string[]) =>
        rowDigest(progress.rows[table] ?? 0, columns, RowDigestSum.of(digests[table]))
    : undefined;
  const tables = await inSnapshot(source.db, source.dialect, async (snapshot) => {
    await checkSnapshotSchema(snapshot, source.dialect, details.schema_version);
    return compareRows({
      snapshot,
      target: target.db,
      targetLocation: target.location,
      tables: await tablesOf(snapshot, source.dialect),
      rewrite: details.uri_rewrite,
      markerId: checkpoint.id,
      ...(copied === undefined ? {} : { copied }),
      onTable: (comparison) => emit({ kind: 'compared-table', comparison }),
    });
  });
  const unequal = tables.filter((table) => !table.equal);
  if (unequal.length > 0) {
    throw moveFailed(
      `the target's rows differ from the source's in ${unequal
        .map(
          (table) =>
            `${table.table} (${table.sourceRows} rows in the source, ${table.targetRows} in the target)`,
        )
        .join(', ')}: the source changed during the move (or the target did not keep a value as given). ` +
        'Stop every Cairn process that uses the source, ' +
        'empty the target (drop and recreate its database, and empty its artifact store) and move again',
    );
  }
  if (!details.copy_objects) return;
  const objects = await compareObjects(source.store, target.store, hash, (compared) =>
    emit({ kind: 'comparing-objects', compared }),
  );
  emit({ kind: 'compared-objects', comparison: objects });
  if (objects.differing > 0) {
    throw moveFailed(
      `${objects.differing} object(s) differ between the source and the target:\n` +
        objects.differences.map((difference) => `  ${difference}`).join('\n') +
        '\nthe source changed during the move, or the target store does not keep what it is given; stop ' +
        'every Cairn process that uses the source and run the move again',
    );
  }
}

/** Throws unless the snapshot shows the schema the move began at. */
async function checkSnapshotSchema(snapshot: AnyDb, dialect: StoreDialect, expected: number): Promise<void> {
  const version = (await readStatus(snapshot, dialect)).databaseSchemaVersion;
  if (version !== expected) {
    throw moveRefused(
      `the source's schema changed during the move, from version ${expected} to ${version}. Empty the ` +
        'target (drop and recreate its database, and empty its artifact store) and move again',
    );
  }
}

function summaryOf(
  marker: MoveMarker,
  how: { finishedBefore: boolean; resumed: boolean },
  latestSchemaVersion: number,
): MoveSummary {
  const { details } = marker;
  return {
    moveId: marker.id,
    ...how,
    schemaVersion: details.schema_version,
    latestSchemaVersion,
    uriRewrite: details.uri_rewrite,
    result: details.result ?? {
      rows: details.progress.rows,
      objects: details.progress.objects,
      bytes: details.progress.bytes,
      verify: 'not recorded',
    },
  };
}
