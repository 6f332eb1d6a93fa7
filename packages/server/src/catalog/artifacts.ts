import type { ExpressionBuilder, Kysely } from 'kysely';
import { EVENT_KIND } from '../engine/lineage/lineage-vocabulary.ts';
import {
  ARTIFACT_COLUMNS,
  type ArtifactView,
  artifactView,
} from '../engine/lineage/queries/lineage-views.ts';
import { CairnError } from '../errors.ts';
import type { ArtifactsTable, CairnDatabase } from '../store/tables.ts';

/** An artifact row as the API serves it: the lineage's view, with what only the catalog reads. */
export interface ArtifactRecord extends ArtifactView {
  readonly updatedAt: number;
  /** The namespace of the run that first output it; null once that run is deleted (or never was). */
  readonly namespace: string | null;
}

/** The columns artifacts are ordered by (KFP's CREATE_TIME, LAST_UPDATE_TIME and ID). */
export type ArtifactOrderColumn = 'created_at' | 'updated_at' | 'id';

export interface ArtifactPageRequest {
  /** Only the artifacts of runs in this namespace ('' is the default namespace and unknown runs). */
  readonly namespace: string;
  /** Only the artifacts this run's executions output (cached outputs included). */
  readonly runId?: string;
  readonly orderBy: ArtifactOrderColumn;
  readonly descending: boolean;
  readonly pageSize: number;
  /** Where the previous page ended: its last row's id, and its time when ordered by one. */
  readonly after?: { readonly id: string; readonly time?: number };
}

export interface ArtifactPage {
  readonly records: ArtifactRecord[];
  /** There are rows after the last record. */
  readonly more: boolean;
}

type Scope = ExpressionBuilder<CairnDatabase & { a: ArtifactsTable }, 'a'>;

/**
 * The namespace of the run whose execution output the artifact first. A cached execution outputs the
 * original's artifacts again, so the first output is the one that made it.
 */
function producerNamespace(eb: Scope) {
  return eb
    .selectFrom('events as ev')
    .innerJoin('executions as e', 'e.id', 'ev.execution_id')
    .innerJoin('runs as r', 'r.id', 'e.run_id')
    .select('r.namespace')
    .whereRef('ev.artifact_id', '=', 'a.id')
    .where('ev.kind', '=', EVENT_KIND.OUTPUT)
    .orderBy('e.created_at')
    .orderBy('e.id')
    .limit(1);
}

function selectArtifacts(db: Kysely<CairnDatabase>) {
  return db
    .selectFrom('artifacts as a')
    .select([...ARTIFACT_COLUMNS, 'a.updated_at'])
    .select((eb) => producerNamespace(eb).as('namespace'));
}

function toRecord(row: Awaited<ReturnType<ReturnType<typeof selectArtifacts>['execute']>>[number]) {
  return {
    ...artifactView(row),
    updatedAt: Number(row.updated_at),
    namespace: row.namespace ?? null,
  };
}

export function artifactNotFound(id: string): CairnError {
  return new CairnError('ARTIFACT_NOT_FOUND', `artifact ${id} does not exist`);
}

export async function getArtifact(db: Kysely<CairnDatabase>, id: string): Promise<ArtifactRecord> {
  const row = await selectArtifacts(db).where('a.id', '=', id).executeTakeFirst();
  if (row === undefined) throw artifactNotFound(id);
  return toRecord(row);
}

/** One page of artifacts, ordered by the column and then the id, both in the same direction. */
export async function listArtifacts(
  db: Kysely<CairnDatabase>,
  request: ArtifactPageRequest,
): Promise<ArtifactPage> {
  const column = `a.${request.orderBy}` as const;
  const direction = request.descending ? 'desc' : 'asc';
  let query = selectArtifacts(db).where((eb) =>
    eb(eb.fn.coalesce(producerNamespace(eb), eb.val('')), '=', request.namespace),
  );
  const { runId, after } = request;
  if (runId !== undefined) {
    query = query.where('a.id', 'in', (eb) =>
      eb
        .selectFrom('events as ev')
        .innerJoin('executions as e', 'e.id', 'ev.execution_id')
        .select('ev.artifact_id')
        .where('e.run_id', '=', runId)
        .where('ev.kind', '=', EVENT_KIND.OUTPUT),
    );
  }
  if (after !== undefined) {
    const beyond = request.descending ? '<' : '>';
    query = query.where((eb) =>
      column === 'a.id' || after.time === undefined
        ? eb('a.id', beyond, after.id)
        : eb.or([
            eb(column, beyond, after.time),
            eb.and([eb(column, '=', after.time), eb('a.id', beyond, after.id)]),
          ]),
    );
  }
  const rows = await query
    .orderBy(column, direction)
    .orderBy('a.id', direction)
    .limit(request.pageSize + 1)
    .execute();
  return { records: rows.slice(0, request.pageSize).map(toRecord), more: rows.length > request.pageSize };
}
