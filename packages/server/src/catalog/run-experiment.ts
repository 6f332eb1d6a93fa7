import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { databaseClock } from '../engine/leases/database-clock.ts';
import { skipDuplicateKeys } from '../engine/lineage/skip-duplicate-keys.ts';
import { CairnError } from '../errors.ts';
import type { StoreDialect } from '../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../store/tables.ts';
import { experimentNotFound } from './experiments.ts';

/** KFP's experiment for runs created without one, made on first use. */
export const DEFAULT_EXPERIMENT_NAME = 'Default';
const DEFAULT_EXPERIMENT_DESCRIPTION =
  'All runs created without specifying an experiment will be grouped here.';

/** The experiment a run joins, with its `last_run_created_at` as read (null when it has no run yet). */
export interface RunExperiment {
  readonly experimentId: string;
  readonly lastRunCreatedAt: number | null;
  readonly now: number;
}

/**
 * The experiment a new run or recurring run joins, in the caller's write transaction: the one named,
 * which must exist and not be archived (as KFP refuses), or the default experiment. `what` names the
 * resource in messages. The database's clock (which creating the default experiment needs) is read in
 * the same statement: creating a run needs both before anything else, and on a server the round trip
 * costs more than either.
 */
export async function experimentForRunNow(
  trx: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  experimentId: string | undefined,
  what: string,
): Promise<RunExperiment> {
  const read = await trx
    .selectFrom(trx.selectNoFrom(sql<number>`1`.as('one')).as('clock'))
    .leftJoin('experiments', (join) =>
      named(experimentId)
        ? join.on('experiments.id', '=', experimentId)
        : join.on('experiments.namespace', '=', '').on('experiments.name', '=', DEFAULT_EXPERIMENT_NAME),
    )
    .select([
      databaseClock(dialect.name).as('now'),
      'experiments.id',
      'experiments.storage_state',
      'experiments.last_run_created_at',
    ])
    // The run's insert would share-lock the experiment and its last_run_created_at update then wait.
    .$if(dialect.capabilities.foreignKeysShareLockParent, (query) => query.forUpdate())
    .executeTakeFirstOrThrow();
  const now = Number(read.now);
  if (!Number.isSafeInteger(now)) throw new Error(`the database returned no usable clock reading (${now})`);
  const row =
    read.id !== null && read.storage_state !== null
      ? { id: read.id, storage_state: read.storage_state, last_run_created_at: read.last_run_created_at }
      : named(experimentId)
        ? undefined
        : await defaultExperiment(trx, dialect, now);
  return {
    experimentId: joinable(row, experimentId, what),
    lastRunCreatedAt: row?.last_run_created_at ?? null,
    now,
  };
}

/**
 * Moves the experiment's `last_run_created_at` on to a run created at `now`, in the run's write
 * transaction. KFP keeps it to the second, and so does Cairn: only the first run of each second in an
 * experiment writes the experiment's row. Writing it for every run made concurrent creates in one
 * experiment queue on that row's lock through each other's commits. The update only moves forward, so
 * the row keeps the newest second whichever transaction commits first. `known` is the value the caller
 * read in this transaction, when it read one: a row already at this second needs no statement at all.
 */
export async function noteRunCreated(
  trx: Kysely<CairnDatabase>,
  experimentId: string,
  now: number,
  known?: number | null,
): Promise<void> {
  const second = now - (now % 1000);
  if (known !== undefined && known !== null && known >= second) return;
  await trx
    .updateTable('experiments')
    .set({ last_run_created_at: second })
    .where('id', '=', experimentId)
    .where((eb) => eb.or([eb('last_run_created_at', 'is', null), eb('last_run_created_at', '<', second)]))
    .execute();
}

function named(experimentId: string | undefined): experimentId is string {
  return experimentId !== undefined && experimentId !== '';
}

function joinable(
  row: { id: string; storage_state: string } | undefined,
  experimentId: string | undefined,
  what: string,
): string {
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
      .select(['id', 'storage_state', 'last_run_created_at'])
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
