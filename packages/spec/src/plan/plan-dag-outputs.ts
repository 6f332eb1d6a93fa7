import type { PathSegment } from '../issues/spec-issue.ts';
import type { DagOutputsSpec } from '../model/pipeline-spec.ts';
import type {
  DagArtifactSource,
  DagOutputsPlan,
  DagParameterSource,
  TaskOutputRef,
} from './execution-plan.ts';
import { PlanError } from './plan-error.ts';
import { messageEntries, messageList, optionalMessage, requiredString } from './read-spec.ts';

/** Where a DAG's outputs come from, each selector checked to name a task of the DAG. */
export function planDagOutputs(
  spec: DagOutputsSpec | undefined,
  path: readonly PathSegment[],
  taskKeys: ReadonlySet<string>,
): DagOutputsPlan {
  const outputs = optionalMessage(spec, path, 'DagOutputsSpec');
  const parameters = messageEntries(
    outputs?.parameters,
    [...path, 'parameters'],
    'DagOutputParameterSpec',
  ).map(([name, output]): [string, DagParameterSource] => {
    const at = [...path, 'parameters', name];
    const single = optionalMessage(
      output.valueFromParameter,
      [...at, 'valueFromParameter'],
      'ParameterSelectorSpec',
    );
    const oneof = optionalMessage(output.valueFromOneof, [...at, 'valueFromOneof'], 'ParameterSelectorsSpec');
    if (single !== undefined && oneof !== undefined) {
      throw new PlanError(
        'ONEOF_CONFLICT',
        [...at, 'valueFromOneof'],
        'valueFromParameter and valueFromOneof cannot be set together',
      );
    }
    if (single !== undefined) {
      const source = taskOutput(single, 'outputParameterKey', [...at, 'valueFromParameter'], taskKeys);
      return [name, { kind: 'taskOutput', ...source }];
    }
    if (oneof === undefined) {
      throw new PlanError(
        'FIELD_REQUIRED',
        at,
        'DagOutputParameterSpec needs one of valueFromParameter, valueFromOneof',
      );
    }
    const listPath = [...at, 'valueFromOneof', 'parameterSelectors'];
    const candidates = messageList(oneof.parameterSelectors, listPath, 'ParameterSelectorSpec').map(
      (selector, index) => taskOutput(selector, 'outputParameterKey', [...listPath, index], taskKeys),
    );
    return [name, { kind: 'oneof', candidates }];
  });
  const artifacts = messageEntries(outputs?.artifacts, [...path, 'artifacts'], 'DagOutputArtifactSpec').map(
    ([name, output]): [string, DagArtifactSource] => {
      const listPath = [...path, 'artifacts', name, 'artifactSelectors'];
      const selectors = messageList(output.artifactSelectors, listPath, 'ArtifactSelectorSpec').map(
        (selector, index) => taskOutput(selector, 'outputArtifactKey', [...listPath, index], taskKeys),
      );
      return [name, { selectors }];
    },
  );
  return { parameters: Object.fromEntries(parameters), artifacts: Object.fromEntries(artifacts) };
}

function taskOutput(
  selector: { readonly producerSubtask: string },
  outputField: 'outputParameterKey' | 'outputArtifactKey',
  path: readonly PathSegment[],
  taskKeys: ReadonlySet<string>,
): TaskOutputRef {
  const task = requiredString(selector.producerSubtask, [...path, 'producerSubtask'], 'the producer task');
  if (!taskKeys.has(task)) {
    throw new PlanError('TASK_UNDEFINED', [...path, 'producerSubtask'], `task "${task}" is not in this DAG`);
  }
  const output = (selector as Readonly<Record<string, unknown>>)[outputField];
  return { task, output: requiredString(output, [...path, outputField], 'the output name') };
}
