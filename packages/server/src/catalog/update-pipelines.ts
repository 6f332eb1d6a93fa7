import type { Kysely } from 'kysely';
import { inWriteTransaction } from '../engine/leases/write-transaction.ts';
import { CairnError } from '../errors.ts';
import type { StoreDialect } from '../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../store/tables.ts';
import { checkName } from './names.ts';
import { getPipelineVersion, type PipelineVersionRow } from './pipeline-versions.ts';
import { getPipeline, type PipelineRow, tagsText } from './pipelines.ts';

/**
 * KFP's mutable fields of a pipeline and of a version: the display name and the tags. Absent means
 * unchanged; empty tags clear them.
 */
export interface MutableFields {
  readonly displayName?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * The other fields the client sent, by wire name. Each must equal what is stored: a request that
   * would change one is refused rather than half applied.
   */
  readonly unchanged: Readonly<Record<string, string | undefined>>;
}

export async function updatePipeline(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  id: string,
  fields: MutableFields,
): Promise<PipelineRow> {
  return inWriteTransaction(db, dialect, async (trx) => {
    const row = await getPipeline(trx, id);
    checkUnchanged('a pipeline', fields.unchanged, {
      name: row.name,
      description: row.description ?? undefined,
      namespace: row.namespace,
    });
    const changes = changesOf('a pipeline', fields);
    if (Object.keys(changes).length > 0) {
      await trx.updateTable('pipelines').set(changes).where('id', '=', id).execute();
    }
    return { ...row, ...changes };
  });
}

export async function updatePipelineVersion(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  pipelineId: string,
  versionId: string,
  fields: MutableFields,
): Promise<PipelineVersionRow> {
  return inWriteTransaction(db, dialect, async (trx) => {
    const row = await getPipelineVersion(trx, pipelineId, versionId);
    checkUnchanged('a pipeline version', fields.unchanged, {
      name: row.name,
      description: row.description ?? undefined,
      code_source_url: row.code_source_url ?? undefined,
      'package_url.pipeline_url': row.package_url ?? undefined,
    });
    const changes = changesOf('a pipeline version', fields);
    if (Object.keys(changes).length > 0) {
      await trx.updateTable('pipeline_versions').set(changes).where('id', '=', versionId).execute();
    }
    return { ...row, ...changes };
  });
}

function changesOf(resource: string, fields: MutableFields) {
  return {
    ...(fields.displayName === undefined
      ? {}
      : { display_name: checkName(resource, 'display_name', fields.displayName) }),
    ...(fields.tags === undefined ? {} : { tags: tagsText(fields.tags) }),
  };
}

function checkUnchanged(
  resource: string,
  sent: Readonly<Record<string, string | undefined>>,
  stored: Readonly<Record<string, string | undefined>>,
) {
  for (const [field, value] of Object.entries(sent)) {
    if (value === undefined || value === (stored[field] ?? '')) continue;
    throw new CairnError(
      'FIELD_IMMUTABLE',
      `${field} of ${resource} cannot be changed (it is ${JSON.stringify(stored[field] ?? '')}, the request ` +
        `sets ${JSON.stringify(value)}); only display_name and tags can be updated`,
    );
  }
}
