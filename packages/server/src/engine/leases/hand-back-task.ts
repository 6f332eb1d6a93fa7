import type { Kysely } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { databaseClock } from './database-clock.ts';
import { holdsLease, type LeaseHolder } from './queries/lease-fence.ts';
import { TASK_STATE } from './task-states.ts';

/**
 * Gives back a task whose attempt its worker stopped on purpose, for maintenance (an upgrade is about to
 * run): QUEUED, lease cleared, its `ready_at` kept so that it is among the first claimed when work
 * resumes. The stopped attempt is counted as lost, as one lost with a dead worker is (`lost_attempts`):
 * it does not use up the task's `max_attempts`, and the next attempt still gets a number of its own, so
 * its log does not overwrite the stopped one's. Unlike `releaseTask`, a task on its last allowed attempt
 * is given back too, since that attempt did not fail.
 *
 * Fenced like every write of a leased attempt, in one statement that reads the clock itself. False when
 * the lease was no longer held: nothing changed, and whoever holds the task now owns it.
 */
export async function handBackTask(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  holder: LeaseHolder,
): Promise<boolean> {
  const now = databaseClock(dialect.name);
  const result = await db
    .updateTable('tasks')
    .set((eb) => ({
      state: TASK_STATE.QUEUED,
      lost_attempts: eb('lost_attempts', '+', 1),
      error: 'its attempt was stopped for maintenance; it runs again once Cairn serves again',
      lease_token: null,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
    }))
    .where((eb) => holdsLease(eb, holder, now))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
