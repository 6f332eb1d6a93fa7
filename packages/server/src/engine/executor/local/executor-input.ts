import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArtifactTypePlan, JsonObject, JsonValue } from '@cairn/spec';
import type { ExecutableTask, InputArtifact } from '../task-executor.ts';
import type { TaskDirectory } from './task-directory.ts';
import { pathSegment } from './task-directory.ts';

/** KFP's `ArtifactTypeSchema` in protobuf's JSON mapping. */
export interface ArtifactTypeJson {
  schemaTitle?: string;
  schemaUri?: string;
  instanceSchema?: string;
  schemaVersion?: string;
}

/** KFP's `RuntimeArtifact` in protobuf's JSON mapping, as a local executor fills it in. */
export interface RuntimeArtifactJson {
  name: string;
  type: ArtifactTypeJson;
  /** A `file://` URI of the artifact's local path, which KFP's SDKs and Cairn's map back to the path. */
  uri: string;
  metadata: JsonObject;
}

export interface ArtifactListJson {
  artifacts: RuntimeArtifactJson[];
}

/**
 * KFP's `ExecutorInput` in protobuf's JSON mapping: what `{{$}}` prints and function components read.
 * Fields appear in the proto's order and empty maps are left out, as `protojson` writes them.
 */
export interface ExecutorInputJson {
  inputs: {
    artifacts?: Record<string, ArtifactListJson>;
    parameterValues?: Record<string, JsonValue>;
  };
  outputs: {
    parameters?: Record<string, { outputFile: string }>;
    artifacts?: Record<string, ArtifactListJson>;
    outputFile: string;
  };
}

/** An input artifact and where the task finds it on disk. */
export interface LocalInputArtifact {
  readonly artifact: InputArtifact;
  readonly path: string;
}

/** Where the task leaves each output, by output name. */
export interface OutputLocations {
  readonly parameterFiles: Readonly<Record<string, string>>;
  readonly artifactPaths: Readonly<Record<string, string>>;
}

/**
 * Builds the task's ExecutorInput as KFP's launcher does: the given parameter values plus the
 * component's defaults for the ones not given, each input artifact with its local `file://` URI, and for
 * each output a file or path in the task's directory (the ExecutorOutput file included).
 *
 * @example
 * const { executorInput, outputs } = buildExecutorInput(task, parameterValues, localInputs, directory);
 */
export function buildExecutorInput(
  task: ExecutableTask,
  parameterValues: Readonly<Record<string, JsonValue>>,
  inputs: Readonly<Record<string, readonly LocalInputArtifact[]>>,
  directory: TaskDirectory,
): { executorInput: ExecutorInputJson; outputs: OutputLocations } {
  const inputArtifacts = Object.entries(inputs).map(([name, list]): [string, ArtifactListJson] => [
    name,
    {
      artifacts: list.map(({ artifact, path: local }) => ({
        name: artifact.name,
        type: {
          schemaTitle: artifact.schemaTitle,
          ...(artifact.schemaVersion === undefined ? {} : { schemaVersion: artifact.schemaVersion }),
        },
        uri: pathToFileURL(local).href,
        metadata: artifact.metadata,
      })),
    },
  ]);
  const parameterFiles = Object.keys(task.outputDefinitions.parameters).map((name): [string, string] => [
    name,
    path.join(directory.parameters, pathSegment('output parameter name', name)),
  ]);
  const outputArtifacts = Object.entries(task.outputDefinitions.artifacts).map(
    ([name, definition]): [string, string, ArtifactListJson] => {
      const local = path.join(directory.artifacts, pathSegment('output artifact name', name));
      const runtimeArtifact: RuntimeArtifactJson = {
        name,
        type: artifactType(definition.artifactType),
        uri: pathToFileURL(local).href,
        metadata: definition.metadata ?? {},
      };
      return [name, local, { artifacts: [runtimeArtifact] }];
    },
  );
  const executorInput: ExecutorInputJson = {
    inputs: {
      ...nonEmpty('artifacts', Object.fromEntries(inputArtifacts)),
      ...nonEmpty('parameterValues', { ...parameterValues }),
    },
    outputs: {
      ...nonEmpty(
        'parameters',
        Object.fromEntries(parameterFiles.map(([name, file]) => [name, { outputFile: file }])),
      ),
      ...nonEmpty('artifacts', Object.fromEntries(outputArtifacts.map(([name, , list]) => [name, list]))),
      outputFile: directory.outputMetadataFile,
    },
  };
  return {
    executorInput,
    outputs: {
      parameterFiles: Object.fromEntries(parameterFiles),
      artifactPaths: Object.fromEntries(outputArtifacts.map(([name, local]) => [name, local])),
    },
  };
}

/**
 * The task's input parameter values as the process sees them: the given values, plus the component's
 * default for each input that was not given (KFP's launcher adds them the same way, after the driver has
 * decided `IfPresent`).
 */
export function parameterValuesOf(task: ExecutableTask): Record<string, JsonValue> {
  const values: Record<string, JsonValue> = { ...task.inputParameters };
  for (const [name, definition] of Object.entries(task.inputDefinitions.parameters)) {
    if (!Object.hasOwn(values, name) && definition.defaultValue !== undefined)
      values[name] = definition.defaultValue;
  }
  return values;
}

/** The inputs `IfPresent` sees as present: parameters given a value other than null, artifact inputs given any artifact. */
export function providedInputs(task: ExecutableTask): Set<string> {
  const parameters = Object.entries(task.inputParameters).filter(([, value]) => value !== null);
  const artifacts = Object.entries(task.inputArtifacts).filter(([, list]) => list.length > 0);
  return new Set([...parameters, ...artifacts].map(([name]) => name));
}

function artifactType(type: ArtifactTypePlan): ArtifactTypeJson {
  const { schemaTitle, schemaUri, instanceSchema, schemaVersion } = type;
  return {
    ...(schemaTitle === undefined ? {} : { schemaTitle }),
    ...(schemaUri === undefined ? {} : { schemaUri }),
    ...(instanceSchema === undefined ? {} : { instanceSchema }),
    ...(schemaVersion === undefined ? {} : { schemaVersion }),
  };
}

function nonEmpty<K extends string, V>(key: K, map: Record<string, V>): { [P in K]?: Record<string, V> } {
  return (Object.keys(map).length === 0 ? {} : { [key]: map }) as { [P in K]?: Record<string, V> };
}
