import type { JsonObject, JsonValue } from '@cairn/spec';

/** Which execution a cached execution took its outputs from. */
export interface CachedFrom {
  readonly executionId: string;
  /** The task that ran it; null once that task's run has been deleted. */
  readonly taskId: string | null;
}

/**
 * What `executions.metadata` holds: the parameters in and out (KFP keeps them as the execution's
 * properties too, and a cache hit reads its outputs from there), where a cached execution's outputs came
 * from, and whatever else the engine records about the execution (image, attempt, exit code, ...).
 */
export interface ExecutionDocument {
  readonly inputParameters: Readonly<Record<string, JsonValue>>;
  readonly outputParameters: Readonly<Record<string, JsonValue>>;
  readonly cachedFrom?: CachedFrom;
  readonly properties: JsonObject;
}

export function encodeExecutionDocument(document: ExecutionDocument): string {
  return JSON.stringify(document);
}

/** Reads the column back; a missing or foreign document (written by hand, say) reads as empty. */
export function decodeExecutionDocument(text: string | null): ExecutionDocument {
  const parsed = parseObject(text);
  const cachedFrom = parsed.cachedFrom;
  return {
    inputParameters: objectOrEmpty(parsed.inputParameters),
    outputParameters: objectOrEmpty(parsed.outputParameters),
    ...(isObject(cachedFrom) && typeof cachedFrom.executionId === 'string'
      ? {
          cachedFrom: {
            executionId: cachedFrom.executionId,
            taskId: typeof cachedFrom.taskId === 'string' ? cachedFrom.taskId : null,
          },
        }
      : {}),
    properties: objectOrEmpty(parsed.properties),
  };
}

/** Parses a JSON column that should hold an object; anything else reads as `{}`. */
export function parseObject(text: string | null): JsonObject {
  if (text === null || text === '') return {};
  try {
    return objectOrEmpty(JSON.parse(text) as JsonValue);
  } catch {
    return {};
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectOrEmpty(value: JsonValue | undefined): JsonObject {
  return isObject(value) ? value : {};
}
