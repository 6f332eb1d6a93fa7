import type { Kysely } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { checkInteger } from './check-argument.ts';
import { databaseNow } from './database-now.ts';
import { type Candidate, expiredLeasesQuery, readyTasksQuery } from './queries/claim-candidates.ts';
import { type ClaimedTask, takeClaims } from './take-claims.ts';
import { type ClaimSource, TASK_STATE } from './task-states.ts';
import { inWriteTransaction } from './write-transaction.ts';

export interface ClaimOptions {
  /** Who claims (a worker's name), stored as `lease_owner` for operators. */
  owner: string;
  /** At most this many tasks. */
  limit: number;
  /** The lease lasts this long on the database clock unless a heartbeat extends it. */
  leaseMs: number;
  /**
   * Where to take tasks from: QUEUED tasks whose `ready_at` has come, RUNNING tasks whose lease expired
   * (and that have attempts left). Both by default.
   */
  states?: readonly ClaimSource[];
}

const ALL_SOURCES: readonly ClaimSource[] = [TASK_STATE.QUEUED, TASK_STATE.RUNNING];

/**
 * Claims up to `limit` tasks for `owner`, oldest claimable first, in one transaction: a crash leaves
 * either no claim or a complete one. Each claimed task becomes RUNNING with a fresh lease token and starts
 * a new attempt; a task whose lease expired counts its lost attempt, since its worker may have died in
 * the middle of it.
 *
 * With SKIP LOCKED, concurrent claimers take disjoint tasks without waiting for each other; when both
 * sources are asked for, up to `limit` rows of each stay locked until the claim commits.
 */
export async function claimTasks(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  { owner, limit, leaseMs, states = ALL_SOURCES }: ClaimOptions,
): Promise<ClaimedTask[]> {
  checkInteger('limit', limit, 1);
  checkInteger('leaseMs', leaseMs, 1);
  return inWriteTransaction(db, dialect, async (trx) => {
    const now = await databaseNow(trx, dialect);
    const candidates: Candidate[] = [];
    if (states.includes(TASK_STATE.QUEUED)) {
      candidates.push(...(await readyTasksQuery(trx, dialect, { now, limit }).execute()));
    }
    const lost = new Set<string>();
    if (states.includes(TASK_STATE.RUNNING)) {
      const expired = await expiredLeasesQuery(trx, dialect, { now, limit, attempts: 'left' }).execute();
      for (const candidate of expired) lost.add(candidate.id);
      candidates.push(...expired);
    }
    const chosen = candidates
      .map(({ id, ready_since }) => ({ id, since: Number(ready_since) }))
      .sort((a, b) => a.since - b.since || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit);
    const claimed = await takeClaims(
      trx,
      chosen.map(({ id }) => id),
      { owner, leaseMs, now, newAttempt: true },
    );
    // The attempt whose lease expired was lost with its worker; it is counted apart, not as a retry.
    const reclaimed = claimed.filter((task) => lost.has(task.id)).map((task) => task.id);
    if (reclaimed.length > 0) {
      await trx
        .updateTable('tasks')
        .set((eb) => ({ lost_attempts: eb('lost_attempts', '+', 1) }))
        .where('id', 'in', reclaimed)
        .execute();
    }
    return claimed.map((task) =>
      lost.has(task.id) ? { ...task, lost_attempts: task.lost_attempts + 1 } : task,
    );
  });
}
