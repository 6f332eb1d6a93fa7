import type { Kysely } from 'kysely';
import { FINAL_TASK_STATES, TASK_STATE } from '../../engine/leases/task-states.ts';
import { FINAL_RUN_STATES, RUN_STATE } from '../../engine/runs/run-state.ts';
import { TASK_KIND } from '../../engine/scheduler/task-kinds.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { cappedRows } from './capped-rows.ts';
import type { ProblemKind, ProblemList } from './verify-report.ts';

type Db = Kysely<CairnDatabase>;

const UNFINISHED_TASK_STATES = [TASK_STATE.PENDING, TASK_STATE.QUEUED, TASK_STATE.RUNNING];
/** Run states that are their root task's state: the engine copies it when the root ends (`propagate`). */
const ROOT_COPIED_STATES = [RUN_STATE.SUCCEEDED, RUN_STATE.FAILED, RUN_STATE.SKIPPED];

/**
 * Checks what the engine keeps true in every transaction it commits:
 * - runs and tasks are in states this code knows;
 * - a run that has ended has no task still PENDING, QUEUED or RUNNING (a run ends when its root DAG
 *   does, and a DAG only ends once all its tasks have);
 * - a run that ended SUCCEEDED, FAILED or SKIPPED ended in its root task's state, and a run still in
 *   flight has a root task still in flight (its end and the root's are one transaction);
 * - a run that has ended records when (finished_at);
 * - the last entry of a run's state history is its current state, and every run has a history.
 * A run that failed before it could start has no tasks, which none of these rules objects to.
 */
export async function checkRunStates(db: Db, problems: ProblemList): Promise<void> {
  await checkKnownStates(db, problems);
  await checkUnfinishedTasks(db, problems);
  await checkRootStates(db, problems);
  await checkFinishTimes(db, problems);
  await checkHistory(db, problems);
}

function report<R>(
  problems: ProblemList,
  kind: ProblemKind,
  found: { rows: R[]; total: number },
  describe: (row: R) => Parameters<ProblemList['add']>[2],
  ids: (row: R) => Parameters<ProblemList['add']>[3],
): void {
  for (const row of found.rows) problems.add('run-states', kind, describe(row), ids(row));
  problems.addUnlisted('run-states', kind, found.total - found.rows.length);
}

async function checkKnownStates(db: Db, problems: ProblemList): Promise<void> {
  const runStates = Object.values(RUN_STATE);
  const runs = await cappedRows(
    db,
    db.selectFrom('runs').select(['id', 'state']).where('state', 'not in', runStates).orderBy('id'),
  );
  report(
    problems,
    'unknown-state',
    runs,
    (row) => `run ${row.id} is in state ${row.state}, which is not one of ${runStates.join(', ')}`,
    (row) => ({ runId: row.id, table: 'runs', rowId: row.id, column: 'state' }),
  );
  const taskStates = Object.values(TASK_STATE);
  const tasks = await cappedRows(
    db,
    db
      .selectFrom('tasks')
      .select(['id', 'run_id', 'path', 'state'])
      .where('state', 'not in', taskStates)
      .orderBy('id'),
  );
  report(
    problems,
    'unknown-state',
    tasks,
    (row) =>
      `task ${row.path} (${row.id}) of run ${row.run_id} is in state ${row.state}, which is not one of ` +
      taskStates.join(', '),
    (row) => ({ runId: row.run_id, taskId: row.id, table: 'tasks', rowId: row.id, column: 'state' }),
  );
}

async function checkUnfinishedTasks(db: Db, problems: ProblemList): Promise<void> {
  const found = await cappedRows(
    db,
    db
      .selectFrom('runs as r')
      .innerJoin('tasks as t', 't.run_id', 'r.id')
      .select([
        'r.id as run_id',
        'r.state as run_state',
        't.id as task_id',
        't.path',
        't.state as task_state',
      ])
      .where('r.state', 'in', FINAL_RUN_STATES)
      .where('t.state', 'in', UNFINISHED_TASK_STATES)
      .orderBy('r.id')
      .orderBy('t.path'),
  );
  report(
    problems,
    'run-tasks-disagree',
    found,
    (row) =>
      `run ${row.run_id} has ended ${row.run_state}, but its task ${row.path} is still ${row.task_state}`,
    (row) => ({ runId: row.run_id, taskId: row.task_id }),
  );
}

async function checkRootStates(db: Db, problems: ProblemList): Promise<void> {
  const found = await cappedRows(
    db,
    db
      .selectFrom('runs as r')
      .innerJoin('tasks as t', (join) =>
        join.onRef('t.run_id', '=', 'r.id').on('t.kind', '=', TASK_KIND.ROOT),
      )
      .select(['r.id as run_id', 'r.state as run_state', 't.id as task_id', 't.state as task_state'])
      .where('t.state', 'in', FINAL_TASK_STATES)
      .where((eb) =>
        eb.or([
          eb.and([eb('r.state', 'in', ROOT_COPIED_STATES), eb('t.state', '<>', eb.ref('r.state'))]),
          eb('r.state', 'not in', FINAL_RUN_STATES),
        ]),
      )
      .orderBy('r.id'),
  );
  report(
    problems,
    'run-tasks-disagree',
    found,
    (row) =>
      (FINAL_RUN_STATES as readonly string[]).includes(row.run_state)
        ? `run ${row.run_id} ended ${row.run_state}, but its root DAG ended ${row.task_state}`
        : `run ${row.run_id} is still ${row.run_state}, but its root DAG ended ${row.task_state}`,
    (row) => ({ runId: row.run_id, taskId: row.task_id }),
  );
}

async function checkFinishTimes(db: Db, problems: ProblemList): Promise<void> {
  const found = await cappedRows(
    db,
    db
      .selectFrom('runs')
      .select(['id', 'state'])
      .where('state', 'in', FINAL_RUN_STATES)
      .where('finished_at', 'is', null)
      .orderBy('id'),
  );
  report(
    problems,
    'run-missing-finish-time',
    found,
    (row) => `run ${row.id} has ended ${row.state}, but its finished_at is empty`,
    (row) => ({ runId: row.id, table: 'runs', rowId: row.id, column: 'finished_at' }),
  );
}

async function checkHistory(db: Db, problems: ProblemList): Promise<void> {
  const found = await cappedRows(
    db,
    db
      .selectFrom('runs as r')
      .leftJoin('run_state_history as h', (join) =>
        join.onRef('h.run_id', '=', 'r.id').on('h.seq', '=', (eb) =>
          eb
            .selectFrom('run_state_history as last')
            .select((inner) => inner.fn.max('last.seq').as('seq'))
            .whereRef('last.run_id', '=', 'r.id'),
        ),
      )
      .select(['r.id', 'r.state', 'h.state as history_state', 'h.seq'])
      .where((eb) => eb.or([eb('h.state', 'is', null), eb('h.state', '<>', eb.ref('r.state'))]))
      .orderBy('r.id'),
  );
  report(
    problems,
    'run-history-mismatch',
    found,
    (row) =>
      row.history_state === null
        ? `run ${row.id} is ${row.state} but has no state history`
        : `run ${row.id} is ${row.state}, but the last entry (${row.seq}) of its state history is ${row.history_state}`,
    (row) => ({ runId: row.id, table: 'run_state_history' }),
  );
}
