import type { Kysely } from 'kysely';
import { inWriteTransaction } from '../engine/leases/write-transaction.ts';
import { CairnError } from '../errors.ts';
import type { StoreDialect } from '../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../store/tables.ts';
import { deleteVersionRow } from './pipeline-versions.ts';
import { getPipeline } from './pipelines.ts';

type Db = Kysely<CairnDatabase>;

/**
 * Deletes a pipeline. One with versions is refused unless `cascade`, as in KFP; with it, each version
 * goes as `deletePipelineVersion` would take it (runs detached, refused while a recurring run uses it),
 * all in one transaction.
 */
export async function deletePipeline(
  db: Db,
  dialect: StoreDialect,
  id: string,
  cascade: boolean,
): Promise<void> {
  await inWriteTransaction(db, dialect, async (trx) => {
    await getPipeline(trx, id);
    const versions = await trx
      .selectFrom('pipeline_versions')
      .select('id')
      .where('pipeline_id', '=', id)
      .execute();
    if (versions.length > 0 && !cascade) {
      throw new CairnError(
        'PIPELINE_NOT_EMPTY',
        `pipeline ${id} has ${versions.length} version(s); delete them first, or delete with cascade=true`,
      );
    }
    for (const version of versions) await deleteVersionRow(trx, id, version.id);
    // Runs keep their own copy of the spec: they stay, no longer linked to the pipeline.
    await trx.updateTable('runs').set({ pipeline_id: null }).where('pipeline_id', '=', id).execute();
    await trx.deleteFrom('pipelines').where('id', '=', id).execute();
  });
}
