import { CairnError } from '../../errors.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import { RUN_STATE } from '../runs/run-state.ts';
import type { SchedulerContext } from './advance-dag.ts';
import { runPipeline } from './run-plans.ts';
import type { Trx } from './task-rows.ts';
import { parseValues } from './task-values.ts';

/** The context of a scheduling pass for a run, inside the transaction that changed it. */
export async function schedulerContext(
  trx: Trx,
  dialect: StoreDialect,
  runId: string,
  now: number,
): Promise<SchedulerContext> {
  const pipeline = await runPipeline(trx, runId);
  const root = await trx
    .selectFrom('tasks')
    .select(['inputs'])
    .where('run_id', '=', runId)
    .where('path', '=', 'root')
    .executeTakeFirst();
  if (root === undefined) throw new CairnError('RUN_INCONSISTENT', `run ${runId} has no root task`);
  const run = await trx
    .selectFrom('runs')
    .select(['state', 'display_name', 'created_at'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  return {
    trx,
    dialect,
    now,
    rowLocks: rowLocks(dialect),
    runId,
    canceling: run.state === RUN_STATE.CANCELING,
    run: { displayName: run.display_name, createdAt: run.created_at },
    pipeline,
    rootInputs: parseValues(root.inputs),
  };
}

/** A database that can skip locked rows can lock them: PostgreSQL and MySQL/MariaDB, not SQLite. */
export function rowLocks(dialect: StoreDialect): boolean {
  return dialect.capabilities.skipLocked;
}
