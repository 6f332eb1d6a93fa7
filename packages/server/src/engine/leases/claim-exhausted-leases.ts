import type { Kysely } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { checkInteger } from './check-argument.ts';
import { databaseNow } from './database-now.ts';
import { expiredLeasesQuery } from './queries/claim-candidates.ts';
import { type ClaimedTask, takeClaims } from './take-claims.ts';
import { inWriteTransaction } from './write-transaction.ts';

export interface ExhaustedLeaseOptions {
  owner: string;
  limit: number;
  leaseMs: number;
}

/**
 * Claims RUNNING tasks whose lease expired once more after `MAX_LOST_ATTEMPTS` attempts were already lost
 * with their workers: `claimTasks` will not start another attempt. The claim gives the caller a lease (without counting an
 * attempt) so that it can end the task, as FAILED, through `completeTask` and its fence, with the state
 * history written in the same transaction. If the caller dies too, the lease expires and the task
 * is found here again.
 */
export async function claimExhaustedLeases(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  { owner, limit, leaseMs }: ExhaustedLeaseOptions,
): Promise<ClaimedTask[]> {
  checkInteger('limit', limit, 1);
  checkInteger('leaseMs', leaseMs, 1);
  return inWriteTransaction(db, dialect, async (trx) => {
    const now = await databaseNow(trx, dialect);
    const expired = await expiredLeasesQuery(trx, dialect, { now, limit, attempts: 'exhausted' }).execute();
    return takeClaims(
      trx,
      expired.map(({ id }) => id),
      { owner, leaseMs, now, newAttempt: false },
    );
  });
}
