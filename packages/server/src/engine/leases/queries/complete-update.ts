import type { Kysely, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { CairnDatabase } from '../../../store/tables.ts';
import type { FinalTaskState } from '../task-states.ts';
import { holdsLease, type LeaseHolder } from './lease-fence.ts';

export interface Completion extends LeaseHolder {
  state: FinalTaskState;
  /** JSON text; left as stored when omitted. */
  outputs?: string | null;
  /** Why the attempt ended this way; omitted means none, and clears an earlier attempt's error. */
  error?: string | null;
}

/** Ends the attempt in a final state and gives up the lease, if the lease is still held at `now`. */
export function completeUpdate(
  db: Kysely<CairnDatabase>,
  { taskId, token, state, outputs, error }: Completion,
  now: number,
): UpdateQueryBuilder<CairnDatabase, 'tasks', 'tasks', UpdateResult> {
  return db
    .updateTable('tasks')
    .set({
      state,
      ...(outputs === undefined ? {} : { outputs }),
      error: error ?? null,
      lease_token: null,
      lease_owner: null,
      lease_expires_at: null,
      finished_at: now,
      updated_at: now,
    })
    .where((eb) => holdsLease(eb, { taskId, token }, now));
}
