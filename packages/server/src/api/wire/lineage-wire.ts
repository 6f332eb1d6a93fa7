import type {
  ArtifactConsumers as ArtifactConsumersWire,
  ArtifactLineage as ArtifactLineageWire,
  EventEnd as EventEndWire,
  Execution,
  LineageRun,
  LineageTask,
  RunArtifacts as RunArtifactsWire,
  RuntimeState,
} from '@cairn/sdk/api';
import { TASK_STATE } from '../../engine/leases/task-states.ts';
import type { ArtifactConsumers } from '../../engine/lineage/queries/artifact-consumers.ts';
import type { ArtifactLineage } from '../../engine/lineage/queries/artifact-lineage.ts';
import type {
  EventEnd,
  ExecutionView,
  RunSummary,
  TaskSummary,
} from '../../engine/lineage/queries/lineage-views.ts';
import type { RunArtifacts } from '../../engine/lineage/queries/run-artifacts.ts';
import { artifactToWire } from './artifact-wire.ts';
import { rfc3339 } from './timestamps.ts';

export function lineageToWire(lineage: ArtifactLineage): ArtifactLineageWire {
  return {
    artifact_id: lineage.artifactId,
    artifacts: lineage.artifacts.map((artifact) => artifactToWire(artifact)),
    steps: lineage.steps.map((step) => ({
      execution: executionToWire(step.execution),
      ...taskAndRun(step.task, step.run),
      inputs: step.inputs.map(eventEndToWire),
      outputs: step.outputs.map(eventEndToWire),
      depth: step.depth,
    })),
    truncated: lineage.truncated,
  };
}

export function consumersToWire(consumed: ArtifactConsumers): ArtifactConsumersWire {
  return {
    artifact: artifactToWire(consumed.artifact),
    consumers: consumed.consumers.map((consumer) => ({
      input_name: consumer.inputName,
      list_index: consumer.listIndex,
      execution: executionToWire(consumer.execution),
      ...taskAndRun(consumer.task, consumer.run),
    })),
    truncated: consumed.truncated,
  };
}

export function runArtifactsToWire(produced: RunArtifacts): RunArtifactsWire {
  return {
    run_id: produced.runId,
    executions: produced.executions.map((entry) => ({
      ...(entry.task === null ? {} : { task: taskToWire(entry.task) }),
      execution: executionToWire(entry.execution),
      outputs: Object.fromEntries(
        Object.entries(entry.outputs).map(([name, artifacts]) => [
          name,
          artifacts.map((artifact) => artifactToWire(artifact)),
        ]),
      ),
    })),
  };
}

function executionToWire(execution: ExecutionView): Execution {
  const { cachedFrom } = execution;
  return {
    execution_id: execution.id,
    execution_type: execution.type,
    ...(execution.name === null ? {} : { name: execution.name }),
    state: execution.state,
    ...(execution.runId === null ? {} : { run_id: execution.runId }),
    ...(execution.taskId === null ? {} : { task_id: execution.taskId }),
    input_parameters: execution.inputParameters,
    output_parameters: execution.outputParameters,
    ...(cachedFrom === undefined
      ? {}
      : {
          cached_from: {
            execution_id: cachedFrom.executionId,
            ...(cachedFrom.taskId === null ? {} : { task_id: cachedFrom.taskId }),
          },
        }),
    properties: execution.properties,
    created_at: rfc3339(execution.createdAt),
    updated_at: rfc3339(execution.updatedAt),
  };
}

function taskAndRun(task: TaskSummary | null, run: RunSummary | null) {
  return {
    ...(task === null ? {} : { task: taskToWire(task) }),
    ...(run === null ? {} : { run: runToWire(run) }),
  };
}

/** States in KFP's names, as the runs API reports them: a queued task is still PENDING to the user. */
function taskToWire(task: TaskSummary): LineageTask {
  return {
    task_id: task.id,
    name: task.name,
    ...(task.displayName === null ? {} : { display_name: task.displayName }),
    path: task.path,
    state: (task.state === TASK_STATE.QUEUED ? 'PENDING' : task.state) as RuntimeState,
  };
}

function runToWire(run: RunSummary): LineageRun {
  return { run_id: run.id, display_name: run.displayName, state: run.state as RuntimeState };
}

function eventEndToWire(end: EventEnd): EventEndWire {
  return { name: end.name, list_index: end.listIndex, artifact_id: end.artifactId };
}
