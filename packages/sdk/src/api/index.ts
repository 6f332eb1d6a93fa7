/**
 * Cairn's REST API as TypeScript: the wire models of KFP's v2beta1 API (each a JSON Schema and its
 * type, which the server validates requests with) and a typed client.
 */

export type {
  ArtifactDownload,
  DownloadOptions,
  DownloadRange,
  ListArtifactsOptions,
} from './client/artifacts-client.ts';
export { CairnClient, type CairnClientOptions } from './client/cairn-client.ts';
export { ApiRequestError, ServerUnreachableError } from './client/errors.ts';
export type { ListExperimentsOptions } from './client/experiments-client.ts';
export type { TransportOptions } from './client/http-transport.ts';
export type { FilterOperation, FilterPredicate, ListFilter, ListOptions } from './client/list-options.ts';
export type {
  ListPipelinesOptions,
  PipelineFile,
  UploadPipelineOptions,
  UploadPipelineVersionOptions,
} from './client/pipelines-client.ts';
export type { ListRecurringRunsOptions } from './client/recurring-runs-client.ts';
export type { ListRunsOptions, ReadLogOptions } from './client/runs-client.ts';
export {
  Artifact,
  ArtifactOrderField,
  ArtifactView,
  DownloadArtifactQuery,
  GetArtifactQuery,
  ListArtifactsQuery,
  ListArtifactsResponse,
} from './models/artifacts.ts';
export {
  Description,
  Empty,
  Id,
  IdRef,
  Int64,
  ListQuery,
  Namespace,
  RuntimeState,
  Status,
  StorageState,
  Timestamp,
  Url,
} from './models/common.ts';
export {
  Experiment,
  ListExperimentsQuery,
  ListExperimentsResponse,
  NewExperiment,
} from './models/experiments.ts';
export { Healthz } from './models/healthz.ts';
export {
  ArtifactConsumer,
  ArtifactConsumers,
  ArtifactConsumersQuery,
  ArtifactLineage,
  ArtifactLineageQuery,
  CachedFrom,
  EventEnd,
  Execution,
  ExecutionOutputs,
  LineageRun,
  LineageStep,
  LineageTask,
  RunArtifacts,
} from './models/lineage.ts';
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
export { ListUpgradesQuery, ListUpgradesResponse, UpgradePlan, UpgradeStep } from './models/upgrades.ts';
