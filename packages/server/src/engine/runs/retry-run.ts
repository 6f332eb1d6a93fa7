import type { Kysely } from 'kysely';
import { CairnError } from '../../errors.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { databaseNow } from '../leases/database-now.ts';
import { TASK_STATE } from '../leases/task-states.ts';
import { inWriteTransaction } from '../leases/write-transaction.ts';
import { advanceDag, advanceIterator } from '../scheduler/advance-dag.ts';
import { propagate } from '../scheduler/propagate.ts';
import { schedulerContext } from '../scheduler/scheduler-context.ts';
import { holdsDag, TASK_KIND } from '../scheduler/task-kinds.ts';
import { lockRun } from './lock-run.ts';
import { setRunState } from './run-history.ts';
import { RUN_STATE, type RunState } from './run-state.ts';

const RETRIABLE: readonly string[] = [RUN_STATE.FAILED, RUN_STATE.CANCELED];
const NOT_SUCCEEDED: readonly string[] = [TASK_STATE.FAILED, TASK_STATE.CANCELED];

/**
 * Retries a failed or terminated run in place: the tasks that succeeded keep their results and do not run
 * again; the ones that failed or were canceled, and those skipped because of them, are scheduled anew;
 * the DAGs and loops above them reopen. One transaction, like every change to a run.
 */
export async function retryRun(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  runId: string,
): Promise<RunState> {
  return inWriteTransaction(db, dialect, async (trx) => {
    const now = await databaseNow(trx, dialect);
    const state = await lockRun(trx, dialect, runId);
    if (!RETRIABLE.includes(state)) {
      throw new CairnError(
        'RUN_NOT_RETRIABLE',
        `run ${runId} is ${state}; only a FAILED or CANCELED run can be retried`,
      );
    }
    const rows = await trx.selectFrom('tasks').selectAll().where('run_id', '=', runId).execute();
    // A task that did not succeed, or was skipped because an upstream task did not, is scheduled anew:
    // its row goes, and the pass over its DAG creates it again with fresh inputs.
    const redo = rows.filter(
      (row) =>
        !holdsDag(row.kind) &&
        row.kind !== TASK_KIND.ITERATOR &&
        (NOT_SUCCEEDED.includes(row.state) ||
          (row.state === TASK_STATE.SKIPPED && (row.error ?? '').startsWith('not run: upstream'))),
    );
    const reopen = rows.filter(
      (row) => (holdsDag(row.kind) || row.kind === TASK_KIND.ITERATOR) && NOT_SUCCEEDED.includes(row.state),
    );
    if (redo.length > 0) {
      await trx
        .deleteFrom('tasks')
        .where(
          'id',
          'in',
          redo.map((row) => row.id),
        )
        .execute();
    }
    const reopened = {
      state: TASK_STATE.RUNNING,
      error: null,
      outputs: null,
      finished_at: null,
      updated_at: now,
    };
    for (const row of reopen) await trx.updateTable('tasks').set(reopened).where('id', '=', row.id).execute();
    await setRunState(trx, runId, RUN_STATE.RUNNING, now);
    const ctx = await schedulerContext(trx, dialect, runId, now);
    // Deepest first, so each DAG sees its reopened children already advanced.
    const ordered = [...reopen].sort((a, b) => b.path.split('/').length - a.path.split('/').length);
    for (const row of ordered) {
      const current = { ...row, ...reopened };
      const advanced =
        row.kind === TASK_KIND.ITERATOR
          ? await advanceIterator(ctx, current)
          : await advanceDag(ctx, current);
      if (row.kind === TASK_KIND.ROOT) await propagate(ctx, advanced);
    }
    const after = await trx
      .selectFrom('runs')
      .select('state')
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    return after.state as RunState;
  });
}
