import Type from 'typebox';
import { Description, IdRef, ListQuery, RuntimeState, Status, StorageState, Timestamp } from './common.ts';
import { PipelineSpecObject } from './pipelines.ts';

/** KFP's `v2beta1RuntimeConfig`: the run's parameter values, by input name, and its pipeline root. */
export const RuntimeConfig = Type.Object(
  {
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    pipeline_root: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type RuntimeConfig = Type.Static<typeof RuntimeConfig>;

/** KFP's `v2beta1PipelineVersionReference`: without a version id, the pipeline's latest version. */
export const PipelineVersionReference = Type.Object(
  {
    pipeline_id: Type.Optional(IdRef),
    pipeline_version_id: Type.Optional(IdRef),
  },
  { additionalProperties: false },
);
export type PipelineVersionReference = Type.Static<typeof PipelineVersionReference>;

/** KFP's `v2beta1RuntimeStatus`: one entry of a run's state history. */
export const RuntimeStatus = Type.Object({
  update_time: Timestamp,
  state: RuntimeState,
  error: Type.Optional(Status),
});
export type RuntimeStatus = Type.Static<typeof RuntimeStatus>;

/** KFP's `v2beta1ArtifactList`: artifact ids (Cairn's are UUIDs, where KFP's are MLMD's int64). */
export const ArtifactList = Type.Object({ artifact_ids: Type.Array(Type.String()) });
export type ArtifactList = Type.Static<typeof ArtifactList>;

/** KFP's `PipelineTaskDetailChildTask`. */
export const ChildTask = Type.Object({
  task_id: Type.Optional(Type.String()),
  pod_name: Type.Optional(Type.String()),
});

/** KFP's `v2beta1PipelineTaskExecutorDetail`: present on the tasks that run an executor, not on DAGs. */
export const PipelineTaskExecutorDetail = Type.Object({
  main_job: Type.Optional(Type.String()),
  pre_caching_check_job: Type.Optional(Type.String()),
  failed_main_jobs: Type.Optional(Type.Array(Type.String())),
  failed_pre_caching_check_jobs: Type.Optional(Type.Array(Type.String())),
});

/**
 * KFP's `v2beta1PipelineTaskDetail`: one task of a run (DAGs and loops included). `pod_name` is Cairn's
 * node id, the task's path in its run (e.g. `root/for-loop-2/3/train`).
 */
export const PipelineTaskDetail = Type.Object({
  run_id: Type.String(),
  task_id: Type.String(),
  display_name: Type.String(),
  create_time: Timestamp,
  start_time: Type.Optional(Timestamp),
  end_time: Type.Optional(Timestamp),
  executor_detail: Type.Optional(PipelineTaskExecutorDetail),
  state: RuntimeState,
  execution_id: Type.Optional(Type.String()),
  error: Type.Optional(Status),
  inputs: Type.Optional(Type.Record(Type.String(), ArtifactList)),
  outputs: Type.Optional(Type.Record(Type.String(), ArtifactList)),
  parent_task_id: Type.Optional(Type.String()),
  pod_name: Type.Optional(Type.String()),
  child_tasks: Type.Optional(Type.Array(ChildTask)),
});
export type PipelineTaskDetail = Type.Static<typeof PipelineTaskDetail>;

/** KFP's `v2beta1RunDetails`. */
export const RunDetails = Type.Object({
  task_details: Type.Array(PipelineTaskDetail),
});
export type RunDetails = Type.Static<typeof RunDetails>;

/** KFP's `v2beta1Run`. */
export const Run = Type.Object({
  experiment_id: Type.Optional(IdRef),
  run_id: Type.String(),
  display_name: Type.String(),
  storage_state: StorageState,
  description: Type.Optional(Description),
  /** Deprecated in KFP in favour of `pipeline_version_reference`; still read on input. */
  pipeline_version_id: Type.Optional(IdRef),
  pipeline_spec: Type.Optional(PipelineSpecObject),
  pipeline_version_reference: Type.Optional(PipelineVersionReference),
  runtime_config: Type.Optional(RuntimeConfig),
  service_account: Type.Optional(Type.String()),
  created_at: Timestamp,
  scheduled_at: Type.Optional(Timestamp),
  finished_at: Type.Optional(Timestamp),
  state: RuntimeState,
  error: Type.Optional(Status),
  run_details: Type.Optional(RunDetails),
  recurring_run_id: Type.Optional(Type.String()),
  state_history: Type.Optional(Type.Array(RuntimeStatus)),
});
export type Run = Type.Static<typeof Run>;

/**
 * The body of CreateRun: a Run whose output fields, when sent, are ignored as KFP does. The pipeline is
 * either `pipeline_version_reference` (or the deprecated `pipeline_version_id`) or an inline
 * `pipeline_spec`.
 */
export const NewRun = Type.Partial(Run, { additionalProperties: false });
export type NewRun = Type.Static<typeof NewRun>;

export const ListRunsQuery = Type.Object({
  ...ListQuery.properties,
  namespace: Type.Optional(Type.String()),
  experiment_id: Type.Optional(IdRef),
});
export type ListRunsQuery = Type.Static<typeof ListRunsQuery>;

export const ListRunsResponse = Type.Object({
  runs: Type.Array(Run),
  total_size: Type.Integer(),
  next_page_token: Type.String(),
});
export type ListRunsResponse = Type.Static<typeof ListRunsResponse>;
