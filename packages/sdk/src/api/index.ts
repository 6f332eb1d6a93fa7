/**
 * Cairn's REST API as TypeScript: the wire models of KFP's v2beta1 API (each a JSON Schema and its
 * type, which the server validates requests with) and a typed client.
 */
export { Empty, Id, IdRef, Int64, ListQuery, RuntimeState, Status, StorageState, Timestamp } from './models/common.ts';
export {
  Experiment,
  ListExperimentsQuery,
  ListExperimentsResponse,
  NewExperiment,
} from './models/experiments.ts';
export { Healthz } from './models/healthz.ts';
export {
  ListPipelinesQuery,
  ListPipelinesResponse,
  ListPipelineVersionsResponse,
  NewPipeline,
  NewPipelineAndVersion,
  NewPipelineVersion,
  PackageUrl,
  Pipeline,
  PipelineSpecObject,
  PipelineVersion,
  Tags,
} from './models/pipelines.ts';
export {
  ArtifactList,
  ChildTask,
  ListRunsQuery,
  ListRunsResponse,
  NewRun,
  PipelineTaskDetail,
  PipelineTaskExecutorDetail,
  PipelineVersionReference,
  Run,
  RunDetails,
  RuntimeConfig,
  RuntimeStatus,
} from './models/runs.ts';
export {
  CronSchedule,
  ListRecurringRunsQuery,
  ListRecurringRunsResponse,
  NewRecurringRun,
  PeriodicSchedule,
  RecurringRun,
  RecurringRunMode,
  RecurringRunStatus,
  Trigger,
} from './models/recurring-runs.ts';
