import type { JsonObject, JsonValue } from '@cairn/spec';
import {
  channelsInString,
  ParameterChannel,
  type ParameterRef,
  PipelineChannel,
} from '../channels/pipeline-channel.ts';
import { currentGraph } from '../graph/build-context.ts';
import type { InputDefinition } from '../graph/graph-model.ts';
import { InputValuePlaceholder } from '../placeholders/placeholders.ts';
import type { PipelineTask } from '../task/pipeline-task.ts';
import { type ArtifactSpec, type ArtifactType, Output } from '../types/artifact-spec.ts';
import { Parameter, ParameterSpec } from '../types/parameter-spec.ts';
import { callComponent } from './component.ts';

/**
 * A metadata value: JSON, with pipeline values (channels) anywhere, also inside strings.
 *
 * @example
 * const metadata: Record<string, ImporterMetadataValue> = { name: [nameInput, 'alias'], note: `from ${task.output}` };
 */
export type ImporterMetadataValue =
  | JsonValue
  | ParameterRef<string>
  | readonly ImporterMetadataValue[]
  | { readonly [key: string]: ImporterMetadataValue };

/**
 * What to import: the artifact's URI (a constant or a pipeline value), its type, and optionally whether
 * to import it again on every run (`reimport`) and metadata to record with it.
 *
 * @example
 * const options: ImporterOptions<'system.Dataset', Dataset> = { artifactUri: 'gs://bucket/data.csv', artifactClass: Dataset };
 */
export interface ImporterOptions<T extends string, I> {
  readonly artifactUri: string | ParameterRef<'String' | 'Any'>;
  readonly artifactClass: ArtifactType<T, I>;
  readonly reimport?: boolean;
  readonly metadata?: { readonly [key: string]: ImporterMetadataValue };
}

/**
 * The importer's outputs: the imported artifact.
 *
 * @example
 * const data = importer({ artifactUri: 'gs://b/x.csv', artifactClass: Dataset }).outputs.artifact;
 */
export type ImporterOutputs<T extends string, I> = { readonly artifact: ArtifactSpec<T, I, 'output'> };

/**
 * Imports an existing artifact into the pipeline (KFP's `dsl.importer`); the task's `artifact` output
 * feeds downstream tasks.
 *
 * @example
 * const imported = importer({ artifactUri: 'gs://ml-pipeline-playground/shakespeare1.txt', artifactClass: Dataset });
 * train({ dataset: imported.outputs.artifact });
 */
export function importer<T extends string, I>(
  options: ImporterOptions<T, I>,
): PipelineTask<ImporterOutputs<T, I>> {
  const graph = currentGraph('importer');
  const metadataInputs: Record<string, InputDefinition> = {};
  const metadataArguments = new Map<string, PipelineChannel>();
  const inputFor = (channel: PipelineChannel): string => {
    if (!(channel instanceof ParameterChannel))
      throw new TypeError('importer metadata can only hold parameters, not artifacts');
    for (const [name, known] of metadataArguments) if (known.pattern === channel.pattern) return name;
    let name = 'metadata';
    for (let index = 2; metadataArguments.has(name); index += 1) name = `metadata-${index}`;
    metadataArguments.set(name, channel);
    metadataInputs[name] = new ParameterSpec({ type: channel.type, isOptional: false });
    return name;
  };
  const withPlaceholders = (value: ImporterMetadataValue): JsonValue => {
    if (value instanceof PipelineChannel) return new InputValuePlaceholder(inputFor(value)).text;
    if (typeof value === 'string') {
      let text = value;
      for (const channel of channelsInString(graph, value)) {
        text = text.replaceAll(channel.pattern, new InputValuePlaceholder(inputFor(channel)).text);
      }
      return text;
    }
    if (Array.isArray(value)) return value.map(withPlaceholders);
    if (value !== null && typeof value === 'object') {
      const result: JsonObject = {};
      for (const [key, member] of Object.entries(value)) {
        const newKey = withPlaceholders(key) as string;
        result[newKey] = withPlaceholders(member as ImporterMetadataValue);
      }
      return result;
    }
    return value as JsonValue;
  };
  const metadata =
    options.metadata === undefined ? undefined : (withPlaceholders(options.metadata) as JsonObject);
  const artifact = Output(options.artifactClass);
  const definition = {
    name: 'importer',
    description: undefined,
    inputs: { uri: Parameter.String, ...metadataInputs },
    outputs: { artifact },
    implementation: {
      kind: 'importer',
      artifactType: options.artifactClass,
      reimport: options.reimport ?? false,
      metadata: metadata === undefined || Object.keys(metadata).length === 0 ? undefined : metadata,
    },
  } as const;
  return callComponent(definition, { uri: options.artifactUri, ...Object.fromEntries(metadataArguments) });
}
