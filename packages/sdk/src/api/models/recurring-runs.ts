import Type from 'typebox';
import { Description, IdRef, Int64, ListQuery, Namespace, Status, Timestamp } from './common.ts';
import { PipelineSpecObject } from './pipelines.ts';
import { PipelineVersionReference, RuntimeConfig } from './runs.ts';

/**
 * KFP's `v2beta1CronSchedule`: a cron expression as KFP's robfig/cron reads it, seconds first
 * (`0 0 * * * *` is every hour), in UTC, between optional start and end times.
 */
export const CronSchedule = Type.Object(
  {
    cron: Type.String(),
    start_time: Type.Optional(Timestamp),
    end_time: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type CronSchedule = Type.Static<typeof CronSchedule>;

/** KFP's `v2beta1PeriodicSchedule`: a run every `interval_second` seconds. */
export const PeriodicSchedule = Type.Object(
  {
    interval_second: Int64,
    start_time: Type.Optional(Timestamp),
    end_time: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type PeriodicSchedule = Type.Static<typeof PeriodicSchedule>;

/** KFP's `v2beta1Trigger`: one of the two schedules. */
export const Trigger = Type.Object(
  {
    cron_schedule: Type.Optional(CronSchedule),
    periodic_schedule: Type.Optional(PeriodicSchedule),
  },
  { additionalProperties: false },
);
export type Trigger = Type.Static<typeof Trigger>;

/** KFP's `RecurringRunMode`: whether a new recurring run starts enabled (ENABLE when unspecified). */
export const RecurringRunMode = Type.Union([
  Type.Literal('MODE_UNSPECIFIED'),
  Type.Literal('ENABLE'),
  Type.Literal('DISABLE'),
]);
export type RecurringRunMode = Type.Static<typeof RecurringRunMode>;

/** KFP's `v2beta1RecurringRunStatus`. */
export const RecurringRunStatus = Type.Union([
  Type.Literal('STATUS_UNSPECIFIED'),
  Type.Literal('ENABLED'),
  Type.Literal('DISABLED'),
]);
export type RecurringRunStatus = Type.Static<typeof RecurringRunStatus>;

/** KFP's `v2beta1RecurringRun`. */
export const RecurringRun = Type.Object({
  recurring_run_id: Type.String(),
  display_name: Type.String(),
  description: Type.Optional(Description),
  /** Deprecated in KFP in favour of `pipeline_version_reference`; still read on input. */
  pipeline_version_id: Type.Optional(IdRef),
  pipeline_spec: Type.Optional(PipelineSpecObject),
  pipeline_version_reference: Type.Optional(PipelineVersionReference),
  runtime_config: Type.Optional(RuntimeConfig),
  service_account: Type.Optional(Type.String()),
  max_concurrency: Int64,
  trigger: Trigger,
  mode: RecurringRunMode,
  created_at: Timestamp,
  updated_at: Timestamp,
  status: RecurringRunStatus,
  error: Type.Optional(Status),
  no_catchup: Type.Boolean(),
  namespace: Type.Optional(Namespace),
  experiment_id: Type.Optional(IdRef),
});
export type RecurringRun = Type.Static<typeof RecurringRun>;

/**
 * The body of CreateRecurringRun: a RecurringRun whose output fields, when sent, are ignored as KFP does.
 * The pipeline is `pipeline_version_reference` (or the deprecated `pipeline_version_id`) or an inline
 * `pipeline_spec`; `max_concurrency` is 1 and `mode` ENABLE when absent.
 */
export const NewRecurringRun = Type.Partial(RecurringRun, { additionalProperties: false });
export type NewRecurringRun = Type.Static<typeof NewRecurringRun>;

export const ListRecurringRunsQuery = Type.Object({
  ...ListQuery.properties,
  namespace: Type.Optional(Type.String()),
  experiment_id: Type.Optional(IdRef),
});
export type ListRecurringRunsQuery = Type.Static<typeof ListRecurringRunsQuery>;

/** KFP's `v2beta1ListRecurringRunsResponse`, whose list is `recurringRuns` on the wire, as KFP's proto names it. */
export const ListRecurringRunsResponse = Type.Object({
  recurringRuns: Type.Array(RecurringRun),
  total_size: Type.Integer(),
  next_page_token: Type.String(),
});
export type ListRecurringRunsResponse = Type.Static<typeof ListRecurringRunsResponse>;
