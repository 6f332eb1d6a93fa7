import { randomUUID } from 'node:crypto';
import type { DagPlan, ExecutorTaskPlan, IteratorPlan, JsonObject, JsonValue, TaskPlan } from '@cairn/spec';
import { errorMessage } from '../../errors.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import { evaluateTriggerCondition } from '../expressions/evaluate-trigger-condition.ts';
import { TASK_STATE, type TaskState } from '../leases/task-states.ts';
import { EXECUTION_STATE, EXECUTION_TYPE } from '../lineage/lineage-vocabulary.ts';
import { recordTaskExecution } from '../lineage/record-task-execution.ts';
import { dagOfRow, locateTask } from './locate-plan.ts';
import { resolveInputs } from './resolve-inputs.ts';
import type { RunPipeline } from './run-plans.ts';
import { TASK_KIND } from './task-kinds.ts';
import {
  childrenOf,
  countChildren,
  countOpenChildren,
  FINAL_STATES,
  finishStructuralTask,
  hasOpenChild,
  insertTask,
  isFinal,
  stateAt,
  type TaskRow,
  type Trx,
} from './task-rows.ts';
import {
  emptyValues,
  type IteratorInputs,
  parseValues,
  type StoredArtifact,
  type TaskValues,
} from './task-values.ts';

/** What one scheduling pass works in: the transaction that changed the run, and the run's pipeline. */
export interface SchedulerContext {
  readonly trx: Trx;
  readonly dialect: StoreDialect;
  readonly now: number;
  /**
   * Whether the database takes row locks (`FOR UPDATE`). Where it does, a pass locks the DAG it advances,
   * so two siblings ending at once advance their DAG one after the other; SQLite has one writer anyway.
   */
  readonly rowLocks: boolean;
  readonly runId: string;
  /** The run is being terminated: nothing new starts, and what ends, ends CANCELED. */
  readonly canceling: boolean;
  /** What KFP's system placeholders in constants resolve to: the run's name and creation time. */
  readonly run: { readonly displayName: string; readonly createdAt: number };
  readonly pipeline: RunPipeline;
  readonly rootInputs: TaskValues;
}

const FAILED_STATES: readonly string[] = [TASK_STATE.FAILED, TASK_STATE.CANCELED];

/**
 * Starts every task of a DAG instance whose upstream tasks are final, and ends the DAG when all of its
 * tasks are final. Returns the DAG row as it now stands; the caller decides whether to go on upward.
 * Everything happens in the caller's transaction, so a crash leaves either the whole pass or none of it.
 * The DAG's task rows are read, unless the caller passes them as they stand.
 */
export async function advanceDag(
  ctx: SchedulerContext,
  dagRow: TaskRow,
  children?: readonly TaskRow[],
): Promise<TaskRow> {
  if (isFinal(dagRow)) return dagRow;
  const dag = dagOfRow(ctx.pipeline.plan, dagRow.path, dagRow.kind);
  const rows = new Map((children ?? (await childrenOf(ctx.trx, dagRow.id))).map((row) => [row.name, row]));
  const dagInputs = parseValues(dagRow.inputs);
  // A task that ends as soon as it starts (skipped, importer, empty loop) may unblock others at once.
  for (let progressed = !ctx.canceling; progressed; ) {
    progressed = false;
    for (const task of dag.tasks) {
      if (rows.has(task.key)) continue;
      const upstream = task.upstream.map((key) => rows.get(key));
      if (upstream.some((row) => row === undefined || !isFinal(row))) continue;
      const row = await startTask(ctx, dagRow, task, upstream as TaskRow[], { dagInputs, siblings: rows });
      rows.set(task.key, row);
      progressed ||= isFinal(row);
    }
  }
  if (ctx.canceling) {
    if ([...rows.values()].some((row) => !isFinal(row))) return dagRow;
    return finishStructuralTask(
      ctx.trx,
      dagRow,
      TASK_STATE.CANCELED,
      emptyValues(),
      'the run was terminated',
      ctx.now,
    );
  }
  if (dag.tasks.some((task) => !isFinal(rows.get(task.key) ?? { state: TASK_STATE.PENDING }))) return dagRow;
  return finishDag(ctx, dagRow, dag, rows);
}

/** Advances a DAG row this pass has just inserted: it has no tasks yet, so none are read. */
export function startDag(ctx: SchedulerContext, dagRow: TaskRow): Promise<TaskRow> {
  return advanceDag(ctx, dagRow, []);
}

interface Siblings {
  readonly dagInputs: TaskValues;
  readonly siblings: ReadonlyMap<string, TaskRow>;
}

async function startTask(
  ctx: SchedulerContext,
  dagRow: TaskRow,
  task: TaskPlan,
  upstream: readonly TaskRow[],
  { dagInputs, siblings }: Siblings,
): Promise<TaskRow> {
  const taskId = randomUUID();
  const base = {
    id: taskId,
    runId: ctx.runId,
    parentId: dagRow.id,
    path: `${dagRow.path}/${task.key}`,
    name: task.key,
    displayName: task.displayName,
    now: ctx.now,
  };
  const ended = (kind: string, state: TaskState, error?: string) =>
    insertTask(ctx.trx, { ...base, kind, state, ...(error === undefined ? {} : { error }) });
  const kind = task.iterator ? TASK_KIND.ITERATOR : task.kind;
  if (task.trigger.strategy === 'ALL_UPSTREAM_TASKS_SUCCEEDED') {
    const failed = upstream.find((row) => FAILED_STATES.includes(row.state));
    if (failed)
      return ended(kind, TASK_STATE.SKIPPED, `not run: upstream task "${failed.name}" ended ${failed.state}`);
    const skipped = upstream.find((row) => row.state === TASK_STATE.SKIPPED);
    if (skipped)
      return ended(kind, TASK_STATE.SKIPPED, `not run: upstream task "${skipped.name}" was skipped`);
  }
  const resolved = resolveInputs(task, {
    dagInputs,
    siblings,
    rootInputs: ctx.rootInputs,
    runId: ctx.runId,
    pipelineName: ctx.pipeline.plan.pipeline.name,
    system: {
      jobName: ctx.run.displayName,
      jobCreateTime: ctx.run.createdAt,
      taskName: task.displayName,
      taskId,
    },
  });
  if (!resolved.ok) return ended(kind, TASK_STATE.FAILED, resolved.error);
  const inputs = resolved.values;
  // A DAG's inputs left unbound take the DAG component's defaults, as KFP's driver fills them; an
  // executor task's are filled by its executor, which must also know which inputs were given (IfPresent).
  if (task.kind === 'dag') {
    for (const [name, definition] of Object.entries(task.dag.inputDefinitions.parameters)) {
      if (!(name in inputs.parameters) && definition.defaultValue !== undefined) {
        inputs.parameters[name] = definition.defaultValue;
      }
    }
  }
  if (task.trigger.condition !== undefined) {
    let triggered: boolean;
    try {
      triggered = evaluateTriggerCondition(task.trigger.condition, { parameterValues: inputs.parameters });
    } catch (error) {
      return ended(kind, TASK_STATE.FAILED, errorMessage(error));
    }
    if (!triggered)
      return ended(kind, TASK_STATE.SKIPPED, `not run: condition ${task.trigger.condition} is false`);
  }
  if (task.iterator) return startIterator(ctx, base, task, inputs);
  switch (task.kind) {
    case 'container':
      return insertTask(ctx.trx, {
        ...base,
        kind: TASK_KIND.CONTAINER,
        state: TASK_STATE.QUEUED,
        inputs,
        maxAttempts: task.retry.maxRetryCount + 1,
      });
    case 'importer':
      return importArtifact(ctx, base, task, inputs);
    case 'resolver':
      return ended(TASK_KIND.RESOLVER, TASK_STATE.FAILED, 'resolver executors are not supported by Cairn');
    case 'dag': {
      const row = await insertTask(ctx.trx, {
        ...base,
        kind: TASK_KIND.DAG,
        state: TASK_STATE.RUNNING,
        inputs,
      });
      return startDag(ctx, row);
    }
  }
}

type TaskBase = Omit<Parameters<typeof insertTask>[1], 'kind' | 'state'>;

/**
 * KFP's importer runs in the driver: it records the artifact at the URI, without running anything. Its
 * metadata may name the task's inputs through placeholders, which resolve here.
 */
async function importArtifact(
  ctx: SchedulerContext,
  base: TaskBase & { id: string },
  task: ExecutorTaskPlan,
  inputs: TaskValues,
) {
  const executor = ctx.pipeline.spec.deploymentSpec?.executors?.[task.executorLabel];
  const importer = executor?.importer;
  const uriSource = importer?.artifactUri;
  const uri =
    uriSource?.runtimeParameter !== undefined
      ? inputs.parameters[uriSource.runtimeParameter]
      : uriSource?.constant;
  if (typeof uri !== 'string' || uri === '') {
    return insertTask(ctx.trx, {
      ...base,
      kind: TASK_KIND.IMPORTER,
      state: TASK_STATE.FAILED,
      inputs,
      error: `the importer's artifact URI is ${JSON.stringify(uri ?? null)}; expected a non-empty string`,
    });
  }
  const artifact: StoredArtifact = {
    artifactId: randomUUID(),
    name: 'artifact',
    uri,
    metadata: withInputValues(importer?.metadata ?? {}, inputs) as JsonObject,
    schemaTitle: importer?.typeSchema?.schemaTitle ?? 'system.Artifact',
  };
  const outputs: TaskValues = { parameters: {}, artifacts: { artifact: [artifact] } };
  const row = await insertTask(ctx.trx, {
    ...base,
    kind: TASK_KIND.IMPORTER,
    state: TASK_STATE.SUCCEEDED,
    inputs,
    outputs,
  });
  await recordTaskExecution(ctx.trx, ctx.dialect, {
    runId: ctx.runId,
    taskId: base.id,
    pipelineName: ctx.pipeline.plan.pipeline.name,
    type: EXECUTION_TYPE.IMPORTER,
    name: task.displayName,
    state: EXECUTION_STATE.COMPLETE,
    inputParameters: inputs.parameters,
    inputs: [],
    outputs: [
      {
        name: 'artifact',
        id: artifact.artifactId,
        uri,
        schemaTitle: artifact.schemaTitle,
        metadata: artifact.metadata,
      },
    ],
    now: ctx.now,
  });
  return row;
}

/** Replaces `{{$.inputs.parameters['x']}}` in a JSON value, keys included: the value itself when a string is only that. */
function withInputValues(value: JsonValue, inputs: TaskValues): JsonValue {
  if (typeof value === 'string') {
    const whole = /^\{\{\$\.inputs\.parameters\['([^']*)'\]\}\}$/.exec(value);
    if (whole) return inputs.parameters[whole[1] ?? ''] ?? value;
    return value.replace(/\{\{\$\.inputs\.parameters\['([^']*)'\]\}\}/g, (text, name: string) => {
      const input = inputs.parameters[name];
      return input === undefined ? text : typeof input === 'string' ? input : JSON.stringify(input);
    });
  }
  if (Array.isArray(value)) return value.map((item) => withInputValues(item, inputs));
  if (value !== null && typeof value === 'object') {
    // Keys may be placeholders too (KFP's dynamic importer metadata).
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        const resolved = withInputValues(key, inputs);
        return [
          typeof resolved === 'string' ? resolved : JSON.stringify(resolved),
          withInputValues(item, inputs),
        ];
      }),
    );
  }
  return value;
}

async function startIterator(ctx: SchedulerContext, base: TaskBase, task: TaskPlan, inputs: TaskValues) {
  const iterator = task.iterator;
  let items: JsonValue[] | StoredArtifact[] | undefined;
  if (iterator?.kind === 'artifact') items = inputs.artifacts[iterator.inputArtifact] ?? [];
  else if (iterator?.items.kind === 'raw') items = [...iterator.items.values];
  else if (iterator?.items.kind === 'input') items = listOf(inputs.parameters[iterator.items.name]);
  if (items === undefined) {
    const name = iterator?.kind === 'parameter' && iterator.items.kind === 'input' ? iterator.items.name : '';
    return insertTask(ctx.trx, {
      ...base,
      kind: TASK_KIND.ITERATOR,
      state: TASK_STATE.FAILED,
      inputs,
      error: `the loop's items (input "${name}") are not a list`,
    });
  }
  const iteratorInputs: IteratorInputs = { ...inputs, items };
  const row = await insertTask(ctx.trx, {
    ...base,
    kind: TASK_KIND.ITERATOR,
    state: TASK_STATE.RUNNING,
    inputs: iteratorInputs,
  });
  return advanceIterator(ctx, row);
}

/** A list parameter may arrive as a list or as its JSON text (KFP passes lists as strings in places). */
function listOf(value: JsonValue | undefined): JsonValue[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? (parsed as JsonValue[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts iterations while fewer than the parallelism limit run, and ends the loop when every item has
 * had its iteration. Iteration outputs fan back in as lists, in item order (KFP's Collected).
 */
export async function advanceIterator(ctx: SchedulerContext, row: TaskRow): Promise<TaskRow> {
  if (isFinal(row)) return row;
  const { task } = locateTask(ctx.pipeline.plan, row.path);
  if (task?.kind !== 'dag' || task.iterator === undefined) throw new Error(`${row.path} is not a loop`);
  const inputs = JSON.parse(row.inputs ?? '{}') as IteratorInputs;
  const total = inputs.items.length;
  if (ctx.canceling) {
    if (await hasOpenChild(ctx.trx, row.id)) return row;
    return finishStructuralTask(
      ctx.trx,
      row,
      TASK_STATE.CANCELED,
      emptyValues(),
      'the run was terminated',
      ctx.now,
    );
  }
  // Iterations start in item order (and are never deleted), so the last item's exists once all have
  // started; and since they are claimed in about that order too, it is the likeliest to be still open.
  // One lookup settles most ends of iterations, where reading the loop's rows cost O(n) each time.
  const last = total > 0 ? await stateAt(ctx.trx, ctx.runId, `${row.path}/${total - 1}`) : undefined;
  if (last !== undefined) {
    if (!FINAL_STATES.includes(last)) return row;
  } else if (total > 0) {
    const { started, running } = await startIterations(ctx, row, task.iterator, inputs);
    if (started < total || running > 0) return row;
  }
  if (await hasOpenChild(ctx.trx, row.id)) return row;
  const children = (await childrenOf(ctx.trx, row.id)).sort(
    (a, b) => (a.iteration_index ?? 0) - (b.iteration_index ?? 0),
  );
  const outputs = emptyValues();
  for (const name of Object.keys(task.dag.outputDefinitions.parameters)) {
    outputs.parameters[name] = children.map((child) => parseValues(child.outputs).parameters[name] ?? null);
  }
  for (const name of Object.keys(task.dag.outputDefinitions.artifacts)) {
    outputs.artifacts[name] = children.flatMap((child) => parseValues(child.outputs).artifacts[name] ?? []);
  }
  const failed = children.find((child) => FAILED_STATES.includes(child.state));
  const state = failed ? TASK_STATE.FAILED : TASK_STATE.SUCCEEDED;
  const error = failed ? `iteration ${failed.name}: ${failed.error ?? failed.state}` : null;
  return finishStructuralTask(ctx.trx, row, state, outputs, error, ctx.now);
}

/**
 * Starts the loop's next iterations while fewer than its parallelism limit run. Returns how many have
 * started in all, and how many of them are open: all of them for a limited loop, only those started
 * now (and not ended at once) for an unlimited one, which starts every item at once.
 */
async function startIterations(
  ctx: SchedulerContext,
  row: TaskRow,
  iterator: IteratorPlan,
  inputs: IteratorInputs,
): Promise<{ started: number; running: number }> {
  const limit = iterator.parallelismLimit > 0 ? iterator.parallelismLimit : Number.POSITIVE_INFINITY;
  let started = await countChildren(ctx.trx, row.id);
  let running = Number.isFinite(limit) ? await countOpenChildren(ctx.trx, row.id) : 0;
  for (; started < inputs.items.length && running < limit; started++) {
    const index = started;
    const item = inputs.items[index];
    const values: TaskValues = { parameters: { ...inputs.parameters }, artifacts: { ...inputs.artifacts } };
    if (iterator.kind === 'artifact') values.artifacts[iterator.itemInput] = [item as StoredArtifact];
    else values.parameters[iterator.itemInput] = item as JsonValue;
    const iteration = await insertTask(ctx.trx, {
      runId: ctx.runId,
      parentId: row.id,
      path: `${row.path}/${index}`,
      name: String(index),
      displayName: `${row.display_name ?? row.name} #${index}`,
      kind: TASK_KIND.ITERATION,
      state: TASK_STATE.RUNNING,
      iterationIndex: index,
      inputs: values,
      now: ctx.now,
    });
    const advanced = await startDag(ctx, iteration);
    if (!isFinal(advanced)) running++;
  }
  return { started, running };
}

/** A DAG ends FAILED if any of its tasks failed (an exit task running afterwards does not change that). */
async function finishDag(
  ctx: SchedulerContext,
  row: TaskRow,
  dag: DagPlan,
  rows: ReadonlyMap<string, TaskRow>,
) {
  const outputs = emptyValues();
  const valuesOf = (task: string) => parseValues(rows.get(task)?.outputs ?? null);
  for (const [name, source] of Object.entries(dag.outputs.parameters)) {
    const candidates = source.kind === 'taskOutput' ? [source] : source.candidates;
    for (const candidate of candidates) {
      const value = valuesOf(candidate.task).parameters[candidate.output];
      if (value !== undefined && rows.get(candidate.task)?.state === TASK_STATE.SUCCEEDED) {
        outputs.parameters[name] = value;
        break;
      }
    }
  }
  for (const [name, source] of Object.entries(dag.outputs.artifacts)) {
    for (const selector of source.selectors) {
      const artifacts = valuesOf(selector.task).artifacts[selector.output];
      if (artifacts !== undefined && artifacts.length > 0) {
        outputs.artifacts[name] = artifacts;
        break;
      }
    }
  }
  const failed = dag.tasks
    .map((task) => rows.get(task.key))
    .find((child) => child && FAILED_STATES.includes(child.state));
  const state = failed ? TASK_STATE.FAILED : TASK_STATE.SUCCEEDED;
  const error = failed ? `task ${failed.name}: ${failed.error ?? failed.state}` : null;
  return finishStructuralTask(ctx.trx, row, state, outputs, error, ctx.now);
}
