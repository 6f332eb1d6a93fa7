// KFP's task-spec builders (`build_task_spec_for_task`, `build_task_spec_for_group`,
// `build_task_spec_for_exit_task` and the loop and condition updates), writing the IR's JSON form
// directly: a field is present exactly when KFP's protobuf message would have it set.
import type {
  ComponentInputsSpec,
  InputArtifactBinding,
  InputParameterBinding,
  JsonValue,
  PipelineTaskSpec,
  TaskInputsSpec,
} from '@cairn/spec';
import {
  LoopArgumentVariable,
  LoopArtifactArgument,
  LoopParameterArgument,
} from '../dsl/channels/loop-argument.ts';
import { channelsInString, channelsInValue, PipelineChannel } from '../dsl/channels/pipeline-channel.ts';
import {
  ConditionGroup,
  ParallelForGroup,
  sanitizeName,
  type TaskArgument,
  type TaskNode,
  type TasksGroup,
} from '../dsl/graph/graph-model.ts';
import { InputValuePlaceholder } from '../dsl/placeholders/placeholders.ts';
import { pythonJson } from '../dsl/python-compat/python-json.ts';
import { celCondition } from './cel-condition.ts';
import { artifactOf } from './component-spec.ts';
import { additionalInputName } from './group-analysis.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type ParameterSource = 'taskOutputParameter' | 'runtimeValue' | 'componentInputParameter' | 'taskFinalStatus';
type ArtifactSource = 'taskOutputArtifact' | 'componentInputArtifact';

/** A task spec under construction, with helpers that set input bindings the way protobuf oneofs behave. */
class TaskSpecDraft {
  readonly spec: Mutable<PipelineTaskSpec>;

  constructor(taskName: string, componentName: string) {
    this.spec = { taskInfo: { name: taskName }, componentRef: { name: componentName } };
  }

  private inputs(): Mutable<TaskInputsSpec> {
    this.spec.inputs ??= {};
    return this.spec.inputs;
  }

  parameter(name: string): Mutable<InputParameterBinding> {
    const inputs = this.inputs();
    inputs.parameters ??= {};
    let binding = inputs.parameters[name];
    if (binding === undefined) {
      binding = {};
      inputs.parameters[name] = binding;
    }
    return binding;
  }

  /** Sets one source of a parameter input; as in a protobuf oneof, it replaces any other source. */
  bindParameter<S extends ParameterSource>(
    name: string,
    source: S,
    value: NonNullable<InputParameterBinding[S]>,
  ): void {
    const binding = this.parameter(name);
    for (const other of [
      'taskOutputParameter',
      'runtimeValue',
      'componentInputParameter',
      'taskFinalStatus',
    ] as const) {
      delete binding[other];
    }
    (binding as Record<string, unknown>)[source] = value;
  }

  bindArtifact<S extends ArtifactSource>(
    name: string,
    source: S,
    value: NonNullable<InputArtifactBinding[S]>,
  ): void {
    const inputs = this.inputs();
    inputs.artifacts ??= {};
    inputs.artifacts[name] = { [source]: value };
  }

  /** Removes an input, and the `inputs` field when nothing is left (KFP's `_pop_input_from_task_spec`). */
  removeInput(name: string): void {
    const inputs = this.spec.inputs;
    if (inputs === undefined) return;
    if (inputs.artifacts !== undefined) {
      delete inputs.artifacts[name];
      if (Object.keys(inputs.artifacts).length === 0) delete inputs.artifacts;
    }
    if (inputs.parameters !== undefined) {
      delete inputs.parameters[name];
      if (Object.keys(inputs.parameters).length === 0) delete inputs.parameters;
    }
    if (Object.keys(inputs).length === 0) delete this.spec.inputs;
  }
}

function componentRefName(name: string): string {
  return `comp-${sanitizeName(name)}`;
}

function requireInput(
  inputs: ComponentInputsSpec | undefined,
  kind: 'parameters' | 'artifacts',
  name: string,
  task: string,
): string {
  if (inputs?.[kind]?.[name] === undefined) {
    throw new Error(
      `internal compiler error: task ${task} needs input ${name}, which its enclosing DAG does not receive; ` +
        'this means a value is used outside the scope it exists in',
    );
  }
  return name;
}

const RESOURCE_INPUTS = [
  ['cpuRequest', 'cpu_request'],
  ['cpuLimit', 'cpu_limit'],
  ['memoryRequest', 'memory_request'],
  ['memoryLimit', 'memory_limit'],
  ['acceleratorType', 'accelerator_type'],
  ['acceleratorCount', 'accelerator_count'],
] as const;

/**
 * The task spec of a task in a DAG. `parentInputs` is the interface of the DAG the task is in;
 * `tasksInDag` names its siblings, whose outputs it reads directly (others come in as DAG inputs).
 *
 * @example
 * taskSpecOfTask(task, rootSpec.inputDefinitions, ['flip-coin', 'print-op']);
 */
export function taskSpecOfTask(
  task: TaskNode,
  parentInputs: ComponentInputsSpec | undefined,
  tasksInDag: readonly string[],
): PipelineTaskSpec {
  const draft = new TaskSpecDraft(task.displayName ?? task.name, componentRefName(task.name));
  const spec = draft.spec;
  spec.cachingOptions = task.enableCaching ? { enableCache: true } : {};
  if (task.cacheKey !== undefined) spec.cachingOptions = { ...spec.cachingOptions, cacheKey: task.cacheKey };
  if (task.retryPolicy !== undefined) spec.retryPolicy = { ...task.retryPolicy };

  // Resources and an image set from pipeline values travel as task inputs, as in KFP.
  const inputs = new Map<string, TaskArgument>(task.inputs);
  if (task.component.implementation.kind === 'container') {
    for (const [field, inputName] of RESOURCE_INPUTS) {
      const value = task.resources[field];
      if (value !== undefined && channelsInString(task.owner, value).length > 0) inputs.set(inputName, value);
    }
    if (task.image !== undefined && channelsInString(task.owner, task.image).length > 0)
      inputs.set('base_image', task.image);
  }

  const bindFromChannel = (inputName: string, channel: PipelineChannel): void => {
    const artifact = artifactOf(channel) !== undefined;
    const kind = artifact ? 'artifacts' : 'parameters';
    let source: string;
    if (channel.taskName !== undefined && tasksInDag.includes(channel.taskName)) {
      if (artifact) {
        draft.bindArtifact(inputName, 'taskOutputArtifact', {
          producerTask: sanitizeName(channel.taskName),
          outputArtifactKey: channel.name,
        });
      } else {
        draft.bindParameter(inputName, 'taskOutputParameter', {
          producerTask: sanitizeName(channel.taskName),
          outputParameterKey: channel.name,
        });
      }
      return;
    }
    if (channel.taskName !== undefined) {
      source = requireInput(parentInputs, kind, additionalInputName(channel), task.name);
    } else {
      source =
        parentInputs?.[kind]?.[channel.fullName] !== undefined
          ? channel.fullName
          : requireInput(parentInputs, kind, additionalInputName(channel), task.name);
    }
    if (artifact) draft.bindArtifact(inputName, 'componentInputArtifact', source);
    else draft.bindParameter(inputName, 'componentInputParameter', source);
  };

  for (const [inputName, value] of inputs) {
    if (value instanceof LoopParameterArgument) {
      const name = requireInput(parentInputs, 'parameters', additionalInputName(value), task.name);
      draft.bindParameter(inputName, 'componentInputParameter', name);
    } else if (value instanceof LoopArtifactArgument) {
      const name = requireInput(parentInputs, 'artifacts', additionalInputName(value), task.name);
      draft.bindArtifact(inputName, 'componentInputArtifact', name);
    } else if (value instanceof LoopArgumentVariable) {
      const name = requireInput(
        parentInputs,
        'parameters',
        additionalInputName(value.loopArgument),
        task.name,
      );
      draft.bindParameter(inputName, 'componentInputParameter', name);
      draft.parameter(inputName).parameterExpressionSelector =
        `parseJson(string_value)["${value.subvarName}"]`;
    } else if (value instanceof PipelineChannel) {
      bindFromChannel(inputName, value);
    } else {
      let constant: JsonValue = value;
      for (const channel of channelsInValue(task.owner, value)) {
        const injected = additionalInputName(channel);
        if (inputs.has(injected)) {
          throw new Error(
            `Name collision between existing input name ${injected} and compiler injected input name ${injected}`,
          );
        }
        constant = replaceInStrings(constant, channel.pattern, new InputValuePlaceholder(injected).text);
        bindFromChannel(injected, channel);
      }
      draft.bindParameter(inputName, 'runtimeValue', { constant });
    }
  }
  return spec;
}

function replaceInStrings(value: JsonValue, pattern: string, replacement: string): JsonValue {
  if (typeof value === 'string') return value.replaceAll(pattern, replacement);
  if (Array.isArray(value)) return value.map((item) => replaceInStrings(item, pattern, replacement));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key.replaceAll(pattern, replacement),
        replaceInStrings(item, pattern, replacement),
      ]),
    );
  }
  return value;
}

/**
 * The task spec of the exit task of an exit handler: it depends on the handler's group, runs when all
 * upstream tasks completed (whatever their state), and gets the group's final status in its
 * `TaskFinalStatus` inputs.
 *
 * @example
 * taskSpecOfExitTask(exitTask, 'exit-handler-1', rootSpec.inputDefinitions);
 */
export function taskSpecOfExitTask(
  task: TaskNode,
  dependentTask: string,
  pipelineInputs: ComponentInputsSpec | undefined,
): PipelineTaskSpec {
  const spec = taskSpecOfTask(task, pipelineInputs, []) as Mutable<PipelineTaskSpec>;
  spec.dependentTasks = [...(spec.dependentTasks ?? []), dependentTask];
  spec.triggerPolicy = { ...spec.triggerPolicy, strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' };
  bindFinalStatus(task, spec, dependentTask);
  return spec;
}

function bindFinalStatus(task: TaskNode, spec: Mutable<PipelineTaskSpec>, producerTask: string): void {
  for (const [inputName, input] of Object.entries(task.component.inputs)) {
    if (input.kind !== 'parameter' || input.type.ir !== 'TASK_FINAL_STATUS') continue;
    spec.inputs ??= {};
    const inputs: Mutable<TaskInputsSpec> = spec.inputs;
    inputs.parameters ??= {};
    inputs.parameters[inputName] = { taskFinalStatus: { producerTask } };
  }
}

/**
 * Applies `.ignoreUpstreamFailure()`: the task runs when its upstream tasks completed, and its
 * `TaskFinalStatus` inputs get the status of its one upstream task (KFP's
 * `modify_task_for_ignore_upstream_failure`).
 *
 * @example
 * applyIgnoreUpstreamFailure(task, spec);
 */
export function applyIgnoreUpstreamFailure(task: TaskNode, spec: Mutable<PipelineTaskSpec>): void {
  if (!task.ignoreUpstreamFailure) return;
  spec.triggerPolicy = { ...spec.triggerPolicy, strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' };
  const hasFinalStatus = Object.values(task.component.inputs).some(
    (input) => input.kind === 'parameter' && input.type.ir === 'TASK_FINAL_STATUS',
  );
  if (!hasFinalStatus) return;
  const dependents = spec.dependentTasks ?? [];
  const [upstream] = dependents;
  if (upstream === undefined) {
    throw new Error(
      task.parentGroup?.isRoot
        ? `Tasks that use '.ignoreUpstreamFailure()' and 'TaskFinalStatus' must have exactly one dependent upstream task. Got task '${task.name}' with no upstream dependencies.`
        : `Tasks that use '.ignoreUpstreamFailure()' and 'TaskFinalStatus' must have exactly one dependent upstream task within the same control flow scope. Got task '${task.name}' beneath a ${task.parentGroup?.groupType} group that does not also contain the upstream dependent task.`,
    );
  }
  if (dependents.length > 1) {
    throw new Error(
      `Tasks that use '.ignoreUpstreamFailure()' and 'TaskFinalStatus' must have exactly one dependent upstream task. Got ${dependents.length} dependent tasks: ${dependents.join(', ')}.`,
    );
  }
  bindFinalStatus(task, spec, upstream);
}

/**
 * The task spec of a group inside its parent's DAG (KFP's `build_task_spec_for_group`): one input per
 * channel the group needs, plus the loop's iterator or the condition's trigger policy.
 *
 * @example
 * taskSpecOfGroup(loopGroup, channels, ['flip-coin', 'for-loop-1'], true);
 */
export function taskSpecOfGroup(
  group: TasksGroup,
  channels: readonly PipelineChannel[],
  tasksInDag: readonly string[],
  parentIsRoot: boolean,
): PipelineTaskSpec {
  const draft = new TaskSpecDraft(group.displayName ?? group.name, componentRefName(group.name));
  for (const channel of channels) {
    let channelFullName = channel.fullName;
    let channelName = channel.name;
    const inputName = additionalInputName(channel);
    if (channel instanceof LoopArgumentVariable) {
      channelFullName = channel.loopArgument.fullName;
      draft.parameter(inputName).parameterExpressionSelector =
        `parseJson(string_value)["${channel.subvarName}"]`;
      if (!channel.isWithItemsLoopArgument && channel.items instanceof PipelineChannel)
        channelName = channel.items.name;
    }
    const fromSibling = channel.taskName !== undefined && tasksInDag.includes(channel.taskName);
    if (artifactOf(channel) !== undefined) {
      if (fromSibling && channel.taskName !== undefined) {
        draft.bindArtifact(inputName, 'taskOutputArtifact', {
          producerTask: sanitizeName(channel.taskName),
          outputArtifactKey: channelName,
        });
      } else {
        draft.bindArtifact(inputName, 'componentInputArtifact', parentIsRoot ? channelFullName : inputName);
      }
    } else if (fromSibling && channel.taskName !== undefined) {
      draft.bindParameter(inputName, 'taskOutputParameter', {
        producerTask: sanitizeName(channel.taskName),
        outputParameterKey: channelName,
      });
    } else {
      draft.bindParameter(
        inputName,
        'componentInputParameter',
        parentIsRoot ? channelFullName : additionalInputName(channelFullName),
      );
    }
  }
  if (group instanceof ParallelForGroup) addIterator(group, draft);
  else if (group instanceof ConditionGroup)
    draft.spec.triggerPolicy = { condition: celCondition(group.conditions) };
  return draft.spec;
}

function addIterator(group: ParallelForGroup, draft: TaskSpecDraft): void {
  const spec = draft.spec;
  const loopArgument = group.loopArgument;
  if (group.itemsIsPipelineChannel) {
    const items = loopArgument.items;
    if (!(items instanceof PipelineChannel)) throw new Error(`loop ${group.name} has no items channel`);
    const itemsInput = additionalInputName(items);
    const itemInput = additionalInputName(loopArgument.fullName);
    if (loopArgument instanceof LoopArtifactArgument) {
      spec.artifactIterator = { items: { inputArtifact: itemsInput }, itemInput };
    } else {
      spec.parameterIterator = { items: { inputParameter: itemsInput }, itemInput };
    }
    draft.removeInput(itemInput);
    // A loop over a key of an outer loop's item reads that key out of the outer item.
    if (items instanceof LoopArgumentVariable) {
      draft.parameter(itemsInput).parameterExpressionSelector =
        `parseJson(string_value)["${items.subvarName}"]`;
      draft.bindParameter(itemsInput, 'componentInputParameter', additionalInputName(items.loopArgument));
    }
  } else {
    const itemInput = additionalInputName(loopArgument);
    const items = loopArgument.items;
    if (items instanceof PipelineChannel) throw new Error(`loop ${group.name} has literal items expected`);
    spec.parameterIterator = { items: { raw: pythonJson([...items], { sortKeys: true }) }, itemInput };
    draft.removeInput(itemInput);
  }
  if (group.parallelismLimit > 0) spec.iteratorPolicy = { parallelismLimit: group.parallelismLimit };
}
