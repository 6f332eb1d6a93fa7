import type { Expression, ExpressionBuilder, ExpressionWrapper, SqlBool } from 'kysely';
import type { CairnDatabase } from '../../../store/tables.ts';
import { TASK_STATE } from '../task-states.ts';

export interface LeaseHolder {
  taskId: string;
  /** The token the claim returned. */
  token: string;
}

/**
 * The fence every write of a leased attempt passes: the caller's token is still the task's and the lease
 * has not lapsed at `now`. A worker whose lease expired and was claimed again holds a stale token, so its
 * late writes match no row. A lease is held up to and including `lease_expires_at`; a claim takes it
 * only once that instant has passed, so the two never overlap.
 */
export function holdsLease(
  eb: ExpressionBuilder<CairnDatabase, 'tasks'>,
  { taskId, token }: LeaseHolder,
  now: number | Expression<number>,
): ExpressionWrapper<CairnDatabase, 'tasks', SqlBool> {
  return eb.and([
    eb('id', '=', taskId),
    eb('lease_token', '=', token),
    eb('state', '=', TASK_STATE.RUNNING),
    eb('lease_expires_at', '>=', now),
  ]);
}
