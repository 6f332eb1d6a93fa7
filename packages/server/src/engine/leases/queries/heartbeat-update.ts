import { type Kysely, sql, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import type { StoreDialect } from '../../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../../store/tables.ts';
import { databaseClock } from '../database-clock.ts';
import { holdsLease, type LeaseHolder } from './lease-fence.ts';

/**
 * Extends a held lease to `leaseMs` past the database's now. One statement, with the clock read inside
 * it, so the fence and the new expiry see the same instant.
 */
export function heartbeatUpdate(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  { taskId, token, leaseMs }: LeaseHolder & { leaseMs: number },
): UpdateQueryBuilder<CairnDatabase, 'tasks', 'tasks', UpdateResult> {
  const now = databaseClock(dialect.name);
  return db
    .updateTable('tasks')
    .set({ lease_expires_at: sql<number>`${now} + ${leaseMs}`, heartbeat_at: now, updated_at: now })
    .where((eb) => holdsLease(eb, { taskId, token }, now));
}
