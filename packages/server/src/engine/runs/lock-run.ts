import { CairnError } from '../../errors.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import { rowLocks } from '../scheduler/scheduler-context.ts';
import type { Trx } from '../scheduler/task-rows.ts';
import type { RunState } from './run-state.ts';

/**
 * A run's state, read with its row locked (where the database has row locks), so two operations on one
 * run (terminate, retry) take turns; a run that does not exist is the caller's mistake.
 */
export async function lockRun(trx: Trx, dialect: StoreDialect, runId: string): Promise<RunState> {
  const query = trx.selectFrom('runs').select('state').where('id', '=', runId);
  const run = await (rowLocks(dialect) ? query.forUpdate() : query).executeTakeFirst();
  if (run === undefined) throw new CairnError('RUN_NOT_FOUND', `run ${runId} does not exist`);
  return run.state as RunState;
}
