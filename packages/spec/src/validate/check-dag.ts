import { checkCel, conditionParameterNames } from '../cel/check-cel.ts';
import type { IssueCollector, PathSegment } from '../issues/spec-issue.ts';
import { didYouMean } from '../issues/suggest.ts';
import type {
  ComponentSpec,
  InputArtifactBinding,
  InputParameterBinding,
  ParameterType,
  PipelineTaskSpec,
} from '../model/pipeline-spec.ts';
import { valueFitsType } from './check-components.ts';
import { findDependencyCycle } from './dependency-graph.ts';
import { resourceInputNames } from './resource-placeholders.ts';
import {
  type ComponentSite,
  isRequiredInput,
  keysOf,
  parameterTypeOf,
  type SpecIndex,
} from './spec-index.ts';
import {
  artifactTypesCompatible,
  describeArtifactType,
  parameterTypesCompatible,
} from './type-compatibility.ts';

/** The context one task is checked in: the DAG around it and the component it calls. */
interface TaskScope {
  readonly index: SpecIndex;
  readonly site: ComponentSite;
  readonly tasks: Readonly<Record<string, PipelineTaskSpec>>;
  readonly taskName: string;
  readonly task: PipelineTaskSpec;
  readonly callee: ComponentSpec | undefined;
  readonly path: readonly PathSegment[];
  readonly issues: IssueCollector;
}

/** Checks one DAG: every task's references, wiring and types, the dependency graph, and the DAG's outputs. */
export function checkDag(index: SpecIndex, site: ComponentSite, issues: IssueCollector): void {
  const dag = site.component.dag;
  if (dag === undefined) return;
  const tasks = dag.tasks ?? {};
  for (const [taskName, task] of Object.entries(tasks)) {
    const path = [...site.path, 'dag', 'tasks', taskName];
    const calleeName = task.componentRef.name;
    const callee = index.component(calleeName);
    if (callee === undefined) {
      issues.error(
        'COMPONENT_UNDEFINED',
        [...path, 'componentRef', 'name'],
        `component "${calleeName}" is not defined${didYouMean(calleeName, index.components.keys())}`,
      );
    }
    const scope: TaskScope = { index, site, tasks, taskName, task, callee, path, issues };
    checkDependentTasks(scope);
    for (const [name, binding] of Object.entries(task.inputs?.parameters ?? {}))
      checkParameterBinding(scope, name, binding);
    for (const [name, binding] of Object.entries(task.inputs?.artifacts ?? {}))
      checkArtifactBinding(scope, name, binding);
    checkIterator(scope);
    checkRequiredInputs(scope);
    checkTrigger(scope);
    checkRetry(scope);
    checkResourcePlaceholders(scope);
  }
  const cycle = findDependencyCycle(tasks);
  if (cycle !== undefined) {
    issues.error(
      'DEPENDENCY_CYCLE',
      [...site.path, 'dag', 'tasks', cycle[0] ?? ''],
      `tasks depend on each other in a cycle: ${cycle.join(' -> ')}`,
    );
  }
  checkDagOutputs(index, site, issues);
}

function checkDependentTasks({ tasks, taskName, task, path, issues }: TaskScope): void {
  (task.dependentTasks ?? []).forEach((dependency, position) => {
    if (dependency === taskName) {
      issues.error(
        'DEPENDENCY_CYCLE',
        [...path, 'dependentTasks', position],
        `task "${taskName}" depends on itself`,
      );
    } else if (!Object.hasOwn(tasks, dependency)) {
      issues.error(
        'TASK_UNDEFINED',
        [...path, 'dependentTasks', position],
        `task "${dependency}" is not defined in this DAG${didYouMean(dependency, Object.keys(tasks))}`,
      );
    }
  });
}

/** The producer task's component, or undefined after reporting why it cannot be found. */
function producerComponent(
  scope: TaskScope,
  producer: string,
  path: readonly PathSegment[],
): ComponentSpec | undefined {
  const { tasks, taskName, index, issues } = scope;
  if (producer === taskName) {
    issues.error('DEPENDENCY_CYCLE', path, `task "${taskName}" consumes its own output`);
    return undefined;
  }
  const producerTask = Object.hasOwn(tasks, producer) ? tasks[producer] : undefined;
  if (producerTask === undefined) {
    issues.error(
      'TASK_UNDEFINED',
      path,
      `task "${producer}" is not defined in this DAG${didYouMean(producer, Object.keys(tasks))}`,
    );
    return undefined;
  }
  return index.component(producerTask.componentRef.name);
}

function checkParameterBinding(scope: TaskScope, name: string, binding: InputParameterBinding): void {
  const { callee, site, path, issues, task } = scope;
  const bindingPath = [...path, 'inputs', 'parameters', name];
  const target = callee?.inputDefinitions?.parameters?.[name];
  if (callee !== undefined && target === undefined && !isPlumbingInput(scope, name, binding)) {
    issues.warn(
      'INPUT_UNDEFINED',
      bindingPath,
      `component "${task.componentRef.name}" has no input parameter "${name}"; the value is passed but nothing reads it${didYouMean(name, keysOf(callee.inputDefinitions?.parameters))}`,
    );
  }
  const targetType = parameterTypeOf(target);
  let sourceType: ParameterType | undefined;
  if (binding.componentInputParameter !== undefined) {
    const source = binding.componentInputParameter;
    const definition = site.component.inputDefinitions?.parameters?.[source];
    if (definition === undefined) {
      issues.error(
        'INPUT_UNDEFINED',
        [...bindingPath, 'componentInputParameter'],
        `${describeSite(site)} has no input parameter "${source}"${didYouMean(source, keysOf(site.component.inputDefinitions?.parameters))}`,
      );
    }
    sourceType = parameterTypeOf(definition);
  } else if (binding.taskOutputParameter !== undefined) {
    const { producerTask, outputParameterKey } = binding.taskOutputParameter;
    const producer = producerComponent(scope, producerTask, [
      ...bindingPath,
      'taskOutputParameter',
      'producerTask',
    ]);
    if (producer !== undefined) {
      const outputs = producer.outputDefinitions?.parameters;
      const definition = outputs?.[outputParameterKey];
      if (definition === undefined) {
        issues.error(
          'OUTPUT_UNDEFINED',
          [...bindingPath, 'taskOutputParameter', 'outputParameterKey'],
          `task "${producerTask}" has no output parameter "${outputParameterKey}"${didYouMean(outputParameterKey, keysOf(outputs))}`,
        );
      }
      sourceType = parameterTypeOf(definition);
    }
  } else if (binding.taskFinalStatus !== undefined) {
    producerComponent(scope, binding.taskFinalStatus.producerTask, [
      ...bindingPath,
      'taskFinalStatus',
      'producerTask',
    ]);
    sourceType = 'TASK_FINAL_STATUS';
  } else if (binding.runtimeValue !== undefined) {
    const { runtimeValue } = binding;
    if (runtimeValue.runtimeParameter !== undefined) {
      const source = runtimeValue.runtimeParameter;
      const definition = site.component.inputDefinitions?.parameters?.[source];
      if (definition === undefined) {
        issues.error(
          'INPUT_UNDEFINED',
          [...bindingPath, 'runtimeValue', 'runtimeParameter'],
          `${describeSite(site)} has no input parameter "${source}"`,
        );
      }
      sourceType = parameterTypeOf(definition);
    } else if (runtimeValue.constant !== undefined && targetType !== undefined) {
      if (
        !valueFitsType(runtimeValue.constant, targetType) &&
        !isPlaceholderConstant(runtimeValue.constant)
      ) {
        issues.error(
          'TYPE_MISMATCH',
          [...bindingPath, 'runtimeValue', 'constant'],
          `constant ${JSON.stringify(runtimeValue.constant)} does not fit input "${name}" of type ${targetType}`,
        );
      }
    }
  }
  if (binding.parameterExpressionSelector !== undefined) {
    const check = checkCel(binding.parameterExpressionSelector);
    if (!check.ok) {
      issues.error(
        'CEL_SYNTAX',
        [...bindingPath, 'parameterExpressionSelector'],
        `the selector is not a valid CEL expression: ${check.message}`,
      );
    }
    // A selector reshapes the value, so the producer's type says nothing about what reaches the input.
    return;
  }
  if (
    targetType === 'TASK_FINAL_STATUS' &&
    binding.taskFinalStatus === undefined &&
    sourceType !== targetType
  ) {
    issues.error(
      'TYPE_MISMATCH',
      bindingPath,
      `input "${name}" is a TASK_FINAL_STATUS and can only be bound with taskFinalStatus`,
    );
  } else if (
    binding.taskFinalStatus !== undefined &&
    targetType !== undefined &&
    targetType !== 'TASK_FINAL_STATUS'
  ) {
    issues.error(
      'TYPE_MISMATCH',
      [...bindingPath, 'taskFinalStatus'],
      `taskFinalStatus can only feed a TASK_FINAL_STATUS input; input "${name}" is ${targetType}`,
    );
  } else if (
    sourceType !== undefined &&
    targetType !== undefined &&
    !parameterTypesCompatible(sourceType, targetType)
  ) {
    issues.error(
      'TYPE_MISMATCH',
      bindingPath,
      `input "${name}" of type ${targetType} is wired to a value of type ${sourceType}`,
    );
  }
}

/**
 * Task inputs a component does not declare are legal in KFP: its compiler adds them so that the backend can
 * resolve placeholders in the task's resource fields, and so that an iterator can read its items. Only
 * inputs that none of these explain deserve a warning.
 */
function isPlumbingInput(scope: TaskScope, name: string, binding: InputParameterBinding): boolean {
  if (scope.task.parameterIterator?.items.inputParameter === name) return true;
  if (name.startsWith('pipelinechannel--')) return true;
  if (isPlaceholderConstant(binding.runtimeValue?.constant)) return true;
  return resourcePlaceholderInputs(scope).includes(name);
}

/** The task inputs the callee executor's resource fields read through `{{$.inputs.parameters['x']}}`. */
function resourcePlaceholderInputs({ index, callee }: TaskScope): string[] {
  const label = callee?.executorLabel;
  const container =
    label === undefined ? undefined : index.spec.deploymentSpec?.executors?.[label]?.container;
  return container === undefined ? [] : resourceInputNames(container);
}

/** KFP resolves `{{$.pipeline_job_name}}` and friends in constants at run time, whatever the input's type. */
function isPlaceholderConstant(value: unknown): boolean {
  return typeof value === 'string' && /^\{\{\$.*\}\}$/.test(value);
}

function checkArtifactBinding(scope: TaskScope, name: string, binding: InputArtifactBinding): void {
  const { callee, site, path, issues, task } = scope;
  const bindingPath = [...path, 'inputs', 'artifacts', name];
  const target = callee?.inputDefinitions?.artifacts?.[name];
  const iteratorSource = task.artifactIterator?.items.inputArtifact === name;
  if (callee !== undefined && target === undefined && !iteratorSource) {
    issues.error(
      'INPUT_UNDEFINED',
      bindingPath,
      `component "${task.componentRef.name}" has no input artifact "${name}"${didYouMean(name, keysOf(callee.inputDefinitions?.artifacts))}`,
    );
  }
  let source: { artifactType?: { schemaTitle?: string }; isArtifactList?: boolean } | undefined;
  if (binding.componentInputArtifact !== undefined) {
    const input = binding.componentInputArtifact;
    source = site.component.inputDefinitions?.artifacts?.[input];
    if (source === undefined) {
      issues.error(
        'INPUT_UNDEFINED',
        [...bindingPath, 'componentInputArtifact'],
        `${describeSite(site)} has no input artifact "${input}"${didYouMean(input, keysOf(site.component.inputDefinitions?.artifacts))}`,
      );
    }
  } else if (binding.taskOutputArtifact !== undefined) {
    const { producerTask, outputArtifactKey } = binding.taskOutputArtifact;
    const producer = producerComponent(scope, producerTask, [
      ...bindingPath,
      'taskOutputArtifact',
      'producerTask',
    ]);
    if (producer !== undefined) {
      const outputs = producer.outputDefinitions?.artifacts;
      source = outputs?.[outputArtifactKey];
      if (source === undefined) {
        issues.error(
          'OUTPUT_UNDEFINED',
          [...bindingPath, 'taskOutputArtifact', 'outputArtifactKey'],
          `task "${producerTask}" has no output artifact "${outputArtifactKey}"${didYouMean(outputArtifactKey, keysOf(outputs))}`,
        );
      }
    }
  }
  if (source === undefined || target === undefined || iteratorSource) return;
  if (!artifactTypesCompatible(source.artifactType, target.artifactType)) {
    issues.error(
      'TYPE_MISMATCH',
      bindingPath,
      `input artifact "${name}" expects ${describeArtifactType(target.artifactType)}, but is wired to ${describeArtifactType(source.artifactType)}`,
    );
  } else if ((source.isArtifactList ?? false) && !(target.isArtifactList ?? false)) {
    issues.error(
      'TYPE_MISMATCH',
      bindingPath,
      `input artifact "${name}" takes a single artifact, but is wired to a list of artifacts`,
    );
  }
}

function checkIterator({ task, callee, path, issues }: TaskScope): void {
  const parameterIterator = task.parameterIterator;
  if (parameterIterator !== undefined) {
    const iteratorPath = [...path, 'parameterIterator'];
    const { raw, inputParameter } = parameterIterator.items;
    if (raw !== undefined) {
      let items: unknown;
      try {
        items = JSON.parse(raw);
      } catch {
        items = undefined;
      }
      if (!Array.isArray(items)) {
        issues.error(
          'ITERATOR_INVALID',
          [...iteratorPath, 'items', 'raw'],
          'raw items must be a JSON array, as a string',
        );
      }
    }
    if (inputParameter !== undefined && !Object.hasOwn(task.inputs?.parameters ?? {}, inputParameter)) {
      issues.error(
        'ITERATOR_INVALID',
        [...iteratorPath, 'items', 'inputParameter'],
        `the iterator reads "${inputParameter}", which is not one of this task's input parameters${didYouMean(inputParameter, keysOf(task.inputs?.parameters))}`,
      );
    }
    if (
      callee !== undefined &&
      !Object.hasOwn(callee.inputDefinitions?.parameters ?? {}, parameterIterator.itemInput)
    ) {
      issues.error(
        'ITERATOR_INVALID',
        [...iteratorPath, 'itemInput'],
        `the loop item goes to "${parameterIterator.itemInput}", which component "${task.componentRef.name}" does not declare as an input parameter`,
      );
    }
  }
  const artifactIterator = task.artifactIterator;
  if (artifactIterator !== undefined) {
    const iteratorPath = [...path, 'artifactIterator'];
    if (!Object.hasOwn(task.inputs?.artifacts ?? {}, artifactIterator.items.inputArtifact)) {
      issues.error(
        'ITERATOR_INVALID',
        [...iteratorPath, 'items', 'inputArtifact'],
        `the iterator reads "${artifactIterator.items.inputArtifact}", which is not one of this task's input artifacts`,
      );
    }
    if (
      callee !== undefined &&
      !Object.hasOwn(callee.inputDefinitions?.artifacts ?? {}, artifactIterator.itemInput)
    ) {
      issues.error(
        'ITERATOR_INVALID',
        [...iteratorPath, 'itemInput'],
        `the loop item goes to "${artifactIterator.itemInput}", which component "${task.componentRef.name}" does not declare as an input artifact`,
      );
    }
  }
  const limit = task.iteratorPolicy?.parallelismLimit;
  if (limit !== undefined && limit < 0) {
    issues.error(
      'ITERATOR_INVALID',
      [...path, 'iteratorPolicy', 'parallelismLimit'],
      `parallelismLimit must be 0 (unlimited) or more, got ${limit}`,
    );
  }
}

function checkRequiredInputs({ task, callee, path, issues }: TaskScope): void {
  if (callee === undefined) return;
  const parameters = task.inputs?.parameters ?? {};
  for (const [name, definition] of Object.entries(callee.inputDefinitions?.parameters ?? {})) {
    const fedByIterator = task.parameterIterator?.itemInput === name;
    if (isRequiredInput(definition) && !Object.hasOwn(parameters, name) && !fedByIterator) {
      issues.error(
        'INPUT_MISSING',
        [...path, 'inputs', 'parameters'],
        `required input parameter "${name}" of component "${task.componentRef.name}" is not bound`,
      );
    }
  }
  const artifacts = task.inputs?.artifacts ?? {};
  for (const [name, definition] of Object.entries(callee.inputDefinitions?.artifacts ?? {})) {
    const fedByIterator = task.artifactIterator?.itemInput === name;
    if (definition.isOptional !== true && !Object.hasOwn(artifacts, name) && !fedByIterator) {
      issues.error(
        'INPUT_MISSING',
        [...path, 'inputs', 'artifacts'],
        `required input artifact "${name}" of component "${task.componentRef.name}" is not bound`,
      );
    }
  }
}

function checkTrigger({ task, path, issues }: TaskScope): void {
  const condition = task.triggerPolicy?.condition;
  if (condition === undefined) return;
  const conditionPath = [...path, 'triggerPolicy', 'condition'];
  const check = checkCel(condition);
  if (!check.ok) {
    issues.error(
      'CEL_SYNTAX',
      conditionPath,
      `the condition is not a valid CEL expression: ${check.message}`,
    );
    return;
  }
  for (const identifier of check.identifiers) {
    if (identifier !== 'inputs') {
      issues.error(
        'CEL_SYNTAX',
        conditionPath,
        `the condition reads "${identifier}", but a trigger condition can only read "inputs"`,
      );
    }
  }
  const inputs = keysOf(task.inputs?.parameters);
  for (const name of conditionParameterNames(condition)) {
    if (!inputs.includes(name)) {
      issues.error(
        'INPUT_UNDEFINED',
        conditionPath,
        `the condition reads input parameter "${name}", which this task does not have${didYouMean(name, inputs)}`,
      );
    }
  }
}

/**
 * Resource fields such as `resourceCpuLimit: "{{$.inputs.parameters['pipelinechannel--cpu']}}"` are
 * resolved from the inputs of each task that runs the executor, not from the component's definitions.
 */
function checkResourcePlaceholders(scope: TaskScope): void {
  const inputs = keysOf(scope.task.inputs?.parameters);
  for (const name of resourcePlaceholderInputs(scope)) {
    if (inputs.includes(name)) continue;
    scope.issues.error(
      'PLACEHOLDER_UNDEFINED',
      [...scope.path, 'inputs', 'parameters'],
      `the resources of executor "${scope.callee?.executorLabel}" read input "${name}", which this task does not pass`,
    );
  }
}

function checkRetry({ task, path, issues }: TaskScope): void {
  const retry = task.retryPolicy;
  if (retry === undefined) return;
  if (retry.maxRetryCount !== undefined && retry.maxRetryCount < 0) {
    issues.error(
      'FIELD_TYPE',
      [...path, 'retryPolicy', 'maxRetryCount'],
      `maxRetryCount must be 0 or more, got ${retry.maxRetryCount}`,
    );
  }
  if (retry.backoffFactor !== undefined && retry.backoffFactor < 0) {
    issues.error(
      'FIELD_TYPE',
      [...path, 'retryPolicy', 'backoffFactor'],
      `backoffFactor must be 0 or more, got ${retry.backoffFactor}`,
    );
  }
}

function checkDagOutputs(index: SpecIndex, site: ComponentSite, issues: IssueCollector): void {
  const tasks = site.component.dag?.tasks ?? {};
  const outputs = site.component.dag?.outputs;
  const declared = site.component.outputDefinitions;
  const outputsPath = [...site.path, 'dag', 'outputs'];
  const producerOf = (producer: string, path: readonly PathSegment[]): ComponentSpec | undefined => {
    const task = Object.hasOwn(tasks, producer) ? tasks[producer] : undefined;
    if (task === undefined) {
      issues.error(
        'TASK_UNDEFINED',
        path,
        `task "${producer}" is not defined in this DAG${didYouMean(producer, Object.keys(tasks))}`,
      );
      return undefined;
    }
    return index.component(task.componentRef.name);
  };
  for (const [name, output] of Object.entries(outputs?.parameters ?? {})) {
    const outputPath = [...outputsPath, 'parameters', name];
    const definition = declared?.parameters?.[name];
    if (definition === undefined) {
      issues.error(
        'OUTPUT_UNDEFINED',
        outputPath,
        `${describeSite(site)} does not declare output parameter "${name}" in its outputDefinitions`,
      );
    }
    const selectors = output.valueFromParameter
      ? [{ selector: output.valueFromParameter, path: [...outputPath, 'valueFromParameter'] }]
      : (output.valueFromOneof?.parameterSelectors ?? []).map((selector, position) => ({
          selector,
          path: [...outputPath, 'valueFromOneof', 'parameterSelectors', position],
        }));
    for (const { selector, path } of selectors) {
      const producer = producerOf(selector.producerSubtask, [...path, 'producerSubtask']);
      if (producer === undefined) continue;
      const produced = producer.outputDefinitions?.parameters?.[selector.outputParameterKey];
      if (produced === undefined) {
        issues.error(
          'OUTPUT_UNDEFINED',
          [...path, 'outputParameterKey'],
          `task "${selector.producerSubtask}" has no output parameter "${selector.outputParameterKey}"${didYouMean(selector.outputParameterKey, keysOf(producer.outputDefinitions?.parameters))}`,
        );
        continue;
      }
      const sourceType = parameterTypeOf(produced);
      const targetType = parameterTypeOf(definition);
      // A ParallelFor body's outputs are collected over its iterations into a LIST (KFP's Collected).
      const collected = index.iteratedComponents.has(site.name) && targetType === 'LIST';
      if (sourceType && targetType && !collected && !parameterTypesCompatible(sourceType, targetType)) {
        issues.error(
          'TYPE_MISMATCH',
          path,
          `output "${name}" of type ${targetType} is taken from a value of type ${sourceType}`,
        );
      }
    }
  }
  for (const [name, output] of Object.entries(outputs?.artifacts ?? {})) {
    const outputPath = [...outputsPath, 'artifacts', name];
    const definition = declared?.artifacts?.[name];
    if (definition === undefined) {
      issues.error(
        'OUTPUT_UNDEFINED',
        outputPath,
        `${describeSite(site)} does not declare output artifact "${name}" in its outputDefinitions`,
      );
    }
    (output.artifactSelectors ?? []).forEach((selector, position) => {
      const path = [...outputPath, 'artifactSelectors', position];
      const producer = producerOf(selector.producerSubtask, [...path, 'producerSubtask']);
      if (producer === undefined) return;
      const produced = producer.outputDefinitions?.artifacts?.[selector.outputArtifactKey];
      if (produced === undefined) {
        issues.error(
          'OUTPUT_UNDEFINED',
          [...path, 'outputArtifactKey'],
          `task "${selector.producerSubtask}" has no output artifact "${selector.outputArtifactKey}"${didYouMean(selector.outputArtifactKey, keysOf(producer.outputDefinitions?.artifacts))}`,
        );
      } else if (definition && !artifactTypesCompatible(produced.artifactType, definition.artifactType)) {
        issues.error(
          'TYPE_MISMATCH',
          path,
          `output artifact "${name}" is ${describeArtifactType(definition.artifactType)}, but is taken from ${describeArtifactType(produced.artifactType)}`,
        );
      }
    });
  }
}

function describeSite(site: ComponentSite): string {
  return site.name === 'root' ? 'the pipeline' : `component "${site.name}"`;
}
