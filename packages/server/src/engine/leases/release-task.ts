import type { Kysely } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { checkInteger } from './check-argument.ts';
import { databaseNow } from './database-now.ts';
import type { ExtraWrites } from './extra-writes.ts';
import { heldLeaseQuery, type Release, releaseUpdate } from './queries/release-update.ts';
import { inWriteTransaction } from './write-transaction.ts';

/**
 * `released`: the task is QUEUED again, claimable `backoffMs` from now. `lease-lost`: the token no longer
 * holds a live lease, nothing changed. `no-attempts-left`: the lease is held but the task used its
 * `max_attempts`, nothing changed; complete it as FAILED instead.
 */
export type ReleaseOutcome = 'released' | 'lease-lost' | 'no-attempts-left';

/**
 * Gives a failed attempt's task back for a retry after a backoff: QUEUED, `ready_at` = database now +
 * `backoffMs`, lease cleared. Fenced like `completeTask`; `extraWrites` runs in the same transaction
 * when the task was released.
 */
export async function releaseTask(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  release: Release,
  extraWrites?: ExtraWrites,
): Promise<ReleaseOutcome> {
  checkInteger('backoffMs', release.backoffMs, 0);
  return inWriteTransaction(db, dialect, async (trx) => {
    const now = await databaseNow(trx, dialect);
    const result = await releaseUpdate(trx, release, now).executeTakeFirst();
    if (result.numUpdatedRows !== 1n) {
      const held = await heldLeaseQuery(trx, release, now).executeTakeFirst();
      return held ? 'no-attempts-left' : 'lease-lost';
    }
    await extraWrites?.(trx, { now });
    return 'released';
  });
}
