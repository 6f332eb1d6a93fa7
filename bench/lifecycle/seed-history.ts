/**
 * Fills a migrated store with the history the lifecycle benchmark moves around: the runs of bench/api's
 * seed (experiments, pipelines with versions, runs over six months with their state history), and for
 * each run the ten tasks of a train-and-evaluate pipeline with a two-iteration loop. One run in
 * `lineageEvery` also has what a finished run leaves in the artifact store and the lineage tables: an
 * execution per container task, a model and metrics artifact with their objects, the events joining
 * them, the run's context, and a log object per container task.
 *
 * Everything is what the engine would have written (states agree between runs and tasks, keys follow
 * KFP's layout), so `cairn admin verify` finds the seeded store clean and the upgrade's verify phase
 * passes. Runs still RUNNING have their remaining tasks QUEUED, as a stopped server leaves them.
 */
import { createHash } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { ArtifactStore } from '../../packages/server/src/artifacts/artifact-store.ts';
import { taskLogKey, taskOutputKey } from '../../packages/server/src/engine/executor/task-keys.ts';
import { encodeExecutionDocument } from '../../packages/server/src/engine/lineage/execution-document.ts';
import {
  CONTEXT_TYPE,
  EVENT_KIND,
  EXECUTION_STATE,
  EXECUTION_TYPE,
} from '../../packages/server/src/engine/lineage/lineage-vocabulary.ts';
import type { StoreDialect } from '../../packages/server/src/store/dialects/store-dialect.ts';
import type { CairnDatabase, TasksTable } from '../../packages/server/src/store/tables.ts';
import { generator, seedRuns } from '../api/seed-runs.ts';

export interface HistoryOptions {
  readonly runs: number;
  /** One run in this many gets executions, artifacts with objects, and logs. */
  readonly lineageEvery: number;
  /** The largest model object, in bytes; sizes spread log-uniformly from 4 KiB up to it. */
  readonly maxModelBytes: number;
  readonly specText: string;
}

export interface SeededHistory {
  readonly runs: number;
  readonly rows: number;
  readonly objects: number;
  readonly objectBytes: number;
  readonly seconds: number;
}

interface TaskShape {
  readonly path: string;
  readonly kind: string;
  readonly parent: string | null;
  readonly iteration: number | null;
  /** Container tasks run an executor, leave a log, and are recorded as executions. */
  readonly container: boolean;
}

/** Ten tasks: root, load-data, preprocess, a loop of two train iterations, evaluate, deploy. */
const TASKS: readonly TaskShape[] = [
  { path: 'root', kind: 'root', parent: null, iteration: null, container: false },
  { path: 'root/load-data', kind: 'container', parent: 'root', iteration: null, container: true },
  { path: 'root/preprocess', kind: 'container', parent: 'root', iteration: null, container: true },
  { path: 'root/for-loop-1', kind: 'iterator', parent: 'root', iteration: null, container: false },
  { path: 'root/for-loop-1/0', kind: 'iteration', parent: 'root/for-loop-1', iteration: 0, container: false },
  {
    path: 'root/for-loop-1/0/train',
    kind: 'container',
    parent: 'root/for-loop-1/0',
    iteration: null,
    container: true,
  },
  { path: 'root/for-loop-1/1', kind: 'iteration', parent: 'root/for-loop-1', iteration: 1, container: false },
  {
    path: 'root/for-loop-1/1/train',
    kind: 'container',
    parent: 'root/for-loop-1/1',
    iteration: null,
    container: true,
  },
  { path: 'root/evaluate', kind: 'container', parent: 'root', iteration: null, container: true },
  { path: 'root/deploy', kind: 'container', parent: 'root', iteration: null, container: true },
];
const RUNS_PER_TRANSACTION = 2_000;
const ROWS_PER_STATEMENT = 500;
const OBJECT_WRITERS = 16;

interface RunRow {
  id: string;
  state: string;
  pipeline_name: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** A deterministic v4-shaped UUID from a name, so reruns seed identical ids. */
function uuidOf(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Each task's state in a run of `runState`: a failed run failed in evaluate, a running one is training. */
function taskState(runState: string, task: TaskShape): string {
  if (runState === 'SUCCEEDED') return 'SUCCEEDED';
  const order = TASKS.indexOf(task);
  const evaluate = TASKS.findIndex((shape) => shape.path === 'root/evaluate');
  if (runState === 'FAILED') {
    if (task.path === 'root' || task.path === 'root/evaluate') return 'FAILED';
    return order < evaluate ? 'SUCCEEDED' : 'SKIPPED';
  }
  if (task.path === 'root' || task.path.startsWith('root/for-loop-1')) {
    return task.container ? 'QUEUED' : 'RUNNING';
  }
  return order < evaluate ? 'SUCCEEDED' : 'PENDING';
}

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'SKIPPED']);

async function insertAll<T extends keyof CairnDatabase & string>(
  trx: Kysely<CairnDatabase>,
  table: T,
  rows: readonly Insertable<CairnDatabase[T]>[],
): Promise<void> {
  for (let at = 0; at < rows.length; at += ROWS_PER_STATEMENT) {
    await trx
      .insertInto(table)
      .values(rows.slice(at, at + ROWS_PER_STATEMENT) as Insertable<CairnDatabase[T]>[])
      .execute();
  }
}

/** Writes objects with a few puts in flight, since each put waits for its own fsync. */
async function putAll(
  store: ArtifactStore,
  objects: readonly { key: string; body: Buffer }[],
): Promise<void> {
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < objects.length) {
      const object = objects[next++] as { key: string; body: Buffer };
      await store.put(object.key, object.body);
    }
  };
  await Promise.all(Array.from({ length: OBJECT_WRITERS }, writer));
}

export async function seedHistory(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  store: ArtifactStore,
  options: HistoryOptions,
): Promise<SeededHistory> {
  const started = performance.now();
  const seeded = await seedRuns(db, dialect, { runs: options.runs, specText: options.specText });
  const random = generator(7_000_001);
  const pipelineContexts = new Map<string, string>();
  let rows = seeded.runs + seeded.historyRows;
  let objects = 0;
  let objectBytes = 0;
  let after = '';
  let seen = 0;
  for (;;) {
    const runs: RunRow[] = await db
      .selectFrom('runs')
      .leftJoin('pipelines', 'pipelines.id', 'runs.pipeline_id')
      .select([
        'runs.id',
        'runs.state',
        'pipelines.name as pipeline_name',
        'runs.created_at',
        'runs.started_at',
        'runs.finished_at',
      ])
      .where('runs.id', '>', after)
      .orderBy('runs.id')
      .limit(RUNS_PER_TRANSACTION)
      .execute();
    if (runs.length === 0) break;
    after = (runs.at(-1) as RunRow).id;

    const tasks: Insertable<TasksTable>[] = [];
    const executions: Insertable<CairnDatabase['executions']>[] = [];
    const artifacts: Insertable<CairnDatabase['artifacts']>[] = [];
    const events: Insertable<CairnDatabase['events']>[] = [];
    const contexts: Insertable<CairnDatabase['contexts']>[] = [];
    const contextExecutions: Insertable<CairnDatabase['context_executions']>[] = [];
    const contextArtifacts: Insertable<CairnDatabase['context_artifacts']>[] = [];
    const puts: { key: string; body: Buffer }[] = [];

    for (const run of runs) {
      const lineage = seen++ % options.lineageEvery === 0 && run.state !== 'RUNNING';
      const pipelineName = run.pipeline_name ?? 'inline-pipeline';
      const startedAt = run.started_at ?? run.created_at;
      const ids = new Map(TASKS.map((task) => [task.path, uuidOf(`${run.id}/${task.path}`)]));
      let runContext: string | undefined;
      let pipelineContext: string | undefined;
      if (lineage) {
        runContext = uuidOf(`context/${run.id}`);
        contexts.push({
          id: runContext,
          type: CONTEXT_TYPE.RUN,
          name: run.id,
          metadata: null,
          created_at: startedAt,
        });
        pipelineContext = pipelineContexts.get(pipelineName);
        if (pipelineContext === undefined) {
          pipelineContext = uuidOf(`context/${pipelineName}`);
          pipelineContexts.set(pipelineName, pipelineContext);
          contexts.push({
            id: pipelineContext,
            type: CONTEXT_TYPE.PIPELINE,
            name: pipelineName,
            metadata: null,
            created_at: startedAt,
          });
        }
      }
      let model: string | undefined;
      for (const [order, task] of TASKS.entries()) {
        const state = taskState(run.state, task);
        const id = ids.get(task.path) as string;
        const at = startedAt + order * 1000;
        const finished = FINAL.has(state);
        const ran = finished && state !== 'SKIPPED';
        const name = task.path.split('/').at(-1) as string;
        tasks.push({
          id,
          run_id: run.id,
          parent_task_id: task.parent === null ? null : (ids.get(task.parent) as string),
          path: task.path,
          name,
          display_name: task.container ? name : null,
          kind: task.kind,
          iteration_index: task.iteration,
          state,
          attempt: task.container && ran ? 1 : 0,
          max_attempts: task.container ? 3 : 1,
          inputs: JSON.stringify({
            parameters: { learning_rate: 0.001, epochs: 20, shard: task.iteration ?? 0 },
            artifacts: {},
          }),
          outputs: ran
            ? JSON.stringify({ parameters: { accuracy: Math.round(random() * 1000) / 1000 }, artifacts: {} })
            : null,
          error: state === 'FAILED' ? 'exit code 1' : null,
          cache_fingerprint: task.container ? createHash('sha256').update(id).digest('hex') : null,
          cached_from_task_id: null,
          lease_token: null,
          lease_owner: null,
          lease_expires_at: null,
          heartbeat_at: null,
          ready_at: state === 'QUEUED' ? at : null,
          created_at: at,
          started_at: state === 'PENDING' || state === 'QUEUED' ? null : at,
          finished_at: finished ? (run.finished_at ?? at + 500) : null,
          updated_at: finished ? (run.finished_at ?? at + 500) : at,
        });
        if (!lineage || !task.container || !ran) continue;

        const executionId = uuidOf(`execution/${id}`);
        executions.push({
          id: executionId,
          run_id: run.id,
          task_id: id,
          type: EXECUTION_TYPE.CONTAINER,
          name,
          state: state === 'FAILED' ? EXECUTION_STATE.FAILED : EXECUTION_STATE.COMPLETE,
          metadata: encodeExecutionDocument({
            inputParameters: { learning_rate: 0.001 },
            outputParameters: {},
            properties: { image: 'python:3.11', attempt: 0 },
          }),
          created_at: at,
          updated_at: at + 500,
        });
        contextExecutions.push(
          { context_id: runContext as string, execution_id: executionId },
          { context_id: pipelineContext as string, execution_id: executionId },
        );
        const log = Buffer.from(`training step 1\n`.repeat(128 + Math.floor(random() * 384)));
        puts.push({ key: taskLogKey({ pipelineName, runId: run.id, taskPath: task.path }, 0), body: log });

        const output = (outputName: string, type: string, body: Buffer): string => {
          const key = taskOutputKey({ pipelineName, runId: run.id, taskPath: task.path }, outputName);
          const uri = `${store.url}/${key}`;
          const artifactId = uuidOf(`artifact/${uri}`);
          artifacts.push({
            id: artifactId,
            uri,
            uri_sha256: createHash('sha256').update(uri).digest('hex'),
            type,
            name: outputName,
            metadata: JSON.stringify({ framework: 'pytorch' }),
            content_sha256: createHash('sha256').update(body).digest('hex'),
            size_bytes: body.length,
            created_at: at + 400,
            updated_at: at + 400,
          });
          events.push({
            id: uuidOf(`event/${executionId}/${outputName}`),
            execution_id: executionId,
            artifact_id: artifactId,
            kind: EVENT_KIND.OUTPUT,
            name: outputName,
            list_index: 0,
            created_at: at + 400,
          });
          contextArtifacts.push(
            { context_id: runContext as string, artifact_id: artifactId },
            { context_id: pipelineContext as string, artifact_id: artifactId },
          );
          puts.push({ key, body });
          return artifactId;
        };
        if (task.path === 'root/for-loop-1/0/train') {
          const size = Math.floor(4096 * (options.maxModelBytes / 4096) ** random());
          model = output('model', 'system.Model', Buffer.alloc(size, run.id));
        }
        if (task.path === 'root/evaluate' && model !== undefined) {
          events.push({
            id: uuidOf(`event/${executionId}/model`),
            execution_id: executionId,
            artifact_id: model,
            kind: EVENT_KIND.INPUT,
            name: 'model',
            list_index: 0,
            created_at: at,
          });
          output('metrics', 'system.Metrics', Buffer.from(JSON.stringify({ accuracy: random() })));
        }
      }
    }

    // Objects first, as the engine stores them before the rows that point at them.
    await putAll(store, puts);
    objects += puts.length;
    objectBytes += puts.reduce((sum, put) => sum + put.body.length, 0);
    await db.transaction().execute(async (trx) => {
      await insertAll(trx, 'tasks', tasks);
      await insertAll(trx, 'contexts', contexts);
      await insertAll(trx, 'artifacts', artifacts);
      await insertAll(trx, 'executions', executions);
      await insertAll(trx, 'events', events);
      await insertAll(trx, 'context_executions', contextExecutions);
      await insertAll(trx, 'context_artifacts', contextArtifacts);
    });
    rows +=
      tasks.length +
      contexts.length +
      artifacts.length +
      executions.length +
      events.length +
      contextExecutions.length +
      contextArtifacts.length;
  }
  return {
    runs: seeded.runs,
    rows,
    objects,
    objectBytes,
    seconds: (performance.now() - started) / 1000,
  };
}
