import type { Kysely, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { CairnDatabase } from '../../../store/tables.ts';
import { TASK_STATE } from '../task-states.ts';

export interface ClaimWrite {
  taskId: string;
  /** A fresh UUID: the new lease's fencing token. */
  token: string;
  owner: string;
  /** The database clock, read once in the claiming transaction. */
  now: number;
  leaseMs: number;
  /** Count the claim as a new attempt. */
  newAttempt: boolean;
}

/** Gives one task, already locked by the claiming transaction, a new lease. */
export function claimUpdate(
  db: Kysely<CairnDatabase>,
  { taskId, token, owner, now, leaseMs, newAttempt }: ClaimWrite,
): UpdateQueryBuilder<CairnDatabase, 'tasks', 'tasks', UpdateResult> {
  return db
    .updateTable('tasks')
    .set((eb) => ({
      state: TASK_STATE.RUNNING,
      lease_token: token,
      lease_owner: owner,
      lease_expires_at: now + leaseMs,
      heartbeat_at: now,
      started_at: eb.fn.coalesce('started_at', eb.val(now)),
      updated_at: now,
      ...(newAttempt ? { attempt: eb('attempt', '+', 1) } : {}),
    }))
    .where('id', '=', taskId);
}
