import type { Kysely, Selectable } from 'kysely';
import { databaseNow } from '../engine/leases/database-now.ts';
import { inWriteTransaction } from '../engine/leases/write-transaction.ts';
import { lockRun } from '../engine/runs/lock-run.ts';
import { FINAL_RUN_STATES } from '../engine/runs/run-state.ts';
import { CairnError } from '../errors.ts';
import type { StoreDialect } from '../store/dialects/store-dialect.ts';
import type { CairnDatabase, RunsTable } from '../store/tables.ts';

export type RunRow = Selectable<RunsTable>;

/** A list page reads every column but the spec, which only GetRun returns. */
export const RUN_LIST_COLUMNS = [
  'id',
  'namespace',
  'experiment_id',
  'display_name',
  'description',
  'pipeline_id',
  'pipeline_version_id',
  'runtime_config',
  'service_account',
  'recurring_run_id',
  'state',
  'error',
  'storage_state',
  'created_at',
  'scheduled_at',
  'started_at',
  'finished_at',
  'updated_at',
] as const;

export async function getRun(db: Kysely<CairnDatabase>, id: string): Promise<RunRow> {
  const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw runNotFound(id);
  return row;
}

export async function archiveRun(db: Kysely<CairnDatabase>, dialect: StoreDialect, id: string) {
  await inWriteTransaction(db, dialect, async (trx) => {
    await getRun(trx, id);
    await setStorageState(trx, dialect, id, 'ARCHIVED');
  });
}

/** Unarchives a run, unless its experiment is archived: KFP refuses that too, the run would be hidden. */
export async function unarchiveRun(db: Kysely<CairnDatabase>, dialect: StoreDialect, id: string) {
  await inWriteTransaction(db, dialect, async (trx) => {
    const run = await getRun(trx, id);
    if (run.experiment_id !== null) {
      const experiment = await trx
        .selectFrom('experiments')
        .select('storage_state')
        .where('id', '=', run.experiment_id)
        .executeTakeFirst();
      if (experiment?.storage_state === 'ARCHIVED') {
        throw new CairnError(
          'EXPERIMENT_ARCHIVED',
          `run ${id} is in experiment ${run.experiment_id}, which is archived; unarchive the experiment first`,
        );
      }
    }
    await setStorageState(trx, dialect, id, 'AVAILABLE');
  });
}

/**
 * Deletes a run that has ended, with its tasks and state history. What its tasks produced stays in the
 * lineage (executions, artifacts and events outlive the run, unlinked from it). A run still in flight
 * is refused: deleting it would leave workers running tasks nothing tracks, so it must be terminated
 * first.
 */
export async function deleteRun(db: Kysely<CairnDatabase>, dialect: StoreDialect, id: string) {
  await inWriteTransaction(db, dialect, async (trx) => {
    const state = await lockRun(trx, dialect, id);
    if (!FINAL_RUN_STATES.includes(state)) {
      throw new CairnError(
        'RUN_ACTIVE',
        `run ${id} is ${state}; terminate it and wait for it to end before deleting it`,
      );
    }
    await trx.deleteFrom('runs').where('id', '=', id).execute();
  });
}

async function setStorageState(
  trx: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  id: string,
  state: 'AVAILABLE' | 'ARCHIVED',
) {
  await trx
    .updateTable('runs')
    .set({ storage_state: state, updated_at: await databaseNow(trx, dialect) })
    .where('id', '=', id)
    .execute();
}

export function runNotFound(id: string): CairnError {
  return new CairnError('RUN_NOT_FOUND', `run ${id} does not exist`);
}
