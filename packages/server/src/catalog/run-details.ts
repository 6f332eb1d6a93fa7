import type { Kysely, Selectable } from 'kysely';
import type { CairnDatabase, RunStateHistoryTable, TasksTable } from '../store/tables.ts';

export type TaskRow = Selectable<TasksTable>;
export type RunStateRow = Selectable<RunStateHistoryTable>;

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
  const [tasks, events, history] = await Promise.all([
    db
      .selectFrom('tasks')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('created_at')
      .orderBy('path')
      .execute(),
    db
      .selectFrom('executions')
      .innerJoin('events', 'events.execution_id', 'executions.id')
      .select([
        'executions.task_id',
        'executions.id as execution_id',
        'events.kind',
        'events.name',
        'events.artifact_id',
      ])
      .where('executions.run_id', '=', runId)
      .where('executions.task_id', 'is not', null)
      .orderBy('events.list_index')
      .execute(),
    db.selectFrom('run_state_history').selectAll().where('run_id', '=', runId).orderBy('seq').execute(),
  ]);
  return {
    tasks,
    events: events.flatMap((event) => (event.task_id === null ? [] : [{ ...event, task_id: event.task_id }])),
    history,
  };
}
