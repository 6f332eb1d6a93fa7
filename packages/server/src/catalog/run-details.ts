import type { Kysely, Selectable } from 'kysely';
import { storedAsWritten } from '../store/stored-as-written.ts';
import type { CairnDatabase, RunStateHistoryTable, TasksTable } from '../store/tables.ts';

export type RunStateRow = Selectable<RunStateHistoryTable>;

/** What a run's task detail shows of a task row: not its inputs and outputs, which can be large. */
const TASK_DETAIL_COLUMNS = [
  'tasks.id',
  'tasks.parent_task_id',
  'tasks.name',
  'tasks.display_name',
  'tasks.kind',
  'tasks.path',
  'tasks.state',
  'tasks.error',
  'tasks.created_at',
  'tasks.started_at',
  'tasks.finished_at',
] as const;

type Unqualified<Column> = Column extends `tasks.${infer Name}` ? Name : never;
/** A task row as its detail shows it. */
export type TaskRow = Pick<Selectable<TasksTable>, Unqualified<(typeof TASK_DETAIL_COLUMNS)[number]>>;

/** An artifact a task's execution read or wrote, as its lineage event records it. */
export interface TaskArtifactEvent {
  readonly task_id: string;
  readonly execution_id: string;
  readonly kind: string;
  readonly name: string;
  readonly artifact_id: string;
}

/** What GetRun reports beside the run row: its tasks, their artifacts, and its state history. */
export interface RunDetailRows {
  readonly tasks: readonly TaskRow[];
  readonly events: readonly TaskArtifactEvent[];
  readonly history: readonly RunStateRow[];
}

export async function loadRunDetails(db: Kysely<CairnDatabase>, runId: string): Promise<RunDetailRows> {
  const [taskDetails, history] = await Promise.all([loadTaskDetails(db, runId), loadRunHistory(db, runId)]);
  return { ...taskDetails, history };
}

/**
 * The run's tasks and the artifacts their executions read or wrote, in one query: a task's row repeats
 * for each of its events (it holds only what a task detail shows), and stands alone when it has none.
 */
export async function loadTaskDetails(
  db: Kysely<CairnDatabase>,
  runId: string,
): Promise<Omit<RunDetailRows, 'history'>> {
  const rows = await db
    .selectFrom('tasks')
    .leftJoin('executions', (join) =>
      join.onRef('executions.task_id', '=', 'tasks.id').on('executions.run_id', '=', runId),
    )
    .leftJoin('events', 'events.execution_id', 'executions.id')
    .select([
      ...TASK_DETAIL_COLUMNS,
      'executions.id as execution_id',
      'events.kind as event_kind',
      'events.name as event_name',
      'events.artifact_id',
    ])
    .where('tasks.run_id', '=', runId)
    .orderBy('tasks.created_at')
    .orderBy('tasks.path')
    .orderBy('events.list_index')
    .execute();
  const tasks: TaskRow[] = [];
  const events: TaskArtifactEvent[] = [];
  for (const { execution_id, event_kind, event_name, artifact_id, ...task } of rows) {
    if (tasks.at(-1)?.id !== task.id) tasks.push(task);
    if (execution_id !== null && event_kind !== null && event_name !== null && artifact_id !== null) {
      events.push({ task_id: task.id, execution_id, kind: event_kind, name: event_name, artifact_id });
    }
  }
  return { tasks: tasks.sort(inDetailOrder), events };
}

/**
 * The task details of a run whose tasks are all in `inserted`, the rows a transaction inserted into
 * `tasks` with no other write (so no lineage either), in the order `loadTaskDetails` gives them; or
 * undefined where a row would not read back as written (an unpaired surrogate in a name).
 */
export function taskDetailsOfInserted(
  inserted: readonly Readonly<Record<string, unknown>>[],
): Omit<RunDetailRows, 'history'> | undefined {
  const names = TASK_DETAIL_COLUMNS.map((column) => column.slice('tasks.'.length));
  const tasks = inserted.map((row) => Object.fromEntries(names.map((name) => [name, row[name]])) as TaskRow);
  if (!tasks.every((task) => Object.values(task).every(storedAsWritten))) return undefined;
  return { tasks: tasks.sort(inDetailOrder), events: [] };
}

/**
 * By creation, then by path in code point order: the order of every database's binary collation, set
 * here rather than by the database's, so that it is the same on a PostgreSQL with a linguistic one.
 */
function inDetailOrder(left: TaskRow, right: TaskRow): number {
  return left.created_at - right.created_at || compareCodePoints(left.path, right.path);
}

/** Code point order, which UTF-16's differs from only where a surrogate meets U+E000 to U+FFFF. */
function compareCodePoints(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const difference = codePointRank(left.charCodeAt(index)) - codePointRank(right.charCodeAt(index));
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

export function loadRunHistory(db: Kysely<CairnDatabase>, runId: string): Promise<RunStateRow[]> {
  return db.selectFrom('run_state_history').selectAll().where('run_id', '=', runId).orderBy('seq').execute();
}
