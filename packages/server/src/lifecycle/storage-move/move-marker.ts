/**
 * A storage move's checkpoint, kept in the target database itself: the move's own `lifecycle_audit` row
 * (operation `storage-move`), RUNNING until the move is done, then SUCCEEDED. Nothing is written to the
 * source.
 *
 * Each batch of rows commits in one transaction together with the progress it makes (the table and the
 * key of its last row), so after a crash at any instant the row says exactly which rows are in: a rerun
 * goes on after that key and never inserts a row twice. Objects are copied in the store's key order and
 * the progress keeps a watermark: every object up to that key is in the target (those after it may be
 * too; storing one again is harmless).
 */
import { errorMessage } from '../../errors.ts';
import type { AnyDb, DialectName } from '../../store/dialects/store-dialect.ts';
import { AUDIT_OUTCOME, updateAudit } from '../backup/audit-record.ts';
import type { UriRewrite } from '../backup/uri-rewrite.ts';
import type { Row } from '../rows/row-values.ts';

export const MOVE_OPERATION = 'storage-move';

/**
 * Rows (copied in one snapshot of the source), then objects, then the comparison of both with the
 * source, then the target's verify. A rerun resumes at the phase recorded.
 */
export type MovePhase = 'rows' | 'objects' | 'compare' | 'verify';

/** One side of a move, as recorded: where its metadata and objects are, without credentials. */
export interface MoveEnd {
  dialect: DialectName;
  /** `describeDatabase` of its location: `postgres host:5432/cairn`, `sqlite /var/lib/cairn/metadata.sqlite`. */
  database: string;
  artifact_store: string;
}

export interface MoveProgress {
  phase: MovePhase;
  /** The table being copied; those before it (in copy order) are complete. Null before the first batch. */
  table: string | null;
  /** The key columns of the last row of `table` copied. */
  after: Row | null;
  /** Rows copied, per table. */
  rows: Record<string, number>;
  /**
   * Per table, the digest sum of the rows copied (see `row-digest.ts`), in the same transactions as they
   * are. Absent from the markers of moves begun by release 0.4.0 and earlier.
   */
  digests?: Record<string, string>;
  /** Every object up to this key, in the store's listing order, is in the target. */
  objects_after: string | null;
  /** Objects and bytes up to the watermark. */
  objects: number;
  bytes: number;
}

/** The marker row's `details`. */
export interface MoveDetails {
  source: MoveEnd;
  target: MoveEnd;
  /** The source's schema version, which the target was migrated to before any row was copied. */
  schema_version: number;
  uri_rewrite: UriRewrite | null;
  /** False when the artifact store stays where it is (only the metadata moves). */
  copy_objects: boolean;
  progress: MoveProgress;
  /** The last failure, kept for whoever finds the move unfinished. */
  error?: string;
  /** What the finished move compared and found. */
  result?: MoveResult;
}

export interface MoveResult {
  rows: Record<string, number>;
  objects: number;
  bytes: number;
  verify: string;
}

export interface MoveMarker {
  id: string;
  outcome: string;
  startedAt: number;
  finishedAt: number | null;
  details: MoveDetails;
}

export const INITIAL_PROGRESS: MoveProgress = {
  phase: 'rows',
  table: null,
  after: null,
  rows: {},
  digests: {},
  objects_after: null,
  objects: 0,
  bytes: 0,
};

/** Moves recorded in `db` whose target is the database `target` names (whatever its store), newest first. */
export async function movesInto(db: AnyDb, target: MoveEnd): Promise<MoveMarker[]> {
  const rows = await db
    .selectFrom('lifecycle_audit')
    .select(['id', 'outcome', 'started_at', 'finished_at', 'details'])
    .where('operation', '=', MOVE_OPERATION)
    .orderBy('started_at', 'desc')
    .execute();
  return rows.flatMap((row) => {
    const details = parseDetails(row.details);
    if (details === undefined || !sameDatabase(details.target, target)) return [];
    return [
      {
        id: String(row.id),
        outcome: String(row.outcome),
        startedAt: Number(row.started_at),
        finishedAt: row.finished_at === null ? null : Number(row.finished_at),
        details,
      },
    ];
  });
}

export function sameDatabase(a: MoveEnd, b: MoveEnd): boolean {
  return a.dialect === b.dialect && a.database === b.database;
}

export function sameEnd(a: MoveEnd, b: MoveEnd): boolean {
  return sameDatabase(a, b) && a.artifact_store === b.artifact_store;
}

function parseDetails(text: unknown): MoveDetails | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const details = JSON.parse(text) as Partial<MoveDetails>;
    return typeof details.source === 'object' &&
      typeof details.target === 'object' &&
      typeof details.progress === 'object'
      ? (details as MoveDetails)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The marker of the move under way, and its progress as last committed. */
export class MoveCheckpoint {
  readonly #db: AnyDb;
  readonly #marker: MoveMarker;
  #progress: MoveProgress;

  constructor(db: AnyDb, marker: MoveMarker) {
    this.#db = db;
    this.#marker = marker;
    this.#progress = marker.details.progress;
  }

  get id(): string {
    return this.#marker.id;
  }

  get details(): MoveDetails {
    return this.#marker.details;
  }

  get progress(): MoveProgress {
    return this.#progress;
  }

  /**
   * Writes `progress` through `db`: a transaction on the target that also holds the rows it counts. Call
   * `settle` once that transaction has committed.
   */
  async write(progress: MoveProgress, db: AnyDb): Promise<void> {
    await updateAudit(db, this.id, { details: this.#details(progress) });
  }

  settle(progress: MoveProgress): void {
    this.#progress = progress;
  }

  /** Writes and settles `progress` on its own. */
  async advance(progress: MoveProgress): Promise<void> {
    await this.write(progress, this.#db);
    this.settle(progress);
  }

  async succeed(result: MoveResult): Promise<void> {
    await updateAudit(this.#db, this.id, {
      outcome: AUDIT_OUTCOME.SUCCEEDED,
      finishedAt: Date.now(),
      details: { ...this.#details(this.#progress), result },
    });
  }

  /** Keeps the failure in the marker, which stays RUNNING: the move is unfinished, not abandoned. */
  async recordFailure(error: unknown): Promise<void> {
    const details = { ...this.#details(this.#progress), error: errorMessage(error) };
    // The database may be what failed; the error itself matters more than recording it.
    await updateAudit(this.#db, this.id, { details }).catch(() => undefined);
  }

  #details(progress: MoveProgress): MoveDetails {
    const { error: _previous, ...details } = this.#marker.details;
    return { ...details, progress };
  }
}
