import type { Selectable } from 'kysely';
import type { RunStateHistoryTable } from '../../store/tables.ts';
import type { Trx } from '../scheduler/task-rows.ts';
import { RUN_STATE, type RunState } from './run-state.ts';

/**
 * The history of a run inserted already in `state`: PENDING, then `state`, at the same moment, written
 * with the run where moving a new run through both states one at a time would read the history back
 * each time.
 */
export function firstStates(
  runId: string,
  state: RunState,
  now: number,
  error: string | null = null,
): Selectable<RunStateHistoryTable>[] {
  return [
    { run_id: runId, seq: 1, state: RUN_STATE.PENDING, error: null, created_at: now },
    { run_id: runId, seq: 2, state, error, created_at: now },
  ];
}

/** Moves a run to a state and appends the change to its history, in the caller's transaction. */
export async function setRunState(
  trx: Trx,
  runId: string,
  state: RunState,
  now: number,
  error: string | null = null,
): Promise<void> {
  const last = await trx
    .selectFrom('run_state_history')
    .select((eb) => eb.fn.max<number | null>('seq').as('seq'))
    .where('run_id', '=', runId)
    .executeTakeFirst();
  const seq = (last?.seq ?? 0) + 1;
  await trx
    .insertInto('run_state_history')
    .values({ run_id: runId, seq, state, error, created_at: now })
    .execute();
  const ending = state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELED' || state === 'SKIPPED';
  await trx
    .updateTable('runs')
    .set({
      state,
      error,
      updated_at: now,
      ...(state === 'RUNNING' ? { started_at: now } : {}),
      ...(ending ? { finished_at: now } : {}),
    })
    .where('id', '=', runId)
    .execute();
}
