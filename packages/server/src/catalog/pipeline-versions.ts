import { createHash, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { databaseNow } from '../engine/leases/database-now.ts';
import { inWriteTransaction } from '../engine/leases/write-transaction.ts';
import { pipelineFromText } from '../engine/scheduler/run-plans.ts';
import { CairnError } from '../errors.ts';
import type { StoreDialect } from '../store/dialects/store-dialect.ts';
import type { CairnDatabase, PipelineVersionsTable } from '../store/tables.ts';
import { checkName } from './names.ts';
import { getPipeline, type PipelineRow, tagsText } from './pipelines.ts';

export type PipelineVersionRow = Selectable<PipelineVersionsTable>;
type Db = Kysely<CairnDatabase>;

export interface NewPipelineVersion {
  /** The pipeline's own name for its first version, as KFP's upload does; required after that. */
  readonly name?: string;
  readonly displayName?: string;
  readonly description?: string;
  /** The compiled pipeline as given: YAML or JSON, one document or a PipelineSpec and a PlatformSpec. */
  readonly specText: string;
  readonly packageUrl?: string;
  readonly codeSourceUrl?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Inserts a version in the caller's write transaction. The spec must load, validate and plan, or the
 * version is refused with every problem found (PIPELINE_INVALID): what is stored can always run.
 */
export async function insertPipelineVersion(
  trx: Db,
  pipeline: PipelineRow,
  version: NewPipelineVersion,
  now: number,
): Promise<PipelineVersionRow> {
  if (version.specText.includes('\u0000')) {
    // The API refuses NUL in JSON; an uploaded file is read here. No database is given one (PostgreSQL cannot store it).
    throw new CairnError(
      'PIPELINE_INVALID',
      'the pipeline spec contains a NUL character (\\u0000); no spec can',
    );
  }
  const { spec } = pipelineFromText(version.specText);
  const existing = await trx
    .selectFrom('pipeline_versions')
    .select(['id', 'name'])
    .where('pipeline_id', '=', pipeline.id)
    .execute();
  const name =
    (version.name?.trim() ?? '') !== '' || existing.length > 0
      ? checkName('a pipeline version', 'name', version.name)
      : pipeline.name;
  const taken = existing.find((row) => row.name === name);
  if (taken) {
    throw new CairnError(
      'NAME_TAKEN',
      `pipeline ${pipeline.id} already has a version named ${JSON.stringify(name)} (pipeline_version_id ${taken.id})`,
    );
  }
  const row: PipelineVersionRow = {
    id: randomUUID(),
    pipeline_id: pipeline.id,
    name,
    display_name: version.displayName?.trim()
      ? checkName('a pipeline version', 'display_name', version.displayName)
      : name,
    description: version.description ?? null,
    spec: version.specText,
    spec_sha256: createHash('sha256').update(version.specText).digest('hex'),
    spec_schema_version: spec.schemaVersion ?? null,
    sdk_version: spec.sdkVersion ?? null,
    package_url: version.packageUrl ?? null,
    code_source_url: version.codeSourceUrl ?? null,
    created_at: now,
    tags: tagsText(version.tags),
  };
  await trx.insertInto('pipeline_versions').values(row).execute();
  return row;
}

export async function createPipelineVersion(
  db: Db,
  dialect: StoreDialect,
  pipelineId: string,
  version: NewPipelineVersion,
): Promise<PipelineVersionRow> {
  return inWriteTransaction(db, dialect, async (trx) =>
    insertPipelineVersion(trx, await getPipeline(trx, pipelineId), version, await databaseNow(trx, dialect)),
  );
}

export async function getPipelineVersion(
  db: Db,
  pipelineId: string,
  versionId: string,
): Promise<PipelineVersionRow> {
  const row = await db
    .selectFrom('pipeline_versions')
    .selectAll()
    .where('id', '=', versionId)
    .where('pipeline_id', '=', pipelineId)
    .executeTakeFirst();
  if (row !== undefined) return row;
  await getPipeline(db, pipelineId);
  throw versionNotFound(pipelineId, versionId);
}

/** The pipeline's newest version: what a reference without a version id means, as in KFP. */
export async function getLatestPipelineVersion(db: Db, pipelineId: string): Promise<PipelineVersionRow> {
  const row = await db
    .selectFrom('pipeline_versions')
    .selectAll()
    .where('pipeline_id', '=', pipelineId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row !== undefined) return row;
  await getPipeline(db, pipelineId);
  throw new CairnError('PIPELINE_VERSION_NOT_FOUND', `pipeline ${pipelineId} has no versions`);
}

/**
 * Deletes a version. Its runs keep their own copy of the spec, so they stay, unlinked from it; a
 * recurring run still firing from it would break, so the version is refused while one does.
 */
export async function deletePipelineVersion(
  db: Db,
  dialect: StoreDialect,
  pipelineId: string,
  versionId: string,
): Promise<void> {
  await inWriteTransaction(db, dialect, (trx) => deleteVersionRow(trx, pipelineId, versionId));
}

/** Deletes a version in the caller's write transaction (see `deletePipelineVersion`). */
export async function deleteVersionRow(trx: Db, pipelineId: string, versionId: string): Promise<void> {
  await getPipelineVersion(trx, pipelineId, versionId);
  const recurring = await trx
    .selectFrom('recurring_runs')
    .select(['id', 'display_name'])
    .where('pipeline_version_id', '=', versionId)
    .execute();
  if (recurring.length > 0) {
    const named = recurring.map((row) => `${row.display_name} (${row.id})`).join(', ');
    throw new CairnError(
      'PIPELINE_VERSION_IN_USE',
      `pipeline version ${versionId} is used by ${recurring.length} recurring run(s): ${named}; delete them first`,
    );
  }
  await trx
    .updateTable('runs')
    .set({ pipeline_version_id: null })
    .where('pipeline_version_id', '=', versionId)
    .execute();
  await trx.deleteFrom('pipeline_versions').where('id', '=', versionId).execute();
}

function versionNotFound(pipelineId: string, versionId: string): CairnError {
  return new CairnError('PIPELINE_VERSION_NOT_FOUND', `pipeline ${pipelineId} has no version ${versionId}`);
}
