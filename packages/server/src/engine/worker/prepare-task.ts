import type { ExecutorTaskPlan } from '@cairn/spec';
import { CairnError } from '../../errors.ts';
import type { ExecutableTask } from '../executor/task-executor.ts';
import type { ClaimedTask } from '../leases/take-claims.ts';
import { locateTask } from '../scheduler/locate-plan.ts';
import { type RunPipeline, runPipeline } from '../scheduler/run-plans.ts';
import { parseValues } from '../scheduler/task-values.ts';
import type { WorkerResources } from './worker-resources.ts';

/** A claimed task made ready to execute, with what recording its outcome needs. */
export interface PreparedTask {
  readonly task: ExecutableTask;
  readonly plan: ExecutorTaskPlan;
  readonly namespace: string;
  /** The run's own switch (KFP's `enable_caching` at submission); the task's and the server's apply too. */
  readonly runCaching: boolean;
}

export async function prepareTask(resources: WorkerResources, claimed: ClaimedTask): Promise<PreparedTask> {
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
    .select(['display_name', 'namespace', 'created_at', 'runtime_config'])
    .where('id', '=', claimed.run_id)
    .executeTakeFirstOrThrow();
  const runtimeConfig = JSON.parse(run.runtime_config) as {
    pipeline_root?: string | null;
    enable_caching?: boolean;
  };
  const inputs = parseValues(claimed.inputs);
  const timeoutMs = taskTimeoutMs(pipeline, task.executorLabel) ?? resources.taskTimeoutMs;
  return {
    plan: task,
    namespace: run.namespace,
    runCaching: runtimeConfig.enable_caching !== false,
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
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    },
  };
}

/**
 * A task's timeout as kfp-kubernetes' `set_timeout` writes it: `activeDeadlineSeconds` in the Kubernetes
 * platform config of its executor, which a pod would be killed after.
 */
function taskTimeoutMs(pipeline: RunPipeline, executorLabel: string): number | undefined {
  const config = pipeline.platformSpec?.platforms?.kubernetes?.deploymentSpec?.executors?.[executorLabel];
  const seconds = config?.activeDeadlineSeconds;
  const value = typeof seconds === 'string' ? Number(seconds) : seconds;
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? Math.round(value * 1000)
    : undefined;
}
