import type { ArtifactList, PipelineTaskDetail, Run, RuntimeState, Status } from '@cairn/sdk/api';
import type { RunDetailRows, TaskArtifactEvent, TaskRow } from '../../catalog/run-details.ts';
import type { RunRow } from '../../catalog/runs.ts';
import { TASK_STATE } from '../../engine/leases/task-states.ts';
import { TASK_KIND } from '../../engine/scheduler/task-kinds.ts';
import { runtimeConfigToWire } from './runtime-config-wire.ts';
import { specObject } from './spec-object.ts';
import { rfc3339 } from './timestamps.ts';

/** The task kinds that run an executor: KFP's "jobs", which is what `executor_detail` describes. */
const EXECUTOR_KINDS: readonly string[] = [TASK_KIND.CONTAINER, TASK_KIND.IMPORTER, TASK_KIND.RESOLVER];

/**
 * A run as KFP returns it. Without details (a list page), the heavy parts stay out: the spec, the tasks
 * and the state history; GetRun sends them.
 */
export function runToWire(row: RunRow, details?: RunDetailRows): Run {
  return {
    ...(row.experiment_id === null ? {} : { experiment_id: row.experiment_id }),
    run_id: row.id,
    display_name: row.display_name,
    storage_state: row.storage_state === 'ARCHIVED' ? 'ARCHIVED' : 'AVAILABLE',
    ...(row.description === null ? {} : { description: row.description }),
    ...pipelineOf(row, details !== undefined),
    runtime_config: runtimeConfigToWire(row.runtime_config),
    ...(row.service_account === null ? {} : { service_account: row.service_account }),
    created_at: rfc3339(row.created_at),
    ...(row.scheduled_at === null ? {} : { scheduled_at: rfc3339(row.scheduled_at) }),
    ...(row.finished_at === null ? {} : { finished_at: rfc3339(row.finished_at) }),
    state: row.state as RuntimeState,
    ...(row.error === null ? {} : { error: errorStatus(row.state, row.error) }),
    ...(row.recurring_run_id === null ? {} : { recurring_run_id: row.recurring_run_id }),
    ...(details === undefined
      ? {}
      : {
          run_details: { task_details: taskDetails(row.id, details) },
          state_history: details.history.map((entry) => ({
            update_time: rfc3339(entry.created_at),
            state: entry.state as RuntimeState,
            ...(entry.error === null ? {} : { error: errorStatus(entry.state, entry.error) }),
          })),
        }),
  };
}

/** KFP's oneof: the version the run came from, or (inline, or its version since deleted) the spec. */
function pipelineOf(row: RunRow, withSpec: boolean): Partial<Run> {
  if (row.pipeline_version_id !== null) {
    return {
      pipeline_version_reference: {
        ...(row.pipeline_id === null ? {} : { pipeline_id: row.pipeline_id }),
        pipeline_version_id: row.pipeline_version_id,
      },
    };
  }
  return withSpec && row.pipeline_spec !== null ? { pipeline_spec: specObject(row.pipeline_spec) } : {};
}

/** gRPC codes for a stored error: CANCELLED for a terminated run or task, UNKNOWN for a failure. */
function errorStatus(state: string, message: string): Status {
  return { code: state === 'CANCELED' || state === 'CANCELING' ? 1 : 2, message, details: [] };
}

function taskDetails(runId: string, { tasks, events }: RunDetailRows): PipelineTaskDetail[] {
  const children = new Map<string, string[]>();
  for (const task of tasks) {
    if (task.parent_task_id === null) continue;
    const siblings = children.get(task.parent_task_id) ?? [];
    siblings.push(task.id);
    children.set(task.parent_task_id, siblings);
  }
  const eventsOf = Map.groupBy(events, (event) => event.task_id);
  return tasks.map((task) => {
    const taskEvents = eventsOf.get(task.id) ?? [];
    const childIds = children.get(task.id) ?? [];
    return {
      run_id: runId,
      task_id: task.id,
      display_name: task.display_name ?? task.name,
      create_time: rfc3339(task.created_at),
      ...(task.started_at === null ? {} : { start_time: rfc3339(task.started_at) }),
      ...(task.finished_at === null ? {} : { end_time: rfc3339(task.finished_at) }),
      // Cairn's node id, KFP's pod_name: the task's place in its run.
      pod_name: task.path,
      ...(EXECUTOR_KINDS.includes(task.kind) ? { executor_detail: { main_job: task.path } } : {}),
      state: taskState(task),
      ...(taskEvents.length === 0 ? {} : { execution_id: taskEvents[0]?.execution_id ?? '' }),
      ...(task.error === null ? {} : { error: errorStatus(task.state, task.error) }),
      ...artifactsOf(taskEvents),
      ...(task.parent_task_id === null ? {} : { parent_task_id: task.parent_task_id }),
      ...(childIds.length === 0 ? {} : { child_tasks: childIds.map((id) => ({ task_id: id })) }),
    };
  });
}

/** KFP's RuntimeState for a task row: a queued task is still PENDING to the user. */
function taskState(task: TaskRow): RuntimeState {
  return task.state === TASK_STATE.QUEUED ? 'PENDING' : (task.state as RuntimeState);
}

function artifactsOf(events: readonly TaskArtifactEvent[]) {
  const inputs: Record<string, ArtifactList> = {};
  const outputs: Record<string, ArtifactList> = {};
  for (const event of events) {
    const side = event.kind === 'INPUT' ? inputs : outputs;
    const list = side[event.name] ?? { artifact_ids: [] };
    list.artifact_ids.push(event.artifact_id);
    side[event.name] = list;
  }
  return {
    ...(Object.keys(inputs).length === 0 ? {} : { inputs }),
    ...(Object.keys(outputs).length === 0 ? {} : { outputs }),
  };
}
