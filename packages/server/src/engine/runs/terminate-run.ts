import type { Kysely } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { databaseNow } from '../leases/database-now.ts';
import { TASK_STATE } from '../leases/task-states.ts';
import { inWriteTransaction } from '../leases/write-transaction.ts';
import { propagate } from '../scheduler/propagate.ts';
import { schedulerContext } from '../scheduler/scheduler-context.ts';
import { lockRun } from './lock-run.ts';
import { setRunState } from './run-history.ts';
import { FINAL_RUN_STATES, RUN_STATE, type RunState } from './run-state.ts';

/**
 * Terminates a run: it moves to CANCELING, tasks that have not started are canceled, and the workers
 * running its tasks stop them at their next heartbeat (killing their process groups). The run ends
 * CANCELED once nothing of it runs. Terminating a run that has ended changes nothing.
 */
export async function terminateRun(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  runId: string,
): Promise<RunState> {
  return inWriteTransaction(db, dialect, async (trx) => {
    const now = await databaseNow(trx, dialect);
    const state = await lockRun(trx, dialect, runId);
    if (FINAL_RUN_STATES.includes(state) || state === RUN_STATE.CANCELING) return state;
    await setRunState(trx, runId, RUN_STATE.CANCELING, now);
    const waiting = await trx
      .selectFrom('tasks')
      .selectAll()
      .where('run_id', '=', runId)
      .where('state', 'in', [TASK_STATE.QUEUED, TASK_STATE.PENDING])
      .execute();
    const canceled = {
      state: TASK_STATE.CANCELED,
      error: 'the run was terminated',
      finished_at: now,
      updated_at: now,
    };
    const ctx = await schedulerContext(trx, dialect, runId, now);
    for (const row of waiting) {
      await trx.updateTable('tasks').set(canceled).where('id', '=', row.id).execute();
      await propagate(ctx, { ...row, ...canceled });
    }
    const after = await trx
      .selectFrom('runs')
      .select('state')
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    return after.state as RunState;
  });
}
