/**
 * A restore's progress, kept in the target database itself: the restore's own `lifecycle_audit` row,
 * RUNNING until the restore is done. Each batch of rows commits together with the progress it makes, so
 * after a crash the row says exactly which rows are in; a restore of the same backup takes over from
 * there (see `restore-backup.ts`).
 */
import type { AnyDb } from '../../store/dialects/store-dialect.ts';
import type { DeferredIndex } from '../rows/deferred-indexes.ts';
import { AUDIT_OUTCOME } from './audit-record.ts';
import type { UriRewrite } from './uri-rewrite.ts';

/**
 * `objects`: objects are being stored, and rows loaded alongside; `rows`: every object is stored and rows
 * remain; `migrating`: everything is in, and the schema goes on to the version asked for.
 */
export type RestorePhase = 'objects' | 'rows' | 'migrating';

export interface RestoreProgress {
  phase: RestorePhase;
  /** Objects stored, in manifest order (the next ones may be stored too: storing one again is harmless). */
  objects_done: number;
  /** Tables fully loaded, in manifest order. */
  tables_done: number;
  /** Rows of the next table already loaded, in file order. */
  rows_done: number;
  /**
   * The lookup indexes of the next table, dropped while it loads into SQLite and made again, with the
   * progress past it, once it is in (see `rows/deferred-indexes.ts`).
   */
  deferred_indexes?: DeferredIndex[];
}

/** The marker row's `details`. */
export interface RestoreDetails {
  backup_id: string;
  archive: string;
  backup_cairn_version: string;
  schema_version: number;
  source: { dialect: string; artifact_store: string };
  target_artifact_store: string;
  uri_rewrite: UriRewrite | null;
  progress: RestoreProgress;
  /** The last failure, kept for whoever finds the restore unfinished. */
  error?: string;
}

export interface RestoreMarker {
  id: string;
  startedAt: number;
  details: RestoreDetails;
}

/** Restores that started on this database and have not finished, newest first. */
export async function unfinishedRestores(db: AnyDb): Promise<RestoreMarker[]> {
  const rows = await db
    .selectFrom('lifecycle_audit')
    .select(['id', 'started_at', 'details'])
    .where('operation', '=', 'restore')
    .where('outcome', '=', AUDIT_OUTCOME.RUNNING)
    .orderBy('started_at', 'desc')
    .execute();
  return rows.flatMap((row) => {
    const details = parseDetails(row.details);
    return details === undefined ? [] : [{ id: String(row.id), startedAt: Number(row.started_at), details }];
  });
}

function parseDetails(text: unknown): RestoreDetails | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const details = JSON.parse(text) as Partial<RestoreDetails>;
    return typeof details.backup_id === 'string' && typeof details.progress === 'object'
      ? (details as RestoreDetails)
      : undefined;
  } catch {
    return undefined;
  }
}
