import type { JsonValue, TaskPlan } from '@cairn/spec';
import { errorMessage } from '../../errors.ts';
import { evaluateParameterSelector } from '../expressions/evaluate-parameter-selector.ts';
import { TASK_STATE } from '../leases/task-states.ts';
import type { TaskRow } from './task-rows.ts';
import { emptyValues, parseValues, type StoredArtifact, type TaskValues } from './task-values.ts';

/** What a task's inputs are resolved from: its DAG's inputs, its finished siblings, the run. */
export interface InputScope {
  readonly dagInputs: TaskValues;
  readonly siblings: ReadonlyMap<string, TaskRow>;
  readonly rootInputs: TaskValues;
  readonly runId: string;
  readonly pipelineName: string;
  /** The values of KFP's system placeholders for this task. */
  readonly system: {
    readonly jobName: string;
    readonly jobCreateTime: number;
    readonly taskName: string;
    readonly taskId: string;
  };
}

export type ResolvedInputs = { ok: true; values: TaskValues } | { ok: false; error: string };

/**
 * Resolves a task's inputs as KFP's driver does, once its upstream tasks are final. An input whose source
 * produced nothing (a skipped producer, an unset optional input) is left out, so the component's default
 * applies; a selector that fails makes the task fail with the selector's message.
 */
export function resolveInputs(task: TaskPlan, scope: InputScope): ResolvedInputs {
  const values = emptyValues();
  for (const [name, binding] of Object.entries(task.inputs.parameters)) {
    let value: JsonValue | undefined;
    switch (binding.kind) {
      case 'constant':
        value = systemPlaceholderConstant(binding.value, scope);
        break;
      case 'componentInput':
        value = scope.dagInputs.parameters[binding.name];
        break;
      case 'runtimeParameter':
        value = scope.rootInputs.parameters[binding.name];
        break;
      case 'taskOutput':
        value = outputsOf(scope, binding.task).parameters[binding.output];
        break;
      case 'taskFinalStatus':
        value = finalStatus(scope, binding.task);
        break;
    }
    if (value === undefined) continue;
    if (binding.parameterExpressionSelector !== undefined) {
      try {
        value = evaluateParameterSelector(binding.parameterExpressionSelector, value);
      } catch (error) {
        return { ok: false, error: `input "${name}": ${errorMessage(error)}` };
      }
    }
    values.parameters[name] = coerceToDeclared(task, name, value);
  }
  for (const [name, binding] of Object.entries(task.inputs.artifacts)) {
    const artifacts: StoredArtifact[] | undefined =
      binding.kind === 'componentInput'
        ? scope.dagInputs.artifacts[binding.name]
        : outputsOf(scope, binding.task).artifacts[binding.output];
    if (artifacts !== undefined && artifacts.length > 0) values.artifacts[name] = artifacts;
  }
  return { ok: true, values };
}

/**
 * A constant that is exactly one of KFP's system placeholders (`{{$.pipeline_job_name}}` and its
 * siblings) is resolved here, as KFP's driver does; anything else is passed as written.
 */
function systemPlaceholderConstant(value: JsonValue, scope: InputScope): JsonValue {
  if (typeof value !== 'string') return value;
  const match = /^\{\{\$\.(\w+)\}\}$/.exec(value);
  const { system } = scope;
  switch (match?.[1]) {
    case 'pipeline_job_name':
      return system.jobName;
    case 'pipeline_job_uuid':
      return scope.runId;
    case 'pipeline_job_resource_name':
      return `${scope.pipelineName}-${scope.runId}`;
    case 'pipeline_job_create_time_utc':
    case 'pipeline_job_schedule_time_utc':
      return new Date(system.jobCreateTime).toISOString().replace(/\.\d{3}Z$/, 'Z');
    case 'pipeline_task_name':
      return system.taskName;
    case 'pipeline_task_uuid':
      return system.taskId;
    default:
      return value;
  }
}

/**
 * A value reaching a STRING input as a list or struct (a loop item's field, a selector's result) is
 * passed as its JSON text, as KFP's driver passes it: the component asked for a string.
 */
function coerceToDeclared(task: TaskPlan, name: string, value: JsonValue): JsonValue {
  if (task.kind === 'dag') return value;
  const declared = task.inputDefinitions.parameters[name]?.type;
  return declared === 'STRING' && typeof value !== 'string' ? JSON.stringify(value) : value;
}

function outputsOf(scope: InputScope, task: string): TaskValues {
  const row = scope.siblings.get(task);
  return row === undefined ? emptyValues() : parseValues(row.outputs);
}

/**
 * KFP's PipelineTaskFinalStatus, in the JSON form the SDKs read. KFP reports the state as its metadata
 * store records the execution (`COMPLETE` for success), and names the job after the pipeline.
 */
function finalStatus(scope: InputScope, task: string): JsonValue {
  const row = scope.siblings.get(task);
  const state = row?.state === TASK_STATE.SUCCEEDED ? 'COMPLETE' : (row?.state ?? 'UNKNOWN');
  return {
    state,
    pipelineJobResourceName: `${scope.pipelineName}-${scope.runId}`,
    pipelineTaskName: row?.display_name ?? task,
    ...(row?.error ? { error: { code: 2, message: row.error } } : {}),
  };
}
