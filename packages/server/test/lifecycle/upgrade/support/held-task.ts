/**
 * A run in flight whose first task a worker holds under a long lease, as the worker of a running Cairn
 * would: an upgrade's drain waits for it. The test plays that worker, so it decides when the task is
 * given back (as a worker told to stop for maintenance gives it back).
 */
import assert from 'node:assert/strict';
import { compile, containerComponent, pipeline } from '@cairn/sdk';
import type { Kysely } from 'kysely';
import { claimTasks } from '../../../../src/engine/leases/claim-tasks.ts';
import { handBackTask } from '../../../../src/engine/leases/hand-back-task.ts';
import { createRun } from '../../../../src/engine/runs/create-run.ts';
import type { StoreDialect } from '../../../../src/store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../../../src/store/tables.ts';

const SPEC = compile(
  pipeline({ name: 'in-flight' }, () => {
    containerComponent({ name: 'work', image: 'alpine', command: ['true'] })().setCachingOptions(false);
  }),
);

export interface HeldTask {
  /** Gives the task back to the queue; false when it was no longer held. */
  handBack(): Promise<boolean>;
}

export async function holdRunningTask(db: Kysely<CairnDatabase>, dialect: StoreDialect): Promise<HeldTask> {
  await createRun(db, dialect, { displayName: 'in flight during the upgrade', pipelineSpec: SPEC });
  const [task] = await claimTasks(db, dialect, { owner: 'a running worker', limit: 1, leaseMs: 10 * 60_000 });
  assert.ok(task, 'the run has a task to claim');
  return { handBack: () => handBackTask(db, dialect, { taskId: task.id, token: task.lease_token }) };
}
