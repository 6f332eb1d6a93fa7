import type { ExecutorTaskPlan } from '@cairn/spec';
import type { Kysely } from 'kysely';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import { CairnError, errorMessage } from '../../errors.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import type { ExecutableTask, ExecutionResult, TaskExecutor } from '../executor/task-executor.ts';
import { completeTask } from '../leases/complete-task.ts';
import { heartbeat } from '../leases/heartbeat.ts';
import { releaseTask } from '../leases/release-task.ts';
import type { ClaimedTask } from '../leases/take-claims.ts';
import { TASK_STATE } from '../leases/task-states.ts';
import { locateTask } from '../scheduler/locate-plan.ts';
import { propagate } from '../scheduler/propagate.ts';
import { runPipeline } from '../scheduler/run-plans.ts';
import { schedulerContext } from '../scheduler/scheduler-context.ts';
import { taskById } from '../scheduler/task-rows.ts';
import { parseValues, storedArtifact, type TaskValues } from '../scheduler/task-values.ts';
import { persistently } from './persistently.ts';

export interface WorkerResources {
  readonly db: Kysely<CairnDatabase>;
  readonly dialect: StoreDialect;
  readonly artifactStore: ArtifactStore;
  readonly executor: TaskExecutor;
  /** Where task working directories go. */
  readonly workDir: string;
  readonly leaseMs: number;
  /** The pipeline root of runs that name none: the artifact store's own URL. */
  readonly defaultPipelineRoot: string;
}

/**
 * Runs one claimed task to its end: executes it while heartbeating the lease, then records the outcome
 * and its consequences for the run in one fenced transaction. A worker that loses its lease stops the
 * task and records nothing: whoever holds the lease now owns the outcome.
 */
export async function runClaimedTask(resources: WorkerResources, claimed: ClaimedTask): Promise<void> {
  const { db, dialect } = resources;
  const lease = { taskId: claimed.id, token: claimed.lease_token };
  const stop = new AbortController();
  const beat = setInterval(
    () => {
      heartbeat(db, dialect, { ...lease, leaseMs: resources.leaseMs }).then(
        (held) => {
          if (!held) stop.abort(new Error('the lease was lost'));
        },
        () => {
          // A failed heartbeat is retried at the next beat; the lease outlives a few of them.
        },
      );
    },
    Math.max(100, Math.floor(resources.leaseMs / 3)),
  );
  let result: ExecutionResult;
  let plan: ExecutorTaskPlan;
  try {
    const prepared = await executableTask(resources, claimed);
    plan = prepared.plan;
    result = await resources.executor.run(prepared.task, {
      artifactStore: resources.artifactStore,
      workDir: resources.workDir,
      signal: stop.signal,
    });
  } catch (error) {
    await completeTask(
      db,
      dialect,
      { ...lease, state: TASK_STATE.FAILED, error: errorMessage(error) },
      (trx, { now }) => afterEnd(trx, dialect, claimed, now),
    );
    return;
  } finally {
    clearInterval(beat);
  }
  if (stop.signal.aborted) return;
  if (result.status === 'succeeded') {
    const outputs: TaskValues = { parameters: { ...result.outputParameters }, artifacts: {} };
    for (const [name, artifact] of Object.entries(result.outputArtifacts)) {
      outputs.artifacts[name] = [storedArtifact(artifact)];
    }
    await persistently(() =>
      completeTask(
        db,
        dialect,
        { ...lease, state: TASK_STATE.SUCCEEDED, outputs: JSON.stringify(outputs) },
        (trx, { now }) => afterEnd(trx, dialect, claimed, now),
      ),
    );
    return;
  }
  const error = result.error ?? 'the task failed';
  if (claimed.attempt < claimed.max_attempts) {
    const release = { ...lease, backoffMs: backoffMs(plan, claimed.attempt), error };
    const outcome = await persistently(() => releaseTask(db, dialect, release));
    if (outcome !== 'no-attempts-left') return;
  }
  await persistently(() =>
    completeTask(db, dialect, { ...lease, state: TASK_STATE.FAILED, error }, (trx, { now }) =>
      afterEnd(trx, dialect, claimed, now),
    ),
  );
}

/** The delay before the next attempt: KFP's backoff, duration × factor^(retries so far), capped. */
function backoffMs(plan: ExecutorTaskPlan, attempt: number): number {
  const { backoffMs: first, backoffFactor, maxBackoffMs } = plan.retry;
  return Math.min(maxBackoffMs, Math.round(first * backoffFactor ** Math.max(0, attempt - 1)));
}

async function afterEnd(
  trx: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  claimed: ClaimedTask,
  now: number,
): Promise<void> {
  const row = await taskById(trx, claimed.id);
  if (row === undefined) return;
  await propagate(await schedulerContext(trx, dialect, claimed.run_id, now), row);
}

async function executableTask(
  resources: WorkerResources,
  claimed: ClaimedTask,
): Promise<{ task: ExecutableTask; plan: ExecutorTaskPlan }> {
  const pipeline = await runPipeline(resources.db, claimed.run_id);
  const { task } = locateTask(pipeline.plan, claimed.path);
  if (task === undefined || task.kind === 'dag') {
    throw new CairnError('RUN_INCONSISTENT', `task ${claimed.path} is not an executor task of its pipeline`);
  }
  const container = pipeline.spec.deploymentSpec?.executors?.[task.executorLabel]?.container;
  if (container === undefined) {
    throw new CairnError(
      'RUN_INCONSISTENT',
      `executor ${task.executorLabel} of task ${claimed.path} is not a container`,
    );
  }
  const run = await resources.db
    .selectFrom('runs')
    .select(['display_name', 'created_at', 'runtime_config'])
    .where('id', '=', claimed.run_id)
    .executeTakeFirstOrThrow();
  const runtimeConfig = JSON.parse(run.runtime_config) as { pipeline_root?: string | null };
  const inputs = parseValues(claimed.inputs);
  return {
    plan: task,
    task: {
      runId: claimed.run_id,
      taskId: claimed.id,
      taskPath: claimed.path,
      taskName: claimed.display_name ?? claimed.name,
      attempt: claimed.attempt,
      pipelineName: pipeline.plan.pipeline.name,
      pipelineRoot:
        runtimeConfig.pipeline_root ??
        pipeline.plan.pipeline.defaultPipelineRoot ??
        resources.defaultPipelineRoot,
      container,
      inputDefinitions: task.inputDefinitions,
      outputDefinitions: task.outputDefinitions,
      inputParameters: inputs.parameters,
      inputArtifacts: inputs.artifacts,
      system: { jobName: run.display_name, jobUuid: claimed.run_id, jobCreateTime: run.created_at },
    },
  };
}
