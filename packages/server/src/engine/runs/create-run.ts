import { randomUUID } from 'node:crypto';
import { type JsonValue, valueFitsType } from '@cairn/spec';
import type { Kysely } from 'kysely';
import { MAX_NAME_LENGTH } from '../../catalog/names.ts';
import { loadRunHistory, type RunStateRow } from '../../catalog/run-details.ts';
import { getRun, type RunRow } from '../../catalog/runs.ts';
import { CairnError } from '../../errors.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import { insertTogether } from '../../store/insert-together.ts';
import { storedAsWritten } from '../../store/stored-as-written.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { databaseNow } from '../leases/database-now.ts';
import { TASK_STATE } from '../leases/task-states.ts';
import { inWriteTransaction } from '../leases/write-transaction.ts';
import { startDag } from '../scheduler/advance-dag.ts';
import { propagate } from '../scheduler/propagate.ts';
import { pipelineFromText, type RunPipeline } from '../scheduler/run-plans.ts';
import { rowLocks } from '../scheduler/scheduler-context.ts';
import { TASK_KIND } from '../scheduler/task-kinds.ts';
import { isFinal, newTaskRow, type Trx } from '../scheduler/task-rows.ts';
import type { TaskValues } from '../scheduler/task-values.ts';
import { firstStates } from './run-history.ts';
import { RUN_STATE } from './run-state.ts';

export interface NewRun {
  readonly displayName: string;
  readonly description?: string;
  /** The compiled pipeline, YAML or JSON, as uploaded. */
  readonly pipelineSpec: string;
  readonly parameters?: Readonly<Record<string, JsonValue>>;
  readonly pipelineRoot?: string;
  /** Off turns caching off for every task of the run (KFP's `enable_caching` at submission). */
  readonly enableCaching?: boolean;
  readonly experimentId?: string;
  readonly pipelineId?: string;
  readonly pipelineVersionId?: string;
}

/** A run as recorded when it could not start: its spec may be what was missing. */
export type UnstartedRun = Omit<NewRun, 'pipelineSpec'> & { readonly pipelineSpec?: string };

/** A run checked and ready to insert: its pipeline planned and its parameters complete. */
export interface PreparedRun {
  readonly run: NewRun;
  readonly pipeline: RunPipeline;
  readonly rootInputs: TaskValues;
}

/** Where a run fired by a recurring run comes from: the slot is its `scheduled_at`, unique per recurring run. */
export interface RunSchedule {
  readonly recurringRunId: string;
  readonly slot: number;
}

/**
 * Creates a run and starts it, in one transaction: the run row, its state history, the root DAG task and
 * the first tasks that can start. A crash leaves either all of it or none. Bad parameters are refused
 * with the parameter's name, its value and what the pipeline expects.
 */
export async function createRun(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  run: NewRun,
): Promise<string> {
  const prepared = prepareRun(run);
  const inserted = await inWriteTransaction(db, dialect, async (trx) =>
    insertRun(trx, dialect, prepared, await databaseNow(trx, dialect)),
  );
  return inserted.row.id;
}

/**
 * Plans the run's pipeline and checks its parameters, outside any transaction.
 * Throws a CairnError (PIPELINE_INVALID or RUN_INVALID) saying what is wrong.
 */
export function prepareRun(run: NewRun): PreparedRun {
  const pipeline = pipelineFromText(run.pipelineSpec);
  checkNameLengths(pipeline);
  return { run, pipeline, rootInputs: runInputs(pipeline, run.parameters ?? {}) };
}

/** A run's row and state history as its insert leaves them: what reading them back would give. */
export interface InsertedRun {
  readonly row: RunRow;
  readonly history: readonly RunStateRow[];
}

/** Inserts a prepared run and starts it, in the caller's write transaction. */
export async function insertRun(
  trx: Trx,
  dialect: StoreDialect,
  { run, pipeline, rootInputs }: PreparedRun,
  now: number,
  schedule?: RunSchedule,
): Promise<InsertedRun> {
  const row = newRunRow(run, now, schedule, RUN_STATE.RUNNING);
  const runId = row.id;
  const inserted = { row, history: firstStates(runId, RUN_STATE.RUNNING, now) };
  const root = newTaskRow({
    runId,
    parentId: null,
    path: 'root',
    name: 'root',
    displayName: pipeline.plan.pipeline.displayName ?? pipeline.plan.pipeline.name,
    kind: TASK_KIND.ROOT,
    state: TASK_STATE.RUNNING,
    inputs: rootInputs,
    now,
  });
  await insertTogether(trx, dialect, [
    ['runs', [row]],
    ['run_state_history', inserted.history],
    ['tasks', [root]],
  ]);
  const ctx = {
    trx,
    dialect,
    now,
    rowLocks: rowLocks(dialect),
    runId,
    canceling: false,
    run: { displayName: run.displayName, createdAt: now },
    pipeline,
    rootInputs,
  };
  const started = await startDag(ctx, root);
  await propagate(ctx, started);
  // A root that ended in this pass (each of its tasks ended as it started: skipped, imported, unable to
  // start) has ended the run, moving its row and history on; and a string that no driver stores as it is
  // (an unpaired surrogate) reads back otherwise. Either way, only reading them back gives them as they are.
  if (isFinal(started) || !Object.values(inserted.row).every(storedAsWritten)) {
    return { row: await getRun(trx, runId), history: await loadRunHistory(trx, runId) };
  }
  return inserted;
}

/**
 * Records a run that could not start, FAILED with the reason, in the caller's write transaction: a
 * recurring run whose pipeline no longer plans or whose parameters no longer fit still shows its slot.
 */
export async function insertFailedRun(
  trx: Trx,
  dialect: StoreDialect,
  run: UnstartedRun,
  error: string,
  now: number,
  schedule?: RunSchedule,
): Promise<string> {
  const row = newRunRow(run, now, schedule, RUN_STATE.FAILED, error);
  await insertTogether(trx, dialect, [
    ['runs', [row]],
    ['run_state_history', firstStates(row.id, RUN_STATE.FAILED, now, error)],
  ]);
  return row.id;
}

/**
 * A new run's row in the state it starts in (RUNNING, or FAILED when it could not start), inserted with
 * its history from PENDING (`firstStates`): the same rows as moving it from PENDING, without reading back
 * what was just written. Every column is given, defaults included, so the row returned is the row written.
 */
function newRunRow(
  run: UnstartedRun,
  now: number,
  schedule: RunSchedule | undefined,
  state: typeof RUN_STATE.RUNNING | typeof RUN_STATE.FAILED,
  error: string | null = null,
): RunRow {
  return {
    id: randomUUID(),
    namespace: '',
    display_name: run.displayName,
    description: run.description ?? null,
    experiment_id: run.experimentId ?? null,
    pipeline_id: run.pipelineId ?? null,
    pipeline_version_id: run.pipelineVersionId ?? null,
    // The spec stays with the run, so the run can always finish (and be read) whatever happens to
    // the pipeline version it came from.
    pipeline_spec: run.pipelineSpec ?? null,
    runtime_config: JSON.stringify({
      parameters: run.parameters ?? {},
      pipeline_root: run.pipelineRoot ?? null,
      ...(run.enableCaching === undefined ? {} : { enable_caching: run.enableCaching }),
    }),
    service_account: null,
    recurring_run_id: schedule?.recurringRunId ?? null,
    state,
    error,
    storage_state: 'AVAILABLE',
    created_at: now,
    scheduled_at: schedule?.slot ?? now,
    started_at: state === RUN_STATE.RUNNING ? now : null,
    finished_at: state === RUN_STATE.FAILED ? now : null,
    updated_at: now,
  };
}

/** The pipeline's name becomes the root task's name, kept in a 255-character column on every database. */
function checkNameLengths(pipeline: RunPipeline): void {
  const { name, displayName } = pipeline.plan.pipeline;
  for (const [field, value] of [
    ['pipelineInfo.name', name],
    ['pipelineInfo.displayName', displayName],
  ] as const) {
    if (value !== undefined && value.length > MAX_NAME_LENGTH) {
      throw new CairnError(
        'PIPELINE_INVALID',
        `the pipeline's ${field} is ${value.length} characters long; at most ${MAX_NAME_LENGTH} can be kept`,
      );
    }
  }
}

/** The run's parameters checked against the pipeline's inputs, with the defaults filled in. */
function runInputs(pipeline: RunPipeline, parameters: Readonly<Record<string, JsonValue>>): TaskValues {
  const definitions = pipeline.plan.inputDefinitions.parameters;
  const values: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(parameters)) {
    const definition = definitions[name];
    if (definition === undefined) {
      const known = Object.keys(definitions).join(', ') || 'none';
      throw new CairnError(
        'RUN_INVALID',
        `parameter "${name}" is not an input of the pipeline; its inputs: ${known}`,
      );
    }
    if (!valueFitsType(value, definition.type)) {
      throw new CairnError(
        'RUN_INVALID',
        `parameter "${name}" is ${JSON.stringify(value)}, which is not a ${definition.type} value`,
      );
    }
    values[name] = value;
  }
  for (const [name, definition] of Object.entries(definitions)) {
    if (name in values) continue;
    if (definition.defaultValue !== undefined) values[name] = definition.defaultValue;
    else if (!definition.optional) {
      throw new CairnError(
        'RUN_INVALID',
        `parameter "${name}" (${definition.type}) is required and has no default`,
      );
    }
  }
  for (const [name, definition] of Object.entries(pipeline.plan.inputDefinitions.artifacts)) {
    if (!definition.optional) {
      throw new CairnError(
        'RUN_INVALID',
        `the pipeline needs input artifact "${name}", and a run is given parameters only; ` +
          'import the artifact inside the pipeline (an importer task) instead',
      );
    }
  }
  return { parameters: values, artifacts: {} };
}
