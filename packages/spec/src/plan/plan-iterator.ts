import type { PathSegment } from '../issues/spec-issue.ts';
import type { PipelineTaskSpec } from '../model/pipeline-spec.ts';
import { copyJson } from './copy-json.ts';
import type {
  ComponentInputsPlan,
  IteratorPlan,
  ParameterIteratorItems,
  TaskInputsPlan,
} from './execution-plan.ts';
import { PlanError } from './plan-error.ts';
import {
  optionalMessage,
  optionalNumber,
  optionalString,
  requiredMessage,
  requiredString,
} from './read-spec.ts';

/**
 * A task's ParallelFor iterator, if it has one. The items come either from the spec (`raw`) or from one of
 * the task's own inputs; each iteration runs the task's component with one item bound to `itemInput`, an
 * input the component declares but the task does not bind.
 */
export function planIterator(
  task: PipelineTaskSpec,
  path: readonly PathSegment[],
  inputs: TaskInputsPlan,
  calleeInputs: ComponentInputsPlan,
): IteratorPlan | undefined {
  const parameterIterator = optionalMessage(
    task.parameterIterator,
    [...path, 'parameterIterator'],
    'ParameterIteratorSpec',
  );
  const artifactIterator = optionalMessage(
    task.artifactIterator,
    [...path, 'artifactIterator'],
    'ArtifactIteratorSpec',
  );
  if (parameterIterator !== undefined && artifactIterator !== undefined) {
    throw new PlanError(
      'ONEOF_CONFLICT',
      [...path, 'artifactIterator'],
      'parameterIterator and artifactIterator cannot be set together',
    );
  }
  if (parameterIterator === undefined && artifactIterator === undefined) return undefined;
  const parallelismLimit = planParallelismLimit(task, path);
  if (parameterIterator !== undefined) {
    const at = [...path, 'parameterIterator'];
    const itemInput = requiredString(parameterIterator.itemInput, [...at, 'itemInput'], 'the item input');
    requireDeclared(calleeInputs.parameters, itemInput, [...at, 'itemInput'], 'input parameter');
    return {
      kind: 'parameter',
      items: parameterItems(parameterIterator.items, [...at, 'items'], inputs),
      itemInput,
      parallelismLimit,
    };
  }
  const at = [...path, 'artifactIterator'];
  const items = requiredMessage(artifactIterator?.items, [...at, 'items'], 'ItemsSpec');
  const inputArtifact = requiredString(
    items.inputArtifact,
    [...at, 'items', 'inputArtifact'],
    'the input artifact',
  );
  if (!Object.hasOwn(inputs.artifacts, inputArtifact)) {
    throw new PlanError(
      'ITERATOR_INVALID',
      [...at, 'items', 'inputArtifact'],
      `the iterator reads "${inputArtifact}", which is not one of this task's input artifacts`,
    );
  }
  const itemInput = requiredString(artifactIterator?.itemInput, [...at, 'itemInput'], 'the item input');
  requireDeclared(calleeInputs.artifacts, itemInput, [...at, 'itemInput'], 'input artifact');
  return { kind: 'artifact', inputArtifact, itemInput, parallelismLimit };
}

function parameterItems(
  spec: NonNullable<PipelineTaskSpec['parameterIterator']>['items'] | undefined,
  path: readonly PathSegment[],
  inputs: TaskInputsPlan,
): ParameterIteratorItems {
  const items = requiredMessage(spec, path, 'ItemsSpec');
  const raw = optionalString(items.raw, [...path, 'raw']);
  const inputParameter = optionalString(items.inputParameter, [...path, 'inputParameter']);
  if (raw !== undefined && inputParameter !== undefined) {
    throw new PlanError(
      'ONEOF_CONFLICT',
      [...path, 'inputParameter'],
      'raw and inputParameter cannot be set together',
    );
  }
  if (raw !== undefined) {
    let values: unknown;
    try {
      values = JSON.parse(raw);
    } catch {
      values = undefined;
    }
    if (!Array.isArray(values)) {
      throw new PlanError(
        'ITERATOR_INVALID',
        [...path, 'raw'],
        'raw items must be a JSON array, written as a string',
      );
    }
    return { kind: 'raw', values: values.map((value, index) => copyJson(value, [...path, 'raw', index])) };
  }
  if (inputParameter === undefined) {
    throw new PlanError('FIELD_REQUIRED', path, 'ItemsSpec needs one of raw, inputParameter');
  }
  if (!Object.hasOwn(inputs.parameters, inputParameter)) {
    throw new PlanError(
      'ITERATOR_INVALID',
      [...path, 'inputParameter'],
      `the iterator reads "${inputParameter}", which is not one of this task's input parameters`,
    );
  }
  return { kind: 'input', name: inputParameter };
}

function requireDeclared(
  declared: Readonly<Record<string, unknown>>,
  itemInput: string,
  path: readonly PathSegment[],
  what: string,
): void {
  if (!Object.hasOwn(declared, itemInput)) {
    throw new PlanError(
      'ITERATOR_INVALID',
      path,
      `the loop item goes to "${itemInput}", which the task's component does not declare as an ${what}`,
    );
  }
}

/** `iteratorPolicy.parallelismLimit`: 0, or absent, means every iteration may run at once. */
function planParallelismLimit(task: PipelineTaskSpec, path: readonly PathSegment[]): number {
  const policy = optionalMessage(task.iteratorPolicy, [...path, 'iteratorPolicy'], 'IteratorPolicy');
  const at = [...path, 'iteratorPolicy', 'parallelismLimit'];
  const limit = optionalNumber(policy?.parallelismLimit, at) ?? 0;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new PlanError(
      'ITERATOR_INVALID',
      at,
      `parallelismLimit must be a whole number of 0 or more, got ${limit}`,
    );
  }
  return limit;
}
