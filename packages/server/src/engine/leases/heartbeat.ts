import type { Kysely } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { checkInteger } from './check-argument.ts';
import { heartbeatUpdate } from './queries/heartbeat-update.ts';
import type { LeaseHolder } from './queries/lease-fence.ts';

/**
 * Extends the lease to `leaseMs` past the database's now, if `token` still holds it. False means the
 * lease is lost (it expired, and may have been claimed again): the worker must stop the attempt.
 */
export async function heartbeat(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  input: LeaseHolder & { leaseMs: number },
): Promise<boolean> {
  checkInteger('leaseMs', input.leaseMs, 1);
  const result = await heartbeatUpdate(db, dialect, input).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
