/**
 * The names lineage rows use, after ML Metadata as KFP writes it, so that what Cairn records reads the
 * same as KFP's lineage for the same run.
 */

/** `executions.state`: MLMD's execution states. */
export const EXECUTION_STATE = {
  NEW: 'NEW',
  RUNNING: 'RUNNING',
  /** Ran and succeeded. */
  COMPLETE: 'COMPLETE',
  FAILED: 'FAILED',
  /** Did not run: the outputs of an earlier execution stand in for its own. */
  CACHED: 'CACHED',
  CANCELED: 'CANCELED',
} as const;

export type ExecutionState = (typeof EXECUTION_STATE)[keyof typeof EXECUTION_STATE];

/** `executions.type`: KFP's execution types. */
export const EXECUTION_TYPE = {
  CONTAINER: 'system.ContainerExecution',
  IMPORTER: 'system.ImporterExecution',
  DAG: 'system.DAGExecution',
} as const;

/** `contexts.type`: every execution and output artifact belongs to its pipeline's context and its run's. */
export const CONTEXT_TYPE = {
  /** Named by the pipeline's name (`pipelineInfo.name`). */
  PIPELINE: 'system.Pipeline',
  /** Named by the run's id. */
  RUN: 'system.PipelineRun',
} as const;

/** `events.kind`. */
export const EVENT_KIND = { INPUT: 'INPUT', OUTPUT: 'OUTPUT' } as const;

export type EventKind = (typeof EVENT_KIND)[keyof typeof EVENT_KIND];

/** `artifacts.state` of an artifact whose content is where its URI says (the column's default). */
export const ARTIFACT_LIVE = 'LIVE';
