import type {
  ArtifactTypeSchema,
  ComponentSpec,
  InputArtifactDefinition,
  InputParameterDefinition,
  OutputArtifactDefinition,
  OutputParameterDefinition,
} from '@cairn/spec';
import { CollectedChannel } from '../dsl/channels/collected.ts';
import { ArtifactChannel, ParameterChannel, type PipelineChannel } from '../dsl/channels/pipeline-channel.ts';
import type { InputDefinition, OutputDefinition } from '../dsl/graph/graph-model.ts';
import { additionalInputName } from './group-analysis.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The IR `artifactType` of an artifact type.
 *
 * @example
 * artifactTypeSchema({ schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' });
 */
export function artifactTypeSchema(type: {
  readonly schemaTitle: string;
  readonly schemaVersion: string;
}): ArtifactTypeSchema {
  return { schemaTitle: type.schemaTitle, schemaVersion: type.schemaVersion };
}

/**
 * The IR interface (`inputDefinitions`, `outputDefinitions`) of a component or pipeline, as KFP's
 * `_build_component_spec_from_component_spec_structure` writes it: defaults only for optional
 * parameters, `isOptional` only when true, `TaskFinalStatus` inputs always optional.
 *
 * @example
 * componentInterface({ text: Parameter.String }, { Output: Parameter.String });
 */
export function componentInterface(
  inputs: Readonly<Record<string, InputDefinition>>,
  outputs: Readonly<Record<string, OutputDefinition>>,
): ComponentSpec {
  const spec: Mutable<ComponentSpec> = {};
  const parameters: Record<string, InputParameterDefinition> = {};
  const artifacts: Record<string, InputArtifactDefinition> = {};
  for (const [name, input] of Object.entries(inputs)) {
    if (input.kind === 'parameter') {
      const definition: Mutable<InputParameterDefinition> = { parameterType: input.type.ir };
      if (input.type.ir === 'TASK_FINAL_STATUS' || input.type.ir === 'TASK_CONFIG') {
        definition.isOptional = true;
      } else if (input.isOptional) {
        definition.isOptional = true;
        if (input.defaultValue !== undefined) definition.defaultValue = input.defaultValue;
      }
      if (input.description) definition.description = input.description;
      parameters[name] = definition;
    } else {
      const definition: Mutable<InputArtifactDefinition> = {
        artifactType: artifactTypeSchema(input.artifactType),
      };
      if (input.list) definition.isArtifactList = true;
      if (input.isOptional) definition.isOptional = true;
      if (input.description) definition.description = input.description;
      artifacts[name] = definition;
    }
  }
  const inputDefinitions = definitions(parameters, artifacts);
  if (inputDefinitions !== undefined) spec.inputDefinitions = inputDefinitions;
  const outputParameters: Record<string, OutputParameterDefinition> = {};
  const outputArtifacts: Record<string, OutputArtifactDefinition> = {};
  for (const [name, output] of Object.entries(outputs)) {
    if (output.kind === 'parameter') {
      const definition: Mutable<OutputParameterDefinition> = { parameterType: output.type.ir };
      if (output.description) definition.description = output.description;
      outputParameters[name] = definition;
    } else {
      const definition: Mutable<OutputArtifactDefinition> = {
        artifactType: artifactTypeSchema(output.artifactType),
      };
      if (output.list) definition.isArtifactList = true;
      if (output.description) definition.description = output.description;
      outputArtifacts[name] = definition;
    }
  }
  const outputDefinitions = definitions(outputParameters, outputArtifacts);
  if (outputDefinitions !== undefined) spec.outputDefinitions = outputDefinitions;
  return spec;
}

function definitions<P, A>(
  parameters: Record<string, P>,
  artifacts: Record<string, A>,
): { parameters?: Record<string, P>; artifacts?: Record<string, A> } | undefined {
  const result: { parameters?: Record<string, P>; artifacts?: Record<string, A> } = {};
  if (Object.keys(parameters).length > 0) result.parameters = parameters;
  if (Object.keys(artifacts).length > 0) result.artifacts = artifacts;
  return Object.keys(result).length === 0 ? undefined : result;
}

/**
 * The interface of a group's DAG component (KFP's `build_component_spec_for_group`): one
 * `pipelinechannel--` input per channel passed in, one output per channel surfaced.
 *
 * @example
 * groupInterface([flip.outputs.Output], new Map());
 */
export function groupInterface(
  inputChannels: readonly PipelineChannel[],
  outputChannels: ReadonlyMap<string, PipelineChannel>,
): ComponentSpec {
  const spec: Mutable<ComponentSpec> = {};
  const parameters: Record<string, InputParameterDefinition> = {};
  const artifacts: Record<string, InputArtifactDefinition> = {};
  for (const channel of inputChannels) {
    const name = additionalInputName(channel);
    const artifact = artifactOf(channel);
    if (artifact !== undefined) {
      const definition: Mutable<InputArtifactDefinition> = {
        artifactType: artifactTypeSchema(artifact.type),
      };
      if (artifact.list) definition.isArtifactList = true;
      artifacts[name] = definition;
    } else {
      parameters[name] = { parameterType: parameterTypeOf(channel) };
    }
  }
  const inputDefinitions = definitions(parameters, artifacts);
  if (inputDefinitions !== undefined) spec.inputDefinitions = inputDefinitions;
  const outputParameters: Record<string, OutputParameterDefinition> = {};
  const outputArtifacts: Record<string, OutputArtifactDefinition> = {};
  for (const [name, channel] of outputChannels) {
    const artifact = artifactOf(channel);
    if (artifact !== undefined) {
      const definition: Mutable<OutputArtifactDefinition> = {
        artifactType: artifactTypeSchema(artifact.type),
      };
      if (artifact.list) definition.isArtifactList = true;
      outputArtifacts[name] = definition;
    } else {
      outputParameters[name] = { parameterType: parameterTypeOf(channel) };
    }
  }
  const outputDefinitions = definitions(outputParameters, outputArtifacts);
  if (outputDefinitions !== undefined) spec.outputDefinitions = outputDefinitions;
  return spec;
}

/**
 * The artifact type and list flag of an artifact channel (including collected artifacts); undefined for
 * parameters.
 *
 * @example
 * artifactOf(train.outputs.model); // { type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, list: false }
 */
export function artifactOf(
  channel: PipelineChannel,
): { type: { schemaTitle: string; schemaVersion: string }; list: boolean } | undefined {
  if (channel instanceof ArtifactChannel) return { type: channel.artifactType, list: channel.isArtifactList };
  if (channel instanceof CollectedChannel && channel.artifactType !== undefined)
    return { type: channel.artifactType, list: true };
  return undefined;
}

function parameterTypeOf(channel: PipelineChannel): NonNullable<InputParameterDefinition['parameterType']> {
  if (channel instanceof ParameterChannel) return channel.type.ir;
  if (channel instanceof CollectedChannel) return 'LIST';
  throw new TypeError(`unexpected pipeline value ${channel.pattern}`);
}
