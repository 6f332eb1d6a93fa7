import { readFile } from 'node:fs/promises';
import type { JsonObject, JsonValue } from '@cairn/spec';
import { errorMessage } from '../../../errors.ts';
import { TaskFailure } from './task-failure.ts';

/** What the task may write to `{{$.outputs.output_file}}`: KFP's `ExecutorOutput`, as much as the engine uses. */
export interface ExecutorOutputJson {
  readonly parameterValues: Readonly<Record<string, JsonValue>>;
  /** The first artifact the task reported for each output (KFP reads no more). */
  readonly artifacts: Readonly<Record<string, { readonly uri?: string; readonly metadata?: JsonObject }>>;
}

/**
 * Reads the ExecutorOutput the task wrote, or returns undefined when it wrote none (most container
 * components do not). Fields the engine does not use are ignored; a file that is not JSON or has the
 * wrong shape fails the task.
 */
export async function readExecutorOutput(file: string): Promise<ExecutorOutputJson | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TaskFailure(`reading the executor output ${file} failed: ${errorMessage(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TaskFailure(`the executor output ${file} is not JSON: ${errorMessage(error)}`);
  }
  const problem = (what: string): TaskFailure =>
    new TaskFailure(`the executor output ${file} is not an ExecutorOutput: ${what}`);
  if (!isObject(parsed)) throw problem('expected a JSON object');
  const parameterValues = parsed.parameterValues ?? {};
  if (!isObject(parameterValues)) throw problem('parameterValues must be an object of values by output name');
  const artifactLists = parsed.artifacts ?? {};
  if (!isObject(artifactLists)) throw problem('artifacts must be an object of artifact lists by output name');
  const artifacts: Record<string, { uri?: string; metadata?: JsonObject }> = {};
  for (const [name, list] of Object.entries(artifactLists)) {
    const first =
      isObject(list) && Array.isArray(list.artifacts) ? (list.artifacts[0] as unknown) : undefined;
    if (first === undefined) continue;
    if (!isObject(first)) throw problem(`artifacts.${name}.artifacts[0] must be an object`);
    const { uri, metadata } = first;
    if (uri !== undefined && typeof uri !== 'string')
      throw problem(`artifacts.${name}.artifacts[0].uri must be a string`);
    if (metadata !== undefined && !isObject(metadata)) {
      throw problem(`artifacts.${name}.artifacts[0].metadata must be an object`);
    }
    artifacts[name] = {
      ...(uri === undefined || uri === '' ? {} : { uri }),
      ...(metadata === undefined ? {} : { metadata: metadata as JsonObject }),
    };
  }
  return { parameterValues: parameterValues as Record<string, JsonValue>, artifacts };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
