import type { PathSegment } from '../issues/spec-issue.ts';
import {
  type ComponentSpec,
  type ExecutorSpec,
  type PipelineTaskSpec,
  TRIGGER_STRATEGIES,
  type TriggerStrategy,
} from '../model/pipeline-spec.ts';
import type {
  CachingPlan,
  ComponentInputsPlan,
  ComponentOutputsPlan,
  DagPlan,
  ExecutorKind,
  TaskInputsPlan,
  TaskPlan,
  TriggerPlan,
} from './execution-plan.ts';
import { planTaskInputs } from './plan-bindings.ts';
import type { DagScope, PlanContext } from './plan-context.ts';
import { planInputDefinitions, planOutputDefinitions } from './plan-definitions.ts';
import { PlanError } from './plan-error.ts';
import { planIterator } from './plan-iterator.ts';
import { planRetry } from './plan-retry.ts';
import {
  compareNames,
  optionalBoolean,
  optionalMessage,
  optionalString,
  ownEntry,
  requiredMessage,
  requiredString,
  stringList,
} from './read-spec.ts';

/** One task of a DAG, planned; its exit-handler role is added by the DAG, which sees its siblings. */
export function planTask(
  context: PlanContext,
  scope: DagScope,
  key: string,
  task: PipelineTaskSpec,
): TaskPlan {
  const path = [...scope.dagPath, 'tasks', key];
  const componentRef = requiredMessage(task.componentRef, [...path, 'componentRef'], 'ComponentRef');
  const componentName = requiredString(
    componentRef.name,
    [...path, 'componentRef', 'name'],
    'the component name',
  );
  const taskInfo = optionalMessage(task.taskInfo, [...path, 'taskInfo'], 'PipelineTaskInfo');
  const inputs = planTaskInputs(task.inputs, [...path, 'inputs']);
  checkComponentInputs(inputs, scope, path);
  const callee = planCallee(context, componentName, path);
  const iterator = planIterator(
    task,
    path,
    inputs,
    callee.kind === 'dag' ? callee.dag.inputDefinitions : callee.inputDefinitions,
  );
  const head = {
    key,
    displayName: optionalString(taskInfo?.name, [...path, 'taskInfo', 'name']) ?? key,
    componentName,
  };
  const body = {
    upstream: planUpstream(task, key, inputs, scope, path),
    trigger: planTrigger(task, path),
    inputs,
    ...(iterator === undefined ? {} : { iterator }),
    retry: planRetry(task.retryPolicy, [...path, 'retryPolicy']),
    caching: planCaching(task, path),
  };
  if (callee.kind === 'dag') return { ...head, kind: 'dag', ...body, dag: callee.dag };
  const { kind, executorLabel, executorPath, inputDefinitions, outputDefinitions } = callee;
  return { ...head, kind, executorLabel, executorPath, ...body, inputDefinitions, outputDefinitions };
}

type Callee =
  | { readonly kind: 'dag'; readonly dag: DagPlan }
  | {
      readonly kind: ExecutorKind;
      readonly executorLabel: string;
      readonly executorPath: readonly PathSegment[];
      readonly inputDefinitions: ComponentInputsPlan;
      readonly outputDefinitions: ComponentOutputsPlan;
    };

/** The component a task runs: a nested DAG, or an executor of one of the kinds Cairn can run. */
function planCallee(context: PlanContext, componentName: string, taskPath: readonly PathSegment[]): Callee {
  const { spec } = context;
  const components = optionalMessage(spec.components, ['components'], 'map of ComponentSpec');
  const found = ownEntry(components, componentName);
  if (found === undefined) {
    throw new PlanError(
      'COMPONENT_UNDEFINED',
      [...taskPath, 'componentRef', 'name'],
      `component "${componentName}" is not defined`,
    );
  }
  const componentPath = ['components', componentName];
  const component: ComponentSpec = requiredMessage(found, componentPath, 'ComponentSpec');
  const hasDag = component.dag !== undefined && component.dag !== null;
  const executorLabel = optionalString(component.executorLabel, [...componentPath, 'executorLabel']);
  if (hasDag && executorLabel !== undefined) {
    throw new PlanError(
      'ONEOF_CONFLICT',
      [...componentPath, 'executorLabel'],
      'dag and executorLabel cannot be set together',
    );
  }
  if (hasDag) {
    const dag = context.dagPlan(componentName, component, [...taskPath, 'componentRef', 'name']);
    return { kind: 'dag', dag };
  }
  if (executorLabel === undefined) {
    throw new PlanError('FIELD_REQUIRED', componentPath, 'ComponentSpec needs one of dag, executorLabel');
  }
  const deployment = optionalMessage(spec.deploymentSpec, ['deploymentSpec'], 'PipelineDeploymentConfig');
  const executors = optionalMessage(
    deployment?.executors,
    ['deploymentSpec', 'executors'],
    'map of ExecutorSpec',
  );
  const executorPath = ['deploymentSpec', 'executors', executorLabel];
  const executorEntry = ownEntry(executors, executorLabel);
  if (executorEntry === undefined) {
    throw new PlanError(
      'EXECUTOR_UNDEFINED',
      [...componentPath, 'executorLabel'],
      `executor "${executorLabel}" is not defined in deploymentSpec.executors`,
    );
  }
  const executor: ExecutorSpec = requiredMessage(executorEntry, executorPath, 'ExecutorSpec');
  return {
    kind: executorKind(executor, executorPath),
    executorLabel,
    executorPath,
    inputDefinitions: planInputDefinitions(component.inputDefinitions, [
      ...componentPath,
      'inputDefinitions',
    ]),
    outputDefinitions: planOutputDefinitions(component.outputDefinitions, [
      ...componentPath,
      'outputDefinitions',
    ]),
  };
}

function executorKind(executor: ExecutorSpec, path: readonly PathSegment[]): ExecutorKind {
  const kinds = (['container', 'importer', 'resolver', 'customJob'] as const).filter(
    (field) => executor[field] !== undefined && executor[field] !== null,
  );
  const [kind, other] = kinds;
  if (other !== undefined) {
    throw new PlanError(
      'ONEOF_CONFLICT',
      [...path, other],
      `${kind} and ${other} cannot be set together in an ExecutorSpec`,
    );
  }
  if (kind === undefined) {
    throw new PlanError('FIELD_REQUIRED', path, 'ExecutorSpec needs one of container, importer, resolver');
  }
  if (kind === 'customJob') {
    throw new PlanError(
      'EXECUTOR_UNSUPPORTED',
      [...path, kind],
      'a Google Cloud custom job executor (deprecated in KFP) cannot run on Cairn',
    );
  }
  return kind;
}

/** `componentInputParameter` and `componentInputArtifact` name inputs of the DAG the task sits in. */
function checkComponentInputs(inputs: TaskInputsPlan, scope: DagScope, path: readonly PathSegment[]): void {
  for (const [kind, bindings, declared] of [
    ['parameters', inputs.parameters, scope.inputs.parameters],
    ['artifacts', inputs.artifacts, scope.inputs.artifacts],
  ] as const) {
    for (const [name, binding] of Object.entries(bindings)) {
      if (binding.kind === 'componentInput' && !Object.hasOwn(declared, binding.name)) {
        throw new PlanError(
          'INPUT_UNDEFINED',
          [...path, 'inputs', kind, name],
          `the DAG around this task has no input ${kind === 'parameters' ? 'parameter' : 'artifact'} "${binding.name}"`,
        );
      }
    }
  }
}

/** The sorted union of `dependentTasks` and the producers of the task's inputs, all siblings of the task. */
function planUpstream(
  task: PipelineTaskSpec,
  key: string,
  inputs: TaskInputsPlan,
  scope: DagScope,
  path: readonly PathSegment[],
): string[] {
  const references: [string, readonly PathSegment[]][] = stringList(task.dependentTasks, [
    ...path,
    'dependentTasks',
  ]).map((name, index) => [name, [...path, 'dependentTasks', index]]);
  for (const [name, binding] of Object.entries(inputs.parameters)) {
    if (binding.kind === 'taskOutput' || binding.kind === 'taskFinalStatus') {
      references.push([binding.task, [...path, 'inputs', 'parameters', name]]);
    }
  }
  for (const [name, binding] of Object.entries(inputs.artifacts)) {
    if (binding.kind === 'taskOutput') {
      references.push([binding.task, [...path, 'inputs', 'artifacts', name]]);
    }
  }
  for (const [name, at] of references) {
    if (name === key) throw new PlanError('DEPENDENCY_CYCLE', at, `task "${key}" waits for itself`);
    if (!scope.taskKeys.has(name)) {
      throw new PlanError('TASK_UNDEFINED', at, `task "${name}" is not in this DAG`);
    }
  }
  return [...new Set(references.map(([name]) => name))].sort(compareNames);
}

function planTrigger(task: PipelineTaskSpec, path: readonly PathSegment[]): TriggerPlan {
  const at = [...path, 'triggerPolicy'];
  const policy = optionalMessage(task.triggerPolicy, at, 'TriggerPolicy');
  const strategy = optionalString(policy?.strategy, [...at, 'strategy']);
  const condition = optionalString(policy?.condition, [...at, 'condition']);
  return {
    strategy: triggerStrategy(strategy, [...at, 'strategy']),
    ...(condition === undefined ? {} : { condition }),
  };
}

/** KFP runs a task once all its upstream tasks succeeded unless the spec says otherwise. */
function triggerStrategy(strategy: string | undefined, path: readonly PathSegment[]): TriggerStrategy {
  if (strategy === undefined || strategy === 'TRIGGER_STRATEGY_UNSPECIFIED') {
    return 'ALL_UPSTREAM_TASKS_SUCCEEDED';
  }
  if ((TRIGGER_STRATEGIES as readonly string[]).includes(strategy)) return strategy as TriggerStrategy;
  throw new PlanError('ENUM_VALUE', path, `"${strategy}" is not a TriggerStrategy`);
}

/** proto3 reads an absent `enableCache` as false, and KFP's SDK writes `cachingOptions: {}` for no caching. */
function planCaching(task: PipelineTaskSpec, path: readonly PathSegment[]): CachingPlan {
  const at = [...path, 'cachingOptions'];
  const options = optionalMessage(task.cachingOptions, at, 'CachingOptions');
  const cacheKey = optionalString(options?.cacheKey, [...at, 'cacheKey']);
  return {
    enabled: optionalBoolean(options?.enableCache, [...at, 'enableCache']) ?? false,
    ...(cacheKey === undefined ? {} : { cacheKey }),
  };
}
