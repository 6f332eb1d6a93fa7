import type { PathSegment } from '../issues/spec-issue.ts';
import {
  type ArtifactTypeSchema,
  type ComponentInputsSpec,
  type ComponentOutputsSpec,
  type InputParameterDefinition,
  type JsonObject,
  type OutputParameterDefinition,
  PARAMETER_TYPES,
  type ParameterType,
} from '../model/pipeline-spec.ts';
import { copyJson } from './copy-json.ts';
import type {
  ArtifactInputPlan,
  ArtifactOutputPlan,
  ArtifactTypePlan,
  ComponentInputsPlan,
  ComponentOutputsPlan,
  ParameterInputPlan,
  ParameterOutputPlan,
} from './execution-plan.ts';
import { PlanError } from './plan-error.ts';
import {
  messageEntries,
  optionalBoolean,
  optionalMessage,
  optionalString,
  requiredMessage,
} from './read-spec.ts';

/** A component's input definitions with their types resolved and absent flags read as false. */
export function planInputDefinitions(
  spec: ComponentInputsSpec | undefined,
  path: readonly PathSegment[],
): ComponentInputsPlan {
  const inputs = optionalMessage(spec, path, 'ComponentInputsSpec');
  const parameters = messageEntries(inputs?.parameters, [...path, 'parameters'], 'ParameterSpec').map(
    ([name, definition]): [string, ParameterInputPlan] => {
      const at = [...path, 'parameters', name];
      const description = optionalString(definition.description, [...at, 'description']);
      return [
        name,
        {
          type: parameterType(definition, at),
          optional: optionalBoolean(definition.isOptional, [...at, 'isOptional']) ?? false,
          ...(definition.defaultValue === undefined
            ? {}
            : { defaultValue: copyJson(definition.defaultValue, [...at, 'defaultValue']) }),
          ...(description === undefined ? {} : { description }),
        },
      ];
    },
  );
  const artifacts = messageEntries(inputs?.artifacts, [...path, 'artifacts'], 'ArtifactSpec').map(
    ([name, definition]): [string, ArtifactInputPlan] => {
      const at = [...path, 'artifacts', name];
      const description = optionalString(definition.description, [...at, 'description']);
      return [
        name,
        {
          artifactType: artifactType(definition.artifactType, [...at, 'artifactType']),
          isList: optionalBoolean(definition.isArtifactList, [...at, 'isArtifactList']) ?? false,
          optional: optionalBoolean(definition.isOptional, [...at, 'isOptional']) ?? false,
          ...(description === undefined ? {} : { description }),
        },
      ];
    },
  );
  return { parameters: Object.fromEntries(parameters), artifacts: Object.fromEntries(artifacts) };
}

export function planOutputDefinitions(
  spec: ComponentOutputsSpec | undefined,
  path: readonly PathSegment[],
): ComponentOutputsPlan {
  const outputs = optionalMessage(spec, path, 'ComponentOutputsSpec');
  const parameters = messageEntries(outputs?.parameters, [...path, 'parameters'], 'ParameterSpec').map(
    ([name, definition]): [string, ParameterOutputPlan] => {
      const at = [...path, 'parameters', name];
      const description = optionalString(definition.description, [...at, 'description']);
      return [
        name,
        { type: parameterType(definition, at), ...(description === undefined ? {} : { description }) },
      ];
    },
  );
  const artifacts = messageEntries(outputs?.artifacts, [...path, 'artifacts'], 'ArtifactSpec').map(
    ([name, definition]): [string, ArtifactOutputPlan] => {
      const at = [...path, 'artifacts', name];
      const description = optionalString(definition.description, [...at, 'description']);
      const metadata = optionalMessage(definition.metadata, [...at, 'metadata'], 'Struct');
      return [
        name,
        {
          artifactType: artifactType(definition.artifactType, [...at, 'artifactType']),
          isList: optionalBoolean(definition.isArtifactList, [...at, 'isArtifactList']) ?? false,
          ...(description === undefined ? {} : { description }),
          ...(metadata === undefined
            ? {}
            : { metadata: copyJson(metadata, [...at, 'metadata']) as JsonObject }),
        },
      ];
    },
  );
  return { parameters: Object.fromEntries(parameters), artifacts: Object.fromEntries(artifacts) };
}

/** The deprecated `type` of KFP v1-era specs, read as its modern parameterType. */
const PRIMITIVE_TO_PARAMETER: Readonly<Record<string, ParameterType>> = {
  INT: 'NUMBER_INTEGER',
  DOUBLE: 'NUMBER_DOUBLE',
  STRING: 'STRING',
};

function parameterType(
  definition: InputParameterDefinition | OutputParameterDefinition,
  path: readonly PathSegment[],
): ParameterType {
  const modern = optionalString(definition.parameterType, [...path, 'parameterType']);
  if (modern !== undefined) {
    if ((PARAMETER_TYPES as readonly string[]).includes(modern)) return modern as ParameterType;
    throw new PlanError('ENUM_VALUE', [...path, 'parameterType'], `"${modern}" is not a ParameterType`);
  }
  const primitive = optionalString(definition.type, [...path, 'type']);
  if (primitive !== undefined) {
    const translated = Object.hasOwn(PRIMITIVE_TO_PARAMETER, primitive)
      ? PRIMITIVE_TO_PARAMETER[primitive]
      : undefined;
    if (translated !== undefined) return translated;
    throw new PlanError('ENUM_VALUE', [...path, 'type'], `"${primitive}" is not a PrimitiveType`);
  }
  // Without a type the engine cannot tell how to read a run-time value ("3" the string or 3 the number).
  throw new PlanError('FIELD_REQUIRED', path, 'the parameter has no parameterType');
}

function artifactType(spec: ArtifactTypeSchema | undefined, path: readonly PathSegment[]): ArtifactTypePlan {
  const schema = requiredMessage(spec, path, 'ArtifactTypeSchema');
  const fields = ['schemaTitle', 'schemaUri', 'instanceSchema', 'schemaVersion'] as const;
  const plan: Partial<Record<(typeof fields)[number], string>> = {};
  for (const field of fields) {
    const value = optionalString(schema[field], [...path, field]);
    if (value !== undefined) plan[field] = value;
  }
  return plan;
}
