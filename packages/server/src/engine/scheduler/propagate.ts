import { setRunState } from '../runs/run-history.ts';
import { RUN_STATE, type RunState } from '../runs/run-state.ts';
import { advanceDag, advanceIterator, type SchedulerContext } from './advance-dag.ts';
import { TASK_KIND } from './task-kinds.ts';
import { isFinal, lockTask, type TaskRow } from './task-rows.ts';

/**
 * After a task ends: advance its DAG (or loop), and each enclosing one that ends in turn, up to the root,
 * whose end ends the run. Runs in the transaction that recorded the task's end, so the run never sits
 * with a finished task whose consequences were lost.
 */
export async function propagate(ctx: SchedulerContext, ended: TaskRow): Promise<void> {
  let current = ended;
  while (isFinal(current) && current.parent_task_id !== null) {
    // Locked before its children are read, so a sibling ending at the same moment waits its turn.
    const parent = await lockTask(ctx.trx, current.parent_task_id, ctx.rowLocks);
    if (parent === undefined) return;
    current =
      parent.kind === TASK_KIND.ITERATOR ? await advanceIterator(ctx, parent) : await advanceDag(ctx, parent);
  }
  if (isFinal(current) && current.kind === TASK_KIND.ROOT) {
    const state = ctx.canceling ? RUN_STATE.CANCELED : (current.state as RunState);
    await setRunState(ctx.trx, ctx.runId, state, ctx.now, current.error);
  }
}
