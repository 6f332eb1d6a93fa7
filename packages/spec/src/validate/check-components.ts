import type { IssueCollector } from '../issues/spec-issue.ts';
import { didYouMean } from '../issues/suggest.ts';
import type { JsonValue, ParameterType } from '../model/pipeline-spec.ts';
import { parameterTypeOf, type SpecIndex } from './spec-index.ts';

/**
 * Checks each component on its own: that it names an executor which exists, that the root is a DAG,
 * that parameter definitions have a type and that defaults fit it, and that no DAG contains itself.
 */
export function checkComponents(index: SpecIndex, issues: IssueCollector): void {
  if (index.spec.root.dag === undefined) {
    issues.error(
      'FIELD_REQUIRED',
      ['root', 'dag'],
      'the root component must be a DAG (it has an executorLabel)',
    );
  }
  for (const site of index.sites()) {
    const { component, path } = site;
    const label = component.executorLabel;
    if (label !== undefined && !index.executorLabels.has(label)) {
      issues.error(
        'EXECUTOR_UNDEFINED',
        [...path, 'executorLabel'],
        `executor "${label}" is not defined in deploymentSpec.executors${didYouMean(label, index.executorLabels)}`,
      );
    }
    for (const [name, definition] of Object.entries(component.inputDefinitions?.parameters ?? {})) {
      const definitionPath = [...path, 'inputDefinitions', 'parameters', name];
      const type = parameterTypeOf(definition);
      if (type === undefined) {
        issues.error(
          'FIELD_REQUIRED',
          [...definitionPath, 'parameterType'],
          'the input parameter has no parameterType',
        );
      } else if (definition.defaultValue !== undefined && !valueFitsType(definition.defaultValue, type)) {
        issues.error(
          'DEFAULT_VALUE_INVALID',
          [...definitionPath, 'defaultValue'],
          `default ${JSON.stringify(definition.defaultValue)} is not a ${type} value`,
        );
      }
    }
    for (const [name, definition] of Object.entries(component.outputDefinitions?.parameters ?? {})) {
      if (parameterTypeOf(definition) === undefined) {
        issues.error(
          'FIELD_REQUIRED',
          [...path, 'outputDefinitions', 'parameters', name, 'parameterType'],
          'the output parameter has no parameterType',
        );
      }
    }
  }
  checkRecursion(index, issues);
}

/** Whether a constant or default can stand for a parameter of the given type, as KFP's driver reads it. */
export function valueFitsType(value: JsonValue, type: ParameterType): boolean {
  switch (type) {
    case 'STRING':
      return typeof value === 'string';
    case 'NUMBER_INTEGER':
      return typeof value === 'number' && Number.isInteger(value);
    case 'NUMBER_DOUBLE':
      return typeof value === 'number';
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'LIST':
      return Array.isArray(value);
    case 'STRUCT':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'TASK_FINAL_STATUS':
    case 'TASK_CONFIG':
      // Filled in by the engine at run time; a compile-time value is never read.
      return true;
  }
}

/** A DAG component that reaches itself through its tasks would expand forever. */
function checkRecursion(index: SpecIndex, issues: IssueCollector): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      issues.error(
        'COMPONENT_RECURSION',
        ['components', name, 'dag'],
        `component "${name}" contains itself: ${cycle.join(' -> ')}`,
      );
      return;
    }
    state.set(name, 'visiting');
    const tasks = index.component(name)?.dag?.tasks ?? {};
    for (const task of Object.values(tasks)) {
      const child = task.componentRef.name;
      if (index.components.has(child)) visit(child, [...trail, name]);
    }
    state.set(name, 'done');
  };
  for (const name of index.components.keys()) visit(name, []);
}
