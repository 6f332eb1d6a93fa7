import type { Kysely } from 'kysely';
import type { CairnDatabase } from '../../../store/tables.ts';
import { EVENT_KIND } from '../lineage-vocabulary.ts';
import { inChunks } from './in-chunks.ts';
import {
  ARTIFACT_COLUMNS,
  type ArtifactView,
  artifactView,
  EXECUTION_COLUMNS,
  type ExecutionView,
  executionView,
  TASK_COLUMNS,
  type TaskSummary,
  taskSummary,
} from './lineage-views.ts';

/** One execution of the run and what it output. */
export interface ExecutionOutputs {
  /** Null for an execution recorded without a task row. */
  task: TaskSummary | null;
  execution: ExecutionView;
  /**
   * The artifacts by output name, a list output's in list order. A cached execution's are the original
   * execution's artifacts (see `execution.cachedFrom`).
   */
  outputs: Record<string, ArtifactView[]>;
}

export interface RunArtifacts {
  runId: string;
  /** Every execution recorded for the run, oldest first, including those that output nothing. */
  executions: ExecutionOutputs[];
}

/**
 * What a run produced: its executions (one per task that ran, was cached, or failed), each with its output
 * artifacts by output name. Undefined when there is no such run.
 */
export async function queryRunArtifacts(
  db: Kysely<CairnDatabase>,
  runId: string,
): Promise<RunArtifacts | undefined> {
  const run = await db.selectFrom('runs').select('id').where('id', '=', runId).executeTakeFirst();
  if (!run) return undefined;
  const executions = await db
    .selectFrom('executions as e')
    .leftJoin('tasks as t', 't.id', 'e.task_id')
    .select([...EXECUTION_COLUMNS, ...TASK_COLUMNS])
    .where('e.run_id', '=', runId)
    .orderBy('e.created_at')
    .orderBy('e.id')
    .execute();
  const outputs = await inChunks(
    executions.map((row) => row.id),
    (chunk) =>
      db
        .selectFrom('events as ev')
        .innerJoin('artifacts as a', 'a.id', 'ev.artifact_id')
        .select(['ev.execution_id', 'ev.name as output_name', 'ev.list_index', ...ARTIFACT_COLUMNS])
        .where('ev.kind', '=', EVENT_KIND.OUTPUT)
        .where('ev.execution_id', 'in', chunk)
        .orderBy('ev.execution_id')
        .orderBy('ev.name')
        .orderBy('ev.list_index')
        .execute(),
  );
  const byExecution = new Map<string, Map<string, ArtifactView[]>>();
  for (const row of outputs) {
    const named = byExecution.get(row.execution_id) ?? new Map<string, ArtifactView[]>();
    byExecution.set(row.execution_id, named);
    named.set(row.output_name, [...(named.get(row.output_name) ?? []), artifactView(row)]);
  }
  return {
    runId,
    executions: executions.map((row) => ({
      task: taskSummary(row),
      execution: executionView(row),
      outputs: Object.fromEntries(byExecution.get(row.id) ?? []),
    })),
  };
}
