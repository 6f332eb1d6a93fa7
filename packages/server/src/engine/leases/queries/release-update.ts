import type { Kysely, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { CairnDatabase } from '../../../store/tables.ts';
import { TASK_STATE } from '../task-states.ts';
import { holdsLease, type LeaseHolder } from './lease-fence.ts';

export interface Release extends LeaseHolder {
  /** How long after the database's now the task may be claimed again. */
  backoffMs: number;
  /** Why the attempt failed; omitted means none, and clears an earlier attempt's error. */
  error?: string | null;
}

/**
 * Puts the task back in the queue for another attempt, if the lease is still held at `now` and the task
 * has attempts left (a task queued without one could only be claimed beyond its `max_attempts`).
 */
export function releaseUpdate(
  db: Kysely<CairnDatabase>,
  { taskId, token, backoffMs, error }: Release,
  now: number,
): UpdateQueryBuilder<CairnDatabase, 'tasks', 'tasks', UpdateResult> {
  return db
    .updateTable('tasks')
    .set({
      state: TASK_STATE.QUEUED,
      ready_at: now + backoffMs,
      error: error ?? null,
      lease_token: null,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
    })
    .where((eb) =>
      eb.and([
        holdsLease(eb, { taskId, token }, now),
        eb(eb('attempt', '-', eb.ref('lost_attempts')), '<', eb.ref('max_attempts')),
      ]),
    );
}

/** Whether the lease is still held at `now`: tells a refused release's two causes apart. */
export function heldLeaseQuery(db: Kysely<CairnDatabase>, holder: LeaseHolder, now: number) {
  return db
    .selectFrom('tasks')
    .select('id')
    .where((eb) => holdsLease(eb, holder, now));
}
