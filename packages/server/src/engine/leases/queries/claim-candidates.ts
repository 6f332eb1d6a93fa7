import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { StoreDialect } from '../../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../../store/tables.ts';
import { MAX_LOST_ATTEMPTS, TASK_STATE } from '../task-states.ts';

export interface CandidateQuery {
  /** The database clock, read once in the claiming transaction. */
  now: number;
  limit: number;
}

/** A claimable task and the instant it became claimable, by which claims are ordered (oldest first). */
export type Candidate = { id: string; ready_since: number | null };
type CandidateSelect = SelectQueryBuilder<CairnDatabase, 'tasks', Candidate>;

/**
 * Locks what it selects and passes over rows another claimer has locked, so claimers never wait for each
 * other nor take the same task. Without SKIP LOCKED (SQLite) the claim's transaction holds the only write
 * lock, which serialises claims instead.
 */
function lockedForClaim(query: CandidateSelect, dialect: StoreDialect): CandidateSelect {
  return dialect.capabilities.skipLocked ? query.forUpdate().skipLocked() : query;
}

/**
 * QUEUED tasks whose `ready_at` has come. Each candidate query filters and sorts on one index
 * (tasks_claim_idx here, tasks_lease_idx below) so that the database can stop after `limit` rows: a query
 * that had to sort first would lock every claimable row and leave nothing for concurrent claimers (InnoDB),
 * and would read every claimable row on every claim (a loop's iterations all become ready at once). Tasks
 * ready at the same instant come in index order: the order they were queued in, except on InnoDB, whose
 * index entries end with the id.
 */
export function readyTasksQuery(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  { now, limit }: CandidateQuery,
): CandidateSelect {
  return lockedForClaim(
    db
      .selectFrom('tasks')
      .select(['id', 'ready_at as ready_since'])
      .where('state', '=', TASK_STATE.QUEUED)
      .where('ready_at', '<=', now)
      .orderBy('ready_at')
      .limit(limit),
    dialect,
  );
}

/**
 * RUNNING tasks whose lease lapsed before `now`: their worker stopped heartbeating, and may have died in
 * the middle of the attempt. `attempts` chooses those that may start another attempt (`left`) or those
 * whose last allowed attempt it was (`exhausted`).
 *
 * Only leased tasks have a lease expiry, so the lease index finds them directly. The state is still
 * checked, but through an expression no index serves (`state` is never null): with a plain equality,
 * SQLite chose tasks_claim_idx instead and read every RUNNING task on every claim, each open loop
 * iteration among them.
 */
export function expiredLeasesQuery(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  { now, limit, attempts }: CandidateQuery & { attempts: 'left' | 'exhausted' },
): CandidateSelect {
  return lockedForClaim(
    db
      .selectFrom('tasks')
      .select(['id', 'lease_expires_at as ready_since'])
      .where((eb) => eb(eb.fn.coalesce('state', eb.val('')), '=', TASK_STATE.RUNNING))
      .where('lease_expires_at', '<', now)
      .where('lost_attempts', attempts === 'left' ? '<' : '>=', MAX_LOST_ATTEMPTS)
      .orderBy('lease_expires_at')
      .orderBy('id')
      .limit(limit),
    dialect,
  );
}
