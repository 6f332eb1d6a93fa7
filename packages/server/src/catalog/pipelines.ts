import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { databaseNow } from '../engine/leases/database-now.ts';
import { inWriteTransaction } from '../engine/leases/write-transaction.ts';
import { CairnError } from '../errors.ts';
import type { StoreDialect } from '../store/dialects/store-dialect.ts';
import type { CairnDatabase, PipelinesTable } from '../store/tables.ts';
import { checkName } from './names.ts';

export type PipelineRow = Selectable<PipelinesTable>;
type Db = Kysely<CairnDatabase>;

export interface NewPipeline {
  readonly name: string | undefined;
  /** The name when absent, as in KFP. */
  readonly displayName?: string;
  readonly description?: string;
  readonly namespace?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** Inserts a pipeline in the caller's write transaction; its name is unique in its namespace. */
export async function insertPipeline(trx: Db, pipeline: NewPipeline, now: number): Promise<PipelineRow> {
  const name = checkName('a pipeline', 'name', pipeline.name);
  const displayName = pipeline.displayName?.trim()
    ? checkName('a pipeline', 'display_name', pipeline.displayName)
    : name;
  const namespace = pipeline.namespace ?? '';
  const existing = await trx
    .selectFrom('pipelines')
    .select('id')
    .where('namespace', '=', namespace)
    .where('name', '=', name)
    .executeTakeFirst();
  if (existing) {
    throw new CairnError(
      'NAME_TAKEN',
      `a pipeline named ${JSON.stringify(name)} already exists${namespace ? ` in namespace ${namespace}` : ''} (pipeline_id ${existing.id}); upload a new version of it instead`,
    );
  }
  const row: PipelineRow = {
    id: randomUUID(),
    namespace,
    name,
    display_name: displayName,
    description: pipeline.description ?? null,
    created_at: now,
    tags: tagsText(pipeline.tags),
  };
  await trx.insertInto('pipelines').values(row).execute();
  return row;
}

export async function createPipeline(
  db: Db,
  dialect: StoreDialect,
  pipeline: NewPipeline,
): Promise<PipelineRow> {
  return inWriteTransaction(db, dialect, async (trx) =>
    insertPipeline(trx, pipeline, await databaseNow(trx, dialect)),
  );
}

export async function getPipeline(db: Db, id: string): Promise<PipelineRow> {
  const row = await db.selectFrom('pipelines').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw pipelineNotFound(id);
  return row;
}

export async function getPipelineByName(db: Db, namespace: string, name: string): Promise<PipelineRow> {
  const row = await db
    .selectFrom('pipelines')
    .selectAll()
    .where('namespace', '=', namespace)
    .where('name', '=', name)
    .executeTakeFirst();
  if (row === undefined) {
    throw new CairnError(
      'PIPELINE_NOT_FOUND',
      `no pipeline is named ${JSON.stringify(name)}${namespace ? ` in namespace ${namespace}` : ''}`,
    );
  }
  return row;
}

export function pipelineNotFound(id: string): CairnError {
  return new CairnError('PIPELINE_NOT_FOUND', `pipeline ${id} does not exist`);
}

/** Tags as stored: a JSON object, or null for none. */
export function tagsText(tags: Readonly<Record<string, string>> | undefined): string | null {
  return tags === undefined || Object.keys(tags).length === 0 ? null : JSON.stringify(tags);
}
