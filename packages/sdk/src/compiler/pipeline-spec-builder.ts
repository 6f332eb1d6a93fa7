// KFP's `create_pipeline_spec` and `build_spec_by_group`: walks the groups of a pipeline's graph, parents
// first, and writes one task spec per member of each DAG, one component per task and group, and one
// executor per container or importer task, naming them as KFP does.
import type {
  ComponentSpec,
  DagOutputsSpec,
  DagSpec,
  ExecutorSpec,
  PipelineSpec,
  PipelineTaskSpec,
} from '@cairn/spec';
import { isLoopChannel } from '../dsl/channels/loop-argument.ts';
import { PipelineChannel } from '../dsl/channels/pipeline-channel.ts';
import { OneOfArtifact, OneOfParameter } from '../dsl/control-flow/one-of.ts';
import {
  ConditionBranchesGroup,
  ConditionGroup,
  ExitHandlerGroup,
  type InputDefinition,
  type OutputDefinition,
  ParallelForGroup,
  type PipelineGraph,
  sanitizeName,
  TaskNode,
  type TasksGroup,
  uniqueName,
} from '../dsl/graph/graph-model.ts';
import { compareCodePoints } from '../dsl/python-compat/python-json.ts';
import { artifactOf, componentInterface, groupInterface } from './component-spec.ts';
import { containerSpecOf, importerSpecOf } from './container-spec.ts';
import { analyzeGraph, conditionOperands, type GraphAnalysis, type GraphNode } from './group-analysis.ts';
import { mergeSubPipeline } from './merge-sub-pipeline.ts';
import { SDK_VERSION } from './sdk-version.ts';
import {
  applyIgnoreUpstreamFailure,
  taskSpecOfExitTask,
  taskSpecOfGroup,
  taskSpecOfTask,
} from './task-spec.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * What the builder compiles: a pipeline's graph, its declared interface and the channels its outputs
 * come from. `isCompiledComponent` is set when a single component is compiled as a pipeline.
 *
 * @example
 * buildPipelineSpec({ name: 'p', graph, inputs, outputs, outputChannels: new Map(), isCompiledComponent: false });
 */
export interface PipelineBuild {
  readonly name: string;
  readonly graph: PipelineGraph;
  readonly inputs: Readonly<Record<string, InputDefinition>>;
  readonly outputs: Readonly<Record<string, OutputDefinition>>;
  readonly outputChannels: ReadonlyMap<string, PipelineChannel>;
  readonly isCompiledComponent: boolean;
}

/**
 * Checks a pipeline name as KFP does: lower-case letters, digits and `-`, starting with a letter or digit.
 *
 * @example
 * validatePipelineName('my-pipeline');
 */
export function validatePipelineName(name: string): void {
  if (!/^[a-z0-9][a-z0-9-]{0,127}$/.test(name)) {
    throw new Error(
      `Invalid pipeline name: ${name}. Please specify a pipeline name that matches the regular expression "^[a-z0-9][a-z0-9-]{0,127}$".`,
    );
  }
}

/**
 * Compiles a pipeline graph to its PipelineSpec. It renames channels of `Collected` and `OneOf` values as
 * it surfaces them (as KFP does), so a graph is compiled once.
 *
 * @example
 * const spec = buildPipelineSpec(build);
 */
export function buildPipelineSpec(build: PipelineBuild): PipelineSpec {
  validatePipelineName(build.name);
  const root: Mutable<ComponentSpec> = componentInterface(build.inputs, build.outputs);
  const components: Record<string, ComponentSpec> = {};
  const executors: Record<string, ExecutorSpec> = {};
  const analysis = analyzeGraph(build.graph, build.outputChannels);
  const groupSpecs = new Map<TasksGroup, Mutable<ComponentSpec>>([[build.graph.root, root]]);
  const context: BuildContext = {
    analysis,
    components,
    executors,
    isCompiledComponent: build.isCompiledComponent,
  };
  for (const group of analysis.groups) {
    const groupSpec = groupSpecs.get(group);
    if (groupSpec === undefined) throw new Error(`group ${group.name} was not built`);
    buildGroup(context, group, groupSpec, groupSpecs);
  }
  for (const group of analysis.groups) {
    if (group instanceof ExitHandlerGroup) buildExitTask(context, group, root);
  }
  connectDagOutputs(root, analysis.pipelineOutputs);
  checkDagOutputs(root, build.name);
  const spec: Mutable<PipelineSpec> = {
    pipelineInfo: { name: build.name },
    sdkVersion: SDK_VERSION,
    schemaVersion: '2.1.0',
    root,
  };
  if (Object.keys(components).length > 0) spec.components = components;
  if (Object.keys(executors).length > 0) spec.deploymentSpec = { executors };
  return spec;
}

interface BuildContext {
  readonly analysis: GraphAnalysis;
  readonly components: Record<string, ComponentSpec>;
  readonly executors: Record<string, ExecutorSpec>;
  readonly isCompiledComponent: boolean;
}

function addTask(groupSpec: Mutable<ComponentSpec>, name: string, task: PipelineTaskSpec): void {
  groupSpec.dag ??= {};
  const dag: Mutable<DagSpec> = groupSpec.dag;
  dag.tasks ??= {};
  dag.tasks[name] = task;
}

function addExecutor(context: BuildContext, taskName: string, executor: ExecutorSpec): string {
  const label = uniqueName(`exec-${sanitizeName(taskName)}`, (candidate) => candidate in context.executors);
  context.executors[label] = executor;
  return label;
}

function componentOfTask(context: BuildContext, task: TaskNode, isExitTask: boolean): ComponentSpec {
  const implementation = task.component.implementation;
  if (!isExitTask && !context.isCompiledComponent && !task.ignoreUpstreamFailure) {
    for (const [name, input] of Object.entries(task.component.inputs)) {
      if (input.kind === 'parameter' && input.type.ir === 'TASK_FINAL_STATUS') {
        throw new Error(
          `TaskFinalStatus can only be used in an exit task (or a task that ignores upstream failures). Input ${name} of task ${task.name} has type TaskFinalStatus.`,
        );
      }
    }
  }
  if (implementation.kind === 'graph') {
    return mergeSubPipeline(context.components, context.executors, implementation.spec);
  }
  const executor: ExecutorSpec =
    implementation.kind === 'container'
      ? { container: containerSpecOf(task) }
      : { importer: importerSpecOf(task) };
  return {
    ...componentInterface(task.component.inputs, task.component.outputs),
    executorLabel: addExecutor(context, task.name, executor),
  };
}

function buildGroup(
  context: BuildContext,
  group: TasksGroup,
  groupSpec: Mutable<ComponentSpec>,
  groupSpecs: Map<TasksGroup, Mutable<ComponentSpec>>,
): void {
  const { analysis } = context;
  const members: GraphNode[] = [...group.groups, ...group.tasks];
  const tasksInDag = members.map((member) => sanitizeName(member.name));
  for (const member of members) {
    const inputChannels = [...(analysis.inputs.get(member)?.values() ?? [])];
    const outputChannels = analysis.outputs.get(member) ?? new Map<string, PipelineChannel>();
    let taskSpec: Mutable<PipelineTaskSpec>;
    let componentSpec: Mutable<ComponentSpec>;
    if (member instanceof TaskNode) {
      taskSpec = taskSpecOfTask(member, groupSpec.inputDefinitions, tasksInDag);
      componentSpec = componentOfTask(context, member, false);
    } else {
      let channels: PipelineChannel[];
      if (member instanceof ParallelForGroup) channels = loopChannels(member, inputChannels, analysis);
      else if (member instanceof ConditionGroup) channels = [...inputChannels, ...conditionOperands(member)];
      else channels = inputChannels;
      const surfaced =
        member instanceof ExitHandlerGroup ? new Map<string, PipelineChannel>() : outputChannels;
      componentSpec = groupInterface(channels, surfaced);
      taskSpec = taskSpecOfGroup(member, channels, tasksInDag, group.isRoot);
      if (member instanceof ConditionBranchesGroup) connectOneOfOutputs(componentSpec, surfaced);
      else connectDagOutputs(componentSpec, surfaced);
      groupSpecs.set(member, componentSpec);
    }
    const dependencies = [...(analysis.dependencies.get(member) ?? [])]
      .map((node) => node.name)
      .sort(compareCodePoints);
    if (dependencies.length > 0) taskSpec.dependentTasks = dependencies.map(sanitizeName);
    if (member instanceof TaskNode) applyIgnoreUpstreamFailure(member, taskSpec);
    const componentName = uniqueName(
      `comp-${sanitizeName(member.name)}`,
      (candidate) => candidate in context.components,
    );
    taskSpec.componentRef = { name: componentName };
    context.components[componentName] = componentSpec;
    addTask(groupSpec, member.name, taskSpec);
  }
}

// The channels a loop's DAG receives: those its members need, without literal-item loop arguments of
// loops that do not enclose it, then the list it iterates over and its item.
function loopChannels(
  loop: ParallelForGroup,
  inputChannels: readonly PipelineChannel[],
  analysis: GraphAnalysis,
): PipelineChannel[] {
  const path = analysis.paths.get(loop) ?? [];
  const channels = inputChannels.filter((channel) => {
    if (!isLoopChannel(channel) || !channel.isWithItemsLoopArgument) return true;
    // KFP matches a loop's item by a substring test of the names.
    return [...path]
      .reverse()
      .some((node) => node instanceof ParallelForGroup && node.loopArgument.name.includes(channel.name));
  });
  const items = loop.loopArgument.items;
  if (loop.itemsIsPipelineChannel) {
    if (!(items instanceof PipelineChannel))
      throw new Error(`loop ${loop.name} iterates over no pipeline value`);
    channels.push(items);
  }
  channels.push(loop.loopArgument);
  return channels;
}

function buildExitTask(context: BuildContext, group: ExitHandlerGroup, root: Mutable<ComponentSpec>): void {
  const task = group.exitTask;
  const taskSpec = taskSpecOfExitTask(
    task,
    sanitizeName(group.name),
    root.inputDefinitions,
  ) as Mutable<PipelineTaskSpec>;
  const componentSpec = componentOfTask(context, task, true);
  const componentName = uniqueName(
    taskSpec.componentRef.name,
    (candidate) => candidate in context.components,
  );
  taskSpec.componentRef = { name: componentName };
  context.components[componentName] = componentSpec;
  addTask(root, sanitizeName(task.name), taskSpec);
}

/**
 * Connects a DAG's outputs to the subtask outputs that provide them (KFP's `_build_dag_outputs`).
 *
 * @example
 * connectDagOutputs(rootSpec, new Map([['Output', task.outputs.Output]]));
 */
function connectDagOutputs(
  spec: Mutable<ComponentSpec>,
  outputs: ReadonlyMap<string, PipelineChannel>,
): void {
  for (const [name, channel] of outputs) {
    const producerSubtask = channel.taskName;
    if (producerSubtask === undefined) throw new Error(`output ${name} is not produced by a task`);
    const dagOutputs = dagOutputsOf(spec);
    if (artifactOf(channel) !== undefined) {
      if (spec.outputDefinitions?.artifacts?.[name] === undefined)
        throw new Error(`Pipeline or component output not defined: ${name}.`);
      dagOutputs.artifacts ??= {};
      const selectors = dagOutputs.artifacts[name]?.artifactSelectors ?? [];
      dagOutputs.artifacts[name] = {
        artifactSelectors: [...selectors, { producerSubtask, outputArtifactKey: channel.name }],
      };
    } else {
      if (spec.outputDefinitions?.parameters?.[name] === undefined)
        throw new Error(`Pipeline or component output not defined: ${name}.`);
      dagOutputs.parameters ??= {};
      dagOutputs.parameters[name] = {
        valueFromParameter: { producerSubtask, outputParameterKey: channel.name },
      };
    }
  }
}

function connectOneOfOutputs(
  spec: Mutable<ComponentSpec>,
  outputs: ReadonlyMap<string, PipelineChannel>,
): void {
  for (const [name, oneOf] of outputs) {
    const dagOutputs = dagOutputsOf(spec);
    if (oneOf instanceof OneOfArtifact) {
      dagOutputs.artifacts ??= {};
      dagOutputs.artifacts[name] = {
        artifactSelectors: oneOf.oneOfChannels.map((channel) => ({
          producerSubtask: channel.taskName ?? '',
          outputArtifactKey: channel.name,
        })),
      };
    } else if (oneOf instanceof OneOfParameter) {
      dagOutputs.parameters ??= {};
      dagOutputs.parameters[name] = {
        valueFromOneof: {
          parameterSelectors: oneOf.oneOfChannels.map((channel) => ({
            producerSubtask: channel.taskName ?? '',
            outputParameterKey: channel.name,
          })),
        },
      };
    } else {
      throw new Error(`condition branches can only surface OneOf outputs; got ${name}`);
    }
  }
}

function dagOutputsOf(spec: Mutable<ComponentSpec>): Mutable<DagOutputsSpec> {
  spec.dag ??= {};
  const dag: Mutable<DagSpec> = spec.dag;
  dag.outputs ??= {};
  return dag.outputs;
}

function checkDagOutputs(spec: ComponentSpec, pipelineName: string): void {
  const outputs = spec.dag?.outputs;
  for (const name of Object.keys(spec.outputDefinitions?.artifacts ?? {})) {
    if (outputs?.artifacts?.[name] === undefined)
      throw new Error(`Missing pipeline output: ${name} (pipeline ${pipelineName}).`);
  }
  for (const name of Object.keys(spec.outputDefinitions?.parameters ?? {})) {
    if (outputs?.parameters?.[name] === undefined)
      throw new Error(`Missing pipeline output: ${name} (pipeline ${pipelineName}).`);
  }
}
