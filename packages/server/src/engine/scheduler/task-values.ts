import type { JsonObject, JsonValue } from '@cairn/spec';
import type { InputArtifact, OutputArtifact } from '../executor/task-executor.ts';

/** An artifact as task rows record it: enough for a consumer to read it and for lineage to find it. */
export type StoredArtifact = InputArtifact;

/** `tasks.inputs` and `tasks.outputs`: parameter values and artifact lists, by name. */
export interface TaskValues {
  parameters: Record<string, JsonValue>;
  artifacts: Record<string, StoredArtifact[]>;
}

/** `tasks.inputs` of an iterator row also keeps the items it iterates, resolved once. */
export interface IteratorInputs extends TaskValues {
  items: JsonValue[] | StoredArtifact[];
}

export function emptyValues(): TaskValues {
  return { parameters: {}, artifacts: {} };
}

export function parseValues(text: string | null): TaskValues {
  if (text === null) return emptyValues();
  const parsed = JSON.parse(text) as Partial<TaskValues>;
  return { parameters: parsed.parameters ?? {}, artifacts: parsed.artifacts ?? {} };
}

export function storedArtifact(output: OutputArtifact, artifactId?: string): StoredArtifact {
  return {
    ...(artifactId === undefined ? {} : { artifactId }),
    name: output.name,
    uri: output.uri,
    storageKey: output.storageKey,
    metadata: output.metadata as JsonObject,
    schemaTitle: output.schemaTitle ?? 'system.Artifact',
    ...(output.schemaVersion === undefined ? {} : { schemaVersion: output.schemaVersion }),
  };
}
