/**
 * Lineage rows as the API serves them: camel-case fields, JSON columns parsed, and the parameters of an
 * execution read out of its document.
 */
import type { JsonObject, JsonValue } from '@cairn/spec';
import { type CachedFrom, decodeExecutionDocument, parseObject } from '../execution-document.ts';

export interface ArtifactView {
  id: string;
  uri: string;
  /** The schema title, e.g. `system.Model`. */
  type: string;
  name: string | null;
  metadata: JsonObject;
  contentSha256: string | null;
  sizeBytes: number | null;
  state: string;
  createdAt: number;
}

export interface ExecutionView {
  id: string;
  type: string;
  name: string | null;
  state: string;
  /** Null once the run is deleted: lineage outlives it. */
  runId: string | null;
  taskId: string | null;
  inputParameters: Readonly<Record<string, JsonValue>>;
  outputParameters: Readonly<Record<string, JsonValue>>;
  cachedFrom?: CachedFrom;
  properties: JsonObject;
  createdAt: number;
  updatedAt: number;
}

export interface TaskSummary {
  id: string;
  name: string;
  displayName: string | null;
  path: string;
  state: string;
}

export interface RunSummary {
  id: string;
  displayName: string;
  state: string;
}

/** One end of an event: which artifact, under which input or output name. */
export interface EventEnd {
  name: string;
  listIndex: number;
  artifactId: string;
}

/** The artifact columns, selected under their own names from `artifacts as a`. */
export const ARTIFACT_COLUMNS = [
  'a.id',
  'a.uri',
  'a.type',
  'a.name',
  'a.metadata',
  'a.content_sha256',
  'a.size_bytes',
  'a.state',
  'a.created_at',
] as const;

export interface ArtifactRow {
  id: string;
  uri: string;
  type: string;
  name: string | null;
  metadata: string | null;
  content_sha256: string | null;
  size_bytes: number | null;
  state: string;
  created_at: number;
}

export function artifactView(row: ArtifactRow): ArtifactView {
  return {
    id: row.id,
    uri: row.uri,
    type: row.type,
    name: row.name,
    metadata: parseObject(row.metadata),
    contentSha256: row.content_sha256,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    state: row.state,
    createdAt: Number(row.created_at),
  };
}

/** The execution columns, selected under their own names from `executions as e`. */
export const EXECUTION_COLUMNS = [
  'e.id',
  'e.type',
  'e.name',
  'e.state',
  'e.run_id',
  'e.task_id',
  'e.metadata',
  'e.created_at',
  'e.updated_at',
] as const;

export interface ExecutionRow {
  id: string;
  type: string;
  name: string | null;
  state: string;
  run_id: string | null;
  task_id: string | null;
  metadata: string | null;
  created_at: number;
  updated_at: number;
}

export function executionView(row: ExecutionRow): ExecutionView {
  const { inputParameters, outputParameters, cachedFrom, properties } = decodeExecutionDocument(row.metadata);
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    state: row.state,
    runId: row.run_id,
    taskId: row.task_id,
    inputParameters,
    outputParameters,
    ...(cachedFrom === undefined ? {} : { cachedFrom }),
    properties,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Task columns, aliased so they can sit beside an execution's. */
export const TASK_COLUMNS = [
  't.id as task_row_id',
  't.name as task_name',
  't.display_name as task_display_name',
  't.path as task_path',
  't.state as task_state',
] as const;

export interface TaskColumns {
  task_row_id: string | null;
  task_name: string | null;
  task_display_name: string | null;
  task_path: string | null;
  task_state: string | null;
}

/** The task of a left join, or null when there was none. */
export function taskSummary(row: TaskColumns): TaskSummary | null {
  if (row.task_row_id === null) return null;
  return {
    id: row.task_row_id,
    name: row.task_name ?? '',
    displayName: row.task_display_name,
    path: row.task_path ?? '',
    state: row.task_state ?? '',
  };
}

/** Run columns, aliased so they can sit beside an execution's. */
export const RUN_COLUMNS = [
  'r.id as run_row_id',
  'r.display_name as run_display_name',
  'r.state as run_state',
] as const;

export interface RunColumns {
  run_row_id: string | null;
  run_display_name: string | null;
  run_state: string | null;
}

/** The run of a left join, or null when there was none. */
export function runSummary(row: RunColumns): RunSummary | null {
  if (row.run_row_id === null) return null;
  return { id: row.run_row_id, displayName: row.run_display_name ?? '', state: row.run_state ?? '' };
}
