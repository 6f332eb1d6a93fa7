import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { databaseNow } from '../engine/leases/database-now.ts';
import { inWriteTransaction } from '../engine/leases/write-transaction.ts';
import { CairnError } from '../errors.ts';
import type { StoreDialect } from '../store/dialects/store-dialect.ts';
import type { CairnDatabase, ExperimentsTable } from '../store/tables.ts';
import { checkName } from './names.ts';

export type ExperimentRow = Selectable<ExperimentsTable>;

export interface NewExperiment {
  readonly displayName: string;
  readonly description?: string;
  readonly namespace?: string;
}

/**
 * Creates an experiment. Its name is unique in its namespace, as in KFP; a second one of the same name
 * is refused (409) rather than shadowing the first.
 */
export async function createExperiment(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  experiment: NewExperiment,
): Promise<ExperimentRow> {
  const name = checkName('an experiment', 'display_name', experiment.displayName);
  const namespace = experiment.namespace ?? '';
  return inWriteTransaction(db, dialect, async (trx) => {
    const existing = await trx
      .selectFrom('experiments')
      .select('id')
      .where('namespace', '=', namespace)
      .where('name', '=', name)
      .executeTakeFirst();
    if (existing) {
      throw new CairnError(
        'NAME_TAKEN',
        `an experiment named ${JSON.stringify(name)} already exists${namespace ? ` in namespace ${namespace}` : ''} (experiment_id ${existing.id})`,
      );
    }
    const row: ExperimentRow = {
      id: randomUUID(),
      namespace,
      name,
      display_name: name,
      description: experiment.description ?? null,
      storage_state: 'AVAILABLE',
      created_at: await databaseNow(trx, dialect),
      last_run_created_at: null,
    };
    await trx.insertInto('experiments').values(row).execute();
    return row;
  });
}

export async function getExperiment(db: Kysely<CairnDatabase>, id: string): Promise<ExperimentRow> {
  const row = await db.selectFrom('experiments').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw experimentNotFound(id);
  return row;
}

/**
 * Archives an experiment with everything in it, as KFP does: its runs are archived and its recurring
 * runs disabled, in one transaction.
 */
export async function archiveExperiment(db: Kysely<CairnDatabase>, dialect: StoreDialect, id: string) {
  await inWriteTransaction(db, dialect, async (trx) => {
    const now = await databaseNow(trx, dialect);
    await setStorageState(trx, id, 'ARCHIVED');
    await trx
      .updateTable('runs')
      .set({ storage_state: 'ARCHIVED', updated_at: now })
      .where('experiment_id', '=', id)
      .execute();
    await trx
      .updateTable('recurring_runs')
      .set({ enabled: 0, updated_at: now })
      .where('experiment_id', '=', id)
      .execute();
  });
}

/** Unarchives the experiment only: its runs stay archived until unarchived one by one, as in KFP. */
export async function unarchiveExperiment(db: Kysely<CairnDatabase>, dialect: StoreDialect, id: string) {
  await inWriteTransaction(db, dialect, (trx) => setStorageState(trx, id, 'AVAILABLE'));
}

/**
 * Deletes an empty experiment. KFP deletes an experiment and leaves its runs pointing nowhere; Cairn
 * keeps history whole, so an experiment that still holds runs or recurring runs is refused, with the
 * counts, and is better archived.
 */
export async function deleteExperiment(db: Kysely<CairnDatabase>, dialect: StoreDialect, id: string) {
  await inWriteTransaction(db, dialect, async (trx) => {
    await getExperiment(trx, id);
    const runs = await countWhere(trx, 'runs', id);
    const recurring = await countWhere(trx, 'recurring_runs', id);
    if (runs + recurring > 0) {
      throw new CairnError(
        'EXPERIMENT_NOT_EMPTY',
        `experiment ${id} still holds ${runs} run(s) and ${recurring} recurring run(s); ` +
          'archive it instead, or delete those first',
      );
    }
    await trx.deleteFrom('experiments').where('id', '=', id).execute();
  });
}

async function setStorageState(trx: Kysely<CairnDatabase>, id: string, state: 'AVAILABLE' | 'ARCHIVED') {
  const result = await trx
    .updateTable('experiments')
    .set({ storage_state: state })
    .where('id', '=', id)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) await getExperiment(trx, id);
}

async function countWhere(
  trx: Kysely<CairnDatabase>,
  table: 'runs' | 'recurring_runs',
  experimentId: string,
) {
  const row = await trx
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('experiment_id', '=', experimentId)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

export function experimentNotFound(id: string): CairnError {
  return new CairnError('EXPERIMENT_NOT_FOUND', `experiment ${id} does not exist`);
}
