import type { Kysely } from 'kysely';
import type { CairnDatabase } from '../../../store/tables.ts';
import { EVENT_KIND, EXECUTION_STATE } from '../lineage-vocabulary.ts';
import { inChunks } from './in-chunks.ts';
import {
  ARTIFACT_COLUMNS,
  type ArtifactView,
  artifactView,
  type EventEnd,
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

/** An execution in an artifact's lineage: it produced some of the lineage's artifacts from its inputs. */
export interface LineageStep {
  execution: ExecutionView;
  task: TaskSummary | null;
  run: RunSummary | null;
  /** Every artifact it read (each is in the lineage's `artifacts`). */
  inputs: EventEnd[];
  /** The artifacts of this lineage it produced. */
  outputs: EventEnd[];
  /** Producer hops from the starting artifact: 1 for the execution that produced it. */
  depth: number;
}

/** A graph: artifacts and the executions between them, joined by the steps' `inputs` and `outputs`. */
export interface ArtifactLineage {
  artifactId: string;
  /** The starting artifact first, then the others in the order they were reached. */
  artifacts: ArtifactView[];
  /** By depth, then oldest first. */
  steps: LineageStep[];
  /** Some artifacts at `maxDepth` have producers that were not followed. */
  truncated: boolean;
}

const DEFAULT_MAX_DEPTH = 25;

interface Producer {
  artifactId: string;
  executionId: string;
  name: string;
  listIndex: number;
}

/**
 * The execution that produced each artifact. A cached execution outputs the original's artifacts too, so
 * an artifact may have several OUTPUT events: the one of an execution that ran wins, then the oldest.
 */
async function producersOf(db: Kysely<CairnDatabase>, artifactIds: readonly string[]): Promise<Producer[]> {
  const rows = await inChunks(artifactIds, (chunk) =>
    db
      .selectFrom('events as ev')
      .innerJoin('executions as e', 'e.id', 'ev.execution_id')
      .select(['ev.artifact_id', 'ev.execution_id', 'ev.name', 'ev.list_index', 'e.state', 'e.created_at'])
      .where('ev.kind', '=', EVENT_KIND.OUTPUT)
      .where('ev.artifact_id', 'in', chunk)
      .execute(),
  );
  const rank = (row: (typeof rows)[number]) =>
    [row.state === EXECUTION_STATE.CACHED ? 1 : 0, Number(row.created_at), row.execution_id] as const;
  const best = new Map<string, (typeof rows)[number]>();
  for (const row of rows) {
    const current = best.get(row.artifact_id);
    if (current === undefined || compareRanks(rank(row), rank(current)) < 0) best.set(row.artifact_id, row);
  }
  return [...best.values()].map((row) => ({
    artifactId: row.artifact_id,
    executionId: row.execution_id,
    name: row.name,
    listIndex: Number(row.list_index),
  }));
}

function compareRanks(a: readonly [number, number, string], b: readonly [number, number, string]): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

/**
 * The chain from an artifact back to what it was made from: its producing execution, that execution's
 * input artifacts, their producers, and so on, at most `maxDepth` producers deep. Each artifact and each
 * execution appears once however many paths lead to it, so shared ancestors and cycles end the walk.
 * Undefined when there is no such artifact.
 */
export async function traceArtifactLineage(
  db: Kysely<CairnDatabase>,
  artifactId: string,
  { maxDepth = DEFAULT_MAX_DEPTH }: { maxDepth?: number } = {},
): Promise<ArtifactLineage | undefined> {
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 0) {
    throw new RangeError(`maxDepth must be a non-negative integer, got ${maxDepth}`);
  }
  const root = await db
    .selectFrom('artifacts as a')
    .select(ARTIFACT_COLUMNS)
    .where('a.id', '=', artifactId)
    .executeTakeFirst();
  if (!root) return undefined;

  const artifacts = new Map<string, ArtifactView>([[root.id, artifactView(root)]]);
  const steps = new Map<string, LineageStep>();
  let frontier = [root.id];
  for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
    const producers = await producersOf(db, frontier);
    const newExecutionIds = [...new Set(producers.map((p) => p.executionId))].filter((id) => !steps.has(id));
    for (const step of await loadSteps(db, newExecutionIds, depth)) steps.set(step.execution.id, step);
    for (const { executionId, artifactId: produced, name, listIndex } of producers) {
      steps.get(executionId)?.outputs.push({ name, listIndex, artifactId: produced });
    }
    const reached = newExecutionIds.flatMap((id) => steps.get(id)?.inputs ?? []).map((end) => end.artifactId);
    const unseen = [...new Set(reached)].filter((id) => !artifacts.has(id));
    const rows = await inChunks(unseen, (chunk) =>
      db.selectFrom('artifacts as a').select(ARTIFACT_COLUMNS).where('a.id', 'in', chunk).execute(),
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    // In order of discovery, so the graph reads the same on every database.
    for (const id of unseen) {
      const row = byId.get(id);
      if (row) artifacts.set(id, artifactView(row));
    }
    frontier = unseen;
  }
  const truncated = frontier.length > 0 && (await producersOf(db, frontier)).length > 0;
  return {
    artifactId: root.id,
    artifacts: [...artifacts.values()],
    steps: [...steps.values()].sort(
      (a, b) =>
        a.depth - b.depth ||
        a.execution.createdAt - b.execution.createdAt ||
        (a.execution.id < b.execution.id ? -1 : 1),
    ),
    truncated,
  };
}

/** The executions, with their tasks, runs and INPUT events, as steps at `depth` (outputs still empty). */
async function loadSteps(
  db: Kysely<CairnDatabase>,
  executionIds: readonly string[],
  depth: number,
): Promise<LineageStep[]> {
  const rows = await inChunks(executionIds, (chunk) =>
    db
      .selectFrom('executions as e')
      .leftJoin('tasks as t', 't.id', 'e.task_id')
      .leftJoin('runs as r', 'r.id', 'e.run_id')
      .select([...EXECUTION_COLUMNS, ...TASK_COLUMNS, ...RUN_COLUMNS])
      .where('e.id', 'in', chunk)
      .execute(),
  );
  const inputs = await inChunks(executionIds, (chunk) =>
    db
      .selectFrom('events')
      .select(['execution_id', 'artifact_id', 'name', 'list_index'])
      .where('kind', '=', EVENT_KIND.INPUT)
      .where('execution_id', 'in', chunk)
      .orderBy('execution_id')
      .orderBy('name')
      .orderBy('list_index')
      .execute(),
  );
  const inputsOf = new Map<string, EventEnd[]>();
  for (const event of inputs) {
    const ends = inputsOf.get(event.execution_id) ?? [];
    inputsOf.set(event.execution_id, ends);
    ends.push({ name: event.name, listIndex: Number(event.list_index), artifactId: event.artifact_id });
  }
  return rows.map((row) => ({
    execution: executionView(row),
    task: taskSummary(row),
    run: runSummary(row),
    inputs: inputsOf.get(row.id) ?? [],
    outputs: [],
    depth,
  }));
}
