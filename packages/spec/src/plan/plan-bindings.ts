import type { PathSegment } from '../issues/spec-issue.ts';
import { describe } from '../load/decode-message.ts';
import type {
  InputArtifactBinding,
  InputParameterBinding,
  JsonValue,
  TaskInputsSpec,
  ValueOrRuntimeParameter,
} from '../model/pipeline-spec.ts';
import { copyJson } from './copy-json.ts';
import type { ArtifactBinding, ParameterBinding, ParameterSource, TaskInputsPlan } from './execution-plan.ts';
import { PlanError } from './plan-error.ts';
import {
  messageEntries,
  optionalMessage,
  optionalString,
  requiredMessage,
  requiredString,
} from './read-spec.ts';

/** A task's input bindings, each reduced to the one source it names. */
export function planTaskInputs(
  spec: TaskInputsSpec | undefined,
  path: readonly PathSegment[],
): TaskInputsPlan {
  const inputs = optionalMessage(spec, path, 'TaskInputsSpec');
  const parameters = messageEntries(inputs?.parameters, [...path, 'parameters'], 'InputParameterSpec').map(
    ([name, binding]): [string, ParameterBinding] => [
      name,
      parameterBinding(binding, [...path, 'parameters', name]),
    ],
  );
  const artifacts = messageEntries(inputs?.artifacts, [...path, 'artifacts'], 'InputArtifactSpec').map(
    ([name, binding]): [string, ArtifactBinding] => [
      name,
      artifactBinding(binding, [...path, 'artifacts', name]),
    ],
  );
  return { parameters: Object.fromEntries(parameters), artifacts: Object.fromEntries(artifacts) };
}

function parameterBinding(binding: InputParameterBinding, path: readonly PathSegment[]): ParameterBinding {
  const field = theOneField(
    binding,
    ['taskOutputParameter', 'runtimeValue', 'componentInputParameter', 'taskFinalStatus'],
    path,
    'InputParameterSpec',
  );
  const at = [...path, field];
  let source: ParameterSource;
  switch (field) {
    case 'taskOutputParameter': {
      const reference = requiredMessage(binding.taskOutputParameter, at, 'TaskOutputParameterSpec');
      source = {
        kind: 'taskOutput',
        task: requiredString(reference.producerTask, [...at, 'producerTask'], 'the producer task'),
        output: requiredString(
          reference.outputParameterKey,
          [...at, 'outputParameterKey'],
          'the output name',
        ),
      };
      break;
    }
    case 'runtimeValue':
      source = runtimeValue(requiredMessage(binding.runtimeValue, at, 'ValueOrRuntimeParameter'), at);
      break;
    case 'componentInputParameter':
      source = {
        kind: 'componentInput',
        name: requiredString(binding.componentInputParameter, at, 'the input name'),
      };
      break;
    case 'taskFinalStatus': {
      const reference = requiredMessage(binding.taskFinalStatus, at, 'TaskFinalStatus');
      source = {
        kind: 'taskFinalStatus',
        task: requiredString(reference.producerTask, [...at, 'producerTask'], 'the producer task'),
      };
      break;
    }
  }
  const selector = optionalString(binding.parameterExpressionSelector, [
    ...path,
    'parameterExpressionSelector',
  ]);
  return selector === undefined ? source : { ...source, parameterExpressionSelector: selector };
}

function runtimeValue(value: ValueOrRuntimeParameter, path: readonly PathSegment[]): ParameterSource {
  const field = theOneField(
    value,
    ['constant', 'constantValue', 'runtimeParameter'],
    path,
    'ValueOrRuntimeParameter',
  );
  const at = [...path, field];
  switch (field) {
    case 'constant':
      return { kind: 'constant', value: copyJson(value.constant, at) };
    case 'constantValue':
      return { kind: 'constant', value: deprecatedConstant(value.constantValue, at) };
    case 'runtimeParameter':
      return {
        kind: 'runtimeParameter',
        name: requiredString(value.runtimeParameter, at, 'the parameter name'),
      };
  }
}

/**
 * The proto `Value` of KFP SDK v1-era specs: `{intValue}`, `{doubleValue}` or `{stringValue}`. Protobuf's
 * JSON mapping writes int64 as a string, so `"5"` is read as 5.
 */
function deprecatedConstant(
  value: ValueOrRuntimeParameter['constantValue'],
  path: readonly PathSegment[],
): JsonValue {
  const constant = requiredMessage(value, path, 'Value');
  const field = theOneField(constant, ['intValue', 'doubleValue', 'stringValue'], path, 'Value');
  const raw: unknown = constant[field];
  const at = [...path, field];
  if (field === 'stringValue') {
    if (typeof raw !== 'string') {
      throw new PlanError('FIELD_TYPE', at, `expected a string, got ${describe(raw)}`);
    }
    return raw;
  }
  const number = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  const fits =
    typeof number === 'number' &&
    (field === 'intValue' ? Number.isSafeInteger(number) : Number.isFinite(number));
  if (!fits) {
    throw new PlanError(
      'FIELD_TYPE',
      at,
      `expected ${field === 'intValue' ? 'an integer' : 'a number'}, got ${describe(raw)}`,
    );
  }
  return number + 0;
}

function artifactBinding(binding: InputArtifactBinding, path: readonly PathSegment[]): ArtifactBinding {
  const field = theOneField(
    binding,
    ['taskOutputArtifact', 'componentInputArtifact'],
    path,
    'InputArtifactSpec',
  );
  const at = [...path, field];
  if (field === 'componentInputArtifact') {
    return {
      kind: 'componentInput',
      name: requiredString(binding.componentInputArtifact, at, 'the input name'),
    };
  }
  const reference = requiredMessage(binding.taskOutputArtifact, at, 'TaskOutputArtifactSpec');
  return {
    kind: 'taskOutput',
    task: requiredString(reference.producerTask, [...at, 'producerTask'], 'the producer task'),
    output: requiredString(reference.outputArtifactKey, [...at, 'outputArtifactKey'], 'the output name'),
  };
}

/**
 * The field that is set among the members of a protobuf oneof. `constant` is a `google.protobuf.Value`,
 * for which null is a value (JSON null) rather than "not set".
 */
function theOneField<K extends string>(
  message: object,
  fields: readonly K[],
  path: readonly PathSegment[],
  name: string,
): K {
  const record = message as Readonly<Record<string, unknown>>;
  const set = fields.filter(
    (field) => record[field] !== undefined && (record[field] !== null || field === 'constant'),
  );
  const [first, second] = set;
  if (second !== undefined) {
    throw new PlanError(
      'ONEOF_CONFLICT',
      [...path, second],
      `${first} and ${second} cannot be set together in ${name}`,
    );
  }
  if (first === undefined) {
    throw new PlanError('FIELD_REQUIRED', path, `${name} needs one of ${fields.join(', ')}`);
  }
  return first;
}
