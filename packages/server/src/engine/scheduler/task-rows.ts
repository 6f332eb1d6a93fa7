import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { CairnDatabase, TasksTable } from '../../store/tables.ts';
import { TASK_STATE, type TaskState } from '../leases/task-states.ts';
import type { TaskValues } from './task-values.ts';

export type TaskRow = Selectable<TasksTable>;
/** A connection inside the transaction that changes the run (the leases module hands these out). */
export type Trx = Kysely<CairnDatabase>;

export const FINAL_STATES: readonly string[] = [
  TASK_STATE.SUCCEEDED,
  TASK_STATE.FAILED,
  TASK_STATE.SKIPPED,
  TASK_STATE.CANCELED,
];

export function isFinal(row: Pick<TaskRow, 'state'>): boolean {
  return FINAL_STATES.includes(row.state);
}

export interface NewTask {
  /** Chosen by the caller when something must name the task before it exists (its inputs). */
  readonly id?: string;
  readonly runId: string;
  readonly parentId: string | null;
  readonly path: string;
  readonly name: string;
  readonly displayName: string;
  readonly kind: string;
  readonly state: TaskState;
  readonly iterationIndex?: number;
  readonly maxAttempts?: number;
  readonly inputs?: TaskValues | object;
  readonly outputs?: TaskValues;
  readonly error?: string;
  readonly now: number;
}

/**
 * Inserts a task row. The (run, path) pair is unique, so a scheduling pass repeated after a crash
 * cannot create a task twice: the pass runs in one transaction with the change that triggered it.
 */
export async function insertTask(trx: Trx, task: NewTask): Promise<TaskRow> {
  const row = newTaskRow(task);
  await trx.insertInto('tasks').values(row).execute();
  return row;
}

/** The row `insertTask` inserts, for a caller that inserts it together with others. */
export function newTaskRow(task: NewTask): TaskRow {
  const final = FINAL_STATES.includes(task.state);
  const row: Insertable<TasksTable> = {
    id: task.id ?? randomUUID(),
    run_id: task.runId,
    parent_task_id: task.parentId,
    path: task.path,
    name: task.name,
    display_name: task.displayName,
    kind: task.kind,
    iteration_index: task.iterationIndex ?? null,
    state: task.state,
    attempt: 0,
    max_attempts: task.maxAttempts ?? 1,
    inputs: task.inputs === undefined ? null : JSON.stringify(task.inputs),
    outputs: task.outputs === undefined ? null : JSON.stringify(task.outputs),
    error: task.error ?? null,
    // A queued task is claimable from now on; the claim query requires ready_at.
    ready_at: task.state === TASK_STATE.QUEUED ? task.now : null,
    created_at: task.now,
    started_at: task.state === TASK_STATE.QUEUED ? null : task.now,
    finished_at: final ? task.now : null,
    updated_at: task.now,
  };
  return row as TaskRow;
}

/** Ends a structural task (DAG, loop): no lease guards these, the scheduler's transaction does. */
export async function finishStructuralTask(
  trx: Trx,
  row: TaskRow,
  state: TaskState,
  outputs: TaskValues,
  error: string | null,
  now: number,
): Promise<TaskRow> {
  const update = { state, outputs: JSON.stringify(outputs), error, finished_at: now, updated_at: now };
  await trx.updateTable('tasks').set(update).where('id', '=', row.id).execute();
  return { ...row, ...update };
}

export async function childrenOf(trx: Trx, parentId: string): Promise<TaskRow[]> {
  return trx.selectFrom('tasks').selectAll().where('parent_task_id', '=', parentId).execute();
}

/*
 * A loop's iterations are counted and checked rather than read: the loop advances at the end of every
 * iteration, and reading all n rows each time made a loop of n iterations cost O(n²) in rows.
 */

/** How many tasks a parent has: answered from the parent index alone. */
export async function countChildren(trx: Trx, parentId: string): Promise<number> {
  const { count } = await trx
    .selectFrom('tasks')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .where('parent_task_id', '=', parentId)
    .executeTakeFirstOrThrow();
  return Number(count);
}

/** How many of a parent's tasks are not final yet. Reads every child's state. */
export async function countOpenChildren(trx: Trx, parentId: string): Promise<number> {
  const { count } = await trx
    .selectFrom('tasks')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .where('parent_task_id', '=', parentId)
    .where('state', 'not in', FINAL_STATES)
    .executeTakeFirstOrThrow();
  return Number(count);
}

/** The state of the run's task at `path`, if there is one: a lookup in the run's unique path index. */
export async function stateAt(trx: Trx, runId: string, path: string): Promise<string | undefined> {
  const row = await trx
    .selectFrom('tasks')
    .select('state')
    .where('run_id', '=', runId)
    .where('path', '=', path)
    .executeTakeFirst();
  return row?.state;
}

/** Whether any of a parent's tasks is not final yet; stops at the first one it meets. */
export async function hasOpenChild(trx: Trx, parentId: string): Promise<boolean> {
  const open = await trx
    .selectFrom('tasks')
    .select('id')
    .where('parent_task_id', '=', parentId)
    .where('state', 'not in', FINAL_STATES)
    .limit(1)
    .executeTakeFirst();
  return open !== undefined;
}

export async function taskById(trx: Trx, id: string): Promise<TaskRow | undefined> {
  return trx.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The row, locked until the transaction ends where the database has row locks. */
export async function lockTask(trx: Trx, id: string, rowLocks: boolean): Promise<TaskRow | undefined> {
  const query = trx.selectFrom('tasks').selectAll().where('id', '=', id);
  return (rowLocks ? query.forUpdate() : query).executeTakeFirst();
}
