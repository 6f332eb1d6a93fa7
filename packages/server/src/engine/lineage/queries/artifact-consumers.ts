import type { Kysely } from 'kysely';
import type { CairnDatabase } from '../../../store/tables.ts';
import { EVENT_KIND } from '../lineage-vocabulary.ts';
import {
  ARTIFACT_COLUMNS,
  type ArtifactView,
  artifactView,
  EXECUTION_COLUMNS,
  type ExecutionView,
  executionView,
  RUN_COLUMNS,
  type RunSummary,
  runSummary,
  TASK_COLUMNS,
  type TaskSummary,
  taskSummary,
} from './lineage-views.ts';

/** One reading of the artifact: by which execution, under which input name, in which task and run. */
export interface ArtifactConsumer {
  inputName: string;
  listIndex: number;
  execution: ExecutionView;
  /** Null once the run (and so its tasks) has been deleted. */
  task: TaskSummary | null;
  run: RunSummary | null;
}

export interface ArtifactConsumers {
  artifact: ArtifactView;
  /** Newest first. */
  consumers: ArtifactConsumer[];
  /** More consumers exist than `limit` let through. */
  truncated: boolean;
}

const DEFAULT_LIMIT = 100;

/**
 * What consumed an artifact: every INPUT event that names it, with its execution, task and run, newest
 * first and at most `limit` of them. Undefined when there is no such artifact.
 */
export async function queryArtifactConsumers(
  db: Kysely<CairnDatabase>,
  artifactId: string,
  { limit = DEFAULT_LIMIT }: { limit?: number } = {},
): Promise<ArtifactConsumers | undefined> {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const artifact = await db
    .selectFrom('artifacts as a')
    .select(ARTIFACT_COLUMNS)
    .where('a.id', '=', artifactId)
    .executeTakeFirst();
  if (!artifact) return undefined;
  const rows = await db
    .selectFrom('events as ev')
    .innerJoin('executions as e', 'e.id', 'ev.execution_id')
    .leftJoin('tasks as t', 't.id', 'e.task_id')
    .leftJoin('runs as r', 'r.id', 'e.run_id')
    .select(['ev.name as input_name', 'ev.list_index', ...EXECUTION_COLUMNS, ...TASK_COLUMNS, ...RUN_COLUMNS])
    .where('ev.artifact_id', '=', artifactId)
    .where('ev.kind', '=', EVENT_KIND.INPUT)
    .orderBy('e.created_at', 'desc')
    .orderBy('e.id', 'desc')
    .orderBy('ev.name')
    .orderBy('ev.list_index')
    .limit(limit + 1)
    .execute();
  return {
    artifact: artifactView(artifact),
    consumers: rows.slice(0, limit).map((row) => ({
      inputName: row.input_name,
      listIndex: Number(row.list_index),
      execution: executionView(row),
      task: taskSummary(row),
      run: runSummary(row),
    })),
    truncated: rows.length > limit,
  };
}
