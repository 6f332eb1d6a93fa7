import type { Kysely } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { databaseNow } from './database-now.ts';
import type { ExtraWrites } from './extra-writes.ts';
import { type Completion, completeUpdate } from './queries/complete-update.ts';
import { FINAL_TASK_STATES } from './task-states.ts';
import { inWriteTransaction } from './write-transaction.ts';

/**
 * Ends a leased attempt in a final state, clears the lease and stamps `finished_at` with the database
 * clock, then runs `extraWrites` in the same transaction. Fenced: applies only while `token` holds an
 * unexpired lease; otherwise nothing is written, `extraWrites` does not run, and the result is false.
 */
export async function completeTask(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  completion: Completion,
  extraWrites?: ExtraWrites,
): Promise<boolean> {
  if (!(FINAL_TASK_STATES as readonly string[]).includes(completion.state)) {
    throw new RangeError(
      `a task completes in one of ${FINAL_TASK_STATES.join(', ')}, not ${completion.state} (releaseTask queues it again)`,
    );
  }
  return inWriteTransaction(db, dialect, async (trx) => {
    const now = await databaseNow(trx, dialect);
    const result = await completeUpdate(trx, completion, now).executeTakeFirst();
    if (result.numUpdatedRows !== 1n) return false;
    await extraWrites?.(trx, { now });
    return true;
  });
}
