import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { skipDuplicateKeys } from '../engine/lineage/skip-duplicate-keys.ts';
import { CairnError } from '../errors.ts';
import type { StoreDialect } from '../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../store/tables.ts';
import { experimentNotFound } from './experiments.ts';

/** KFP's experiment for runs created without one, made on first use. */
export const DEFAULT_EXPERIMENT_NAME = 'Default';
const DEFAULT_EXPERIMENT_DESCRIPTION =
  'All runs created without specifying an experiment will be grouped here.';

/**
 * The experiment a new run or recurring run joins, in the caller's write transaction: the one named,
 * which must exist and not be archived (as KFP refuses), or the default experiment. `what` names the
 * resource in messages.
 */
export async function experimentForRun(
  trx: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  experimentId: string | undefined,
  now: number,
  what: string,
): Promise<string> {
  const row =
    experimentId === undefined || experimentId === ''
      ? await defaultExperiment(trx, dialect, now)
      : await trx
          .selectFrom('experiments')
          .select(['id', 'storage_state'])
          .where('id', '=', experimentId)
          .executeTakeFirst();
  if (row === undefined) throw experimentNotFound(experimentId ?? '');
  if (row.storage_state === 'ARCHIVED') {
    throw new CairnError(
      'EXPERIMENT_ARCHIVED',
      `experiment ${row.id} is archived; unarchive it before adding a ${what} to it`,
    );
  }
  return row.id;
}

/**
 * The default experiment, created if missing. Two first runs may race to create it: the unique name
 * lets one insert win and the other reads the winner's row (see `skipDuplicateKeys`).
 */
async function defaultExperiment(trx: Kysely<CairnDatabase>, dialect: StoreDialect, now: number) {
  const find = () =>
    trx
      .selectFrom('experiments')
      .select(['id', 'storage_state'])
      .where('namespace', '=', '')
      .where('name', '=', DEFAULT_EXPERIMENT_NAME)
      .executeTakeFirst();
  const existing = await find();
  if (existing !== undefined) return existing;
  await skipDuplicateKeys(
    trx.insertInto('experiments').values({
      id: randomUUID(),
      namespace: '',
      name: DEFAULT_EXPERIMENT_NAME,
      display_name: DEFAULT_EXPERIMENT_NAME,
      description: DEFAULT_EXPERIMENT_DESCRIPTION,
      storage_state: 'AVAILABLE',
      created_at: now,
      last_run_created_at: null,
    }),
    dialect,
    'name',
  ).execute();
  return find();
}
