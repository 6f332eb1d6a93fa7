import type { Kysely, Selectable } from 'kysely';
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
  return { tasks, events };
}

export function loadRunHistory(db: Kysely<CairnDatabase>, runId: string): Promise<RunStateRow[]> {
  return db.selectFrom('run_state_history').selectAll().where('run_id', '=', runId).orderBy('seq').execute();
}
