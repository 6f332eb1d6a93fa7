import Type from 'typebox';
import { Artifact } from './artifacts.ts';
import { RuntimeState, Timestamp } from './common.ts';

/*
 * Cairn's lineage, which KFP keeps in ML Metadata and serves no REST API for: executions (one per task
 * that ran, was cached or failed) joined to the artifacts they read and wrote by events.
 */

/** Which execution a cached execution took its outputs from. */
export const CachedFrom = Type.Object({
  execution_id: Type.String(),
  /** Absent once that task's run has been deleted. */
  task_id: Type.Optional(Type.String()),
});
export type CachedFrom = Type.Static<typeof CachedFrom>;

/** An execution, with ML Metadata's type and state names (`system.ContainerExecution`, `COMPLETE`...). */
export const Execution = Type.Object({
  execution_id: Type.String(),
  execution_type: Type.String(),
  name: Type.Optional(Type.String()),
  state: Type.String(),
  /** Absent once the run is deleted: lineage outlives it. */
  run_id: Type.Optional(Type.String()),
  task_id: Type.Optional(Type.String()),
  input_parameters: Type.Record(Type.String(), Type.Unknown()),
  output_parameters: Type.Record(Type.String(), Type.Unknown()),
  cached_from: Type.Optional(CachedFrom),
  /** What else the engine recorded: image, exit code, the log's key... */
  properties: Type.Record(Type.String(), Type.Unknown()),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Execution = Type.Static<typeof Execution>;

/** The task an execution belongs to. */
export const LineageTask = Type.Object({
  task_id: Type.String(),
  name: Type.String(),
  display_name: Type.Optional(Type.String()),
  /** The task's place in its run, e.g. `root/for-loop-2/3/train`. */
  path: Type.String(),
  state: RuntimeState,
});
export type LineageTask = Type.Static<typeof LineageTask>;

/** The run an execution belongs to. */
export const LineageRun = Type.Object({
  run_id: Type.String(),
  display_name: Type.String(),
  state: RuntimeState,
});
export type LineageRun = Type.Static<typeof LineageRun>;

/** One end of an event: an artifact, under the input or output name it was read or written as. */
export const EventEnd = Type.Object({
  name: Type.String(),
  list_index: Type.Integer(),
  artifact_id: Type.String(),
});
export type EventEnd = Type.Static<typeof EventEnd>;

/** An execution in an artifact's lineage: it made some of the lineage's artifacts from its inputs. */
export const LineageStep = Type.Object({
  execution: Execution,
  /** Absent once the run, and so its tasks, are deleted. */
  task: Type.Optional(LineageTask),
  run: Type.Optional(LineageRun),
  /** Every artifact it read; each is in the lineage's `artifacts`. */
  inputs: Type.Array(EventEnd),
  /** The artifacts of this lineage it produced. */
  outputs: Type.Array(EventEnd),
  /** Producer hops from the starting artifact: 1 for the execution that produced it. */
  depth: Type.Integer(),
});
export type LineageStep = Type.Static<typeof LineageStep>;

/** The chain from an artifact back to what it was made from. */
export const ArtifactLineage = Type.Object({
  artifact_id: Type.String(),
  /** The starting artifact first, then the others in the order they were reached. */
  artifacts: Type.Array(Artifact),
  /** By depth, then oldest first. */
  steps: Type.Array(LineageStep),
  /** Some artifacts at `max_depth` have producers that were not followed. */
  truncated: Type.Boolean(),
});
export type ArtifactLineage = Type.Static<typeof ArtifactLineage>;

export const ArtifactLineageQuery = Type.Object({
  max_depth: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1000,
      description: 'Producers followed at most this deep; 25 by default.',
    }),
  ),
});
export type ArtifactLineageQuery = Type.Static<typeof ArtifactLineageQuery>;

/** One reading of an artifact. */
export const ArtifactConsumer = Type.Object({
  input_name: Type.String(),
  list_index: Type.Integer(),
  execution: Execution,
  task: Type.Optional(LineageTask),
  run: Type.Optional(LineageRun),
});
export type ArtifactConsumer = Type.Static<typeof ArtifactConsumer>;

/** What read an artifact, newest first. */
export const ArtifactConsumers = Type.Object({
  artifact: Artifact,
  consumers: Type.Array(ArtifactConsumer),
  /** More consumers exist than `limit` let through. */
  truncated: Type.Boolean(),
});
export type ArtifactConsumers = Type.Static<typeof ArtifactConsumers>;

export const ArtifactConsumersQuery = Type.Object({
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1000, description: 'At most this many consumers; 100 by default.' }),
  ),
});
export type ArtifactConsumersQuery = Type.Static<typeof ArtifactConsumersQuery>;

/** One execution of a run and what it output. */
export const ExecutionOutputs = Type.Object({
  task: Type.Optional(LineageTask),
  execution: Execution,
  /** By output name, a list output's in list order; a cached execution's are the original's artifacts. */
  outputs: Type.Record(Type.String(), Type.Array(Artifact)),
});
export type ExecutionOutputs = Type.Static<typeof ExecutionOutputs>;

/** What a run produced: every execution recorded for it, oldest first, those that output nothing too. */
export const RunArtifacts = Type.Object({
  run_id: Type.String(),
  executions: Type.Array(ExecutionOutputs),
});
export type RunArtifacts = Type.Static<typeof RunArtifacts>;
