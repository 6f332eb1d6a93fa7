/** What a move finds at its target, and the targets it refuses. */
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { AUDIT_OUTCOME } from '../backup/audit-record.ts';
import { countRows } from '../backup/restore-target.ts';
import { COPY_TABLES } from '../rows/copy-tables.ts';
import { moveRefused } from './move-errors.ts';
import { type MoveEnd, type MoveMarker, movesInto, sameEnd } from './move-marker.ts';

export type MoveTargetState =
  /** No Cairn rows (with or without Cairn's tables): a move starts here. */
  | { kind: 'empty' }
  /** A move from this same source that has not finished: it is resumed. */
  | { kind: 'unfinished'; marker: MoveMarker }
  /** A move from this same source that finished: there is nothing left to do. */
  | { kind: 'finished'; marker: MoveMarker };

/** Inspects the target database, throwing STORAGE_MOVE_REFUSED when it holds anything else. */
export async function inspectMoveTarget(
  db: AnyDb,
  dialect: StoreDialect,
  source: MoveEnd,
  target: MoveEnd,
): Promise<MoveTargetState> {
  if (await dialect.tableExists(db, 'lifecycle_audit')) {
    const [latest] = await movesInto(db, target);
    if (latest !== undefined) {
      const ours = sameEnd(latest.details.source, source) && sameEnd(latest.details.target, target);
      if (ours) {
        return latest.outcome === AUDIT_OUTCOME.SUCCEEDED
          ? { kind: 'finished', marker: latest }
          : { kind: 'unfinished', marker: latest };
      }
      if (latest.outcome === AUDIT_OUTCOME.RUNNING) {
        const { source: from, target: to } = latest.details;
        throw moveRefused(
          `the target database holds an unfinished move from ${from.database} and ${from.artifact_store} to ` +
            `the artifact store ${to.artifact_store}, started ${new Date(latest.startedAt).toISOString()}; ` +
            'run that move again to finish it, or empty the target (drop and recreate its database, and ' +
            'empty its artifact store) to start another',
        );
      }
    }
  }
  const held: string[] = [];
  for (const { name } of COPY_TABLES) {
    if (!(await dialect.tableExists(db, name))) continue;
    const rows = await countRows(db, name);
    if (rows > 0) held.push(`${name} (${rows} ${rows === 1 ? 'row' : 'rows'})`);
  }
  if (held.length > 0) {
    throw moveRefused(
      `the target database is not empty: it holds ${held.join(', ')}. A move only fills an empty ` +
        'database; create a new one (or drop its tables) and move into that',
    );
  }
  return { kind: 'empty' };
}

/** Throws unless the target artifact store holds no object: a move never overwrites objects it did not copy. */
export async function checkTargetStoreEmpty(store: ArtifactStore): Promise<void> {
  for await (const object of store.list('')) {
    throw moveRefused(
      `the target artifact store ${store.url} is not empty: it holds ${JSON.stringify(object.key)} and ` +
        'perhaps more. A move only fills an empty store; choose another bucket, prefix or folder',
    );
  }
}

/**
 * Throws when the two ends are the same database, or when one artifact store lies inside the other
 * (copying would list the objects it is writing).
 */
export function checkEndsApart(source: MoveEnd, target: MoveEnd): void {
  if (source.dialect === target.dialect && source.database === target.database) {
    throw moveRefused(`the target database is the source (${source.database}); move into another database`);
  }
  const [sourceBase, sourceQuery] = splitQuery(source.artifact_store);
  const [targetBase, targetQuery] = splitQuery(target.artifact_store);
  if (sourceBase === targetBase || sourceQuery !== targetQuery) return;
  if (targetBase.startsWith(`${sourceBase}/`) || sourceBase.startsWith(`${targetBase}/`)) {
    throw moveRefused(
      `the artifact stores ${source.artifact_store} and ${target.artifact_store} overlap: one is inside the ` +
        'other. Move the objects to a store outside the source, or keep the same store (leave out --to-artifacts)',
    );
  }
}

function splitQuery(url: string): [string, string] {
  const at = url.indexOf('?');
  const base = at === -1 ? url : url.slice(0, at);
  return [base.replace(/\/+$/, ''), at === -1 ? '' : url.slice(at)];
}
