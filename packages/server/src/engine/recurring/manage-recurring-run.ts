import type { Kysely } from 'kysely';
import { CairnError } from '../../errors.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { databaseNow } from '../leases/database-now.ts';
import { inWriteTransaction } from '../leases/write-transaction.ts';

/**
 * Enables or disables a recurring run (KFP's enable and disable). Enabling again continues from the last
 * slot fired, as KFP's controller does: with catch-up, the slots missed while disabled fire, up to the
 * catch-up cap; with `no_catchup`, only the most recent one.
 */
export async function setRecurringRunEnabled(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  id: string,
  enabled: boolean,
): Promise<void> {
  await inWriteTransaction(db, dialect, async (trx) => {
    const now = await databaseNow(trx, dialect);
    const result = await trx
      .updateTable('recurring_runs')
      .set({ enabled: enabled ? 1 : 0, updated_at: now })
      .where('id', '=', id)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw recurringRunNotFound(id);
  });
}

/**
 * Deletes a recurring run. The runs it fired stay, as in KFP, detached from it: they are history, and
 * the recurring run no longer exists to point to.
 */
export async function deleteRecurringRun(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  id: string,
): Promise<void> {
  await inWriteTransaction(db, dialect, async (trx) => {
    await trx
      .updateTable('runs')
      .set({ recurring_run_id: null })
      .where('recurring_run_id', '=', id)
      .execute();
    const result = await trx.deleteFrom('recurring_runs').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw recurringRunNotFound(id);
  });
}

export function recurringRunNotFound(id: string): CairnError {
  return new CairnError('RECURRING_RUN_NOT_FOUND', `recurring run ${id} does not exist`);
}
