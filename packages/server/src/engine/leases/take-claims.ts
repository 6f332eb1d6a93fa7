import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { CairnDatabase, TasksTable } from '../../store/tables.ts';
import { claimUpdate } from './queries/claim-update.ts';
import type { TASK_STATE } from './task-states.ts';

type LeaseColumns =
  | 'state'
  | 'lease_token'
  | 'lease_owner'
  | 'lease_expires_at'
  | 'heartbeat_at'
  | 'started_at';

/** A task row as its claim left it: RUNNING, with the lease the claimer now holds. */
export type ClaimedTask = Omit<Selectable<TasksTable>, LeaseColumns> & {
  state: typeof TASK_STATE.RUNNING;
  /** Pass it to `heartbeat`, `completeTask` and `releaseTask`: they only apply while it is the task's. */
  lease_token: string;
  lease_owner: string;
  lease_expires_at: number;
  heartbeat_at: number;
  started_at: number;
};

export interface LeaseTerms {
  owner: string;
  leaseMs: number;
  /** The database clock, read once in the claiming transaction. */
  now: number;
  newAttempt: boolean;
}

/**
 * Gives each chosen task, locked by the calling transaction, a lease with its own token, and reads the
 * rows back in the order given.
 */
export async function takeClaims(
  trx: Kysely<CairnDatabase>,
  taskIds: readonly string[],
  terms: LeaseTerms,
): Promise<ClaimedTask[]> {
  if (taskIds.length === 0) return [];
  const tokens = new Map<string, string>();
  for (const taskId of taskIds) {
    const token = randomUUID();
    tokens.set(taskId, token);
    await claimUpdate(trx, { taskId, token, ...terms }).execute();
  }
  const rows = await trx.selectFrom('tasks').selectAll().where('id', 'in', taskIds).execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return taskIds.map((taskId) => {
    const row = byId.get(taskId);
    // Thrown inside the transaction, so a claim that did not take rolls back whole.
    if (row?.lease_token !== tokens.get(taskId)) throw new Error(`the claim of task ${taskId} did not take`);
    return { ...row } as ClaimedTask;
  });
}
