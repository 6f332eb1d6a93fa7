/**
 * A recurring run's trigger, KFP's `Trigger` (backend/api/v2beta1/recurring_run.proto) in the form the
 * store keeps: `kind` is the `trigger_kind` column, times are UTC milliseconds on whole seconds (KFP keeps
 * seconds only), and an absent start or end time leaves the schedule open on that side.
 */
export type Trigger = CronTrigger | IntervalTrigger;

/** KFP's `cron_schedule`: a cron expression as KFP's robfig/cron v1 parser reads it, evaluated in UTC. */
export interface CronTrigger {
  readonly kind: 'CRON';
  readonly cron: string;
  readonly startTime?: number;
  readonly endTime?: number;
}

/** KFP's `periodic_schedule`: a run every `intervalSeconds` after the previous one. */
export interface IntervalTrigger {
  readonly kind: 'INTERVAL';
  readonly intervalSeconds: number;
  readonly startTime?: number;
  readonly endTime?: number;
}

/** protobuf Timestamp's range, which KFP's API takes: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z. */
export const MIN_TIME = -62_135_596_800_000;
export const MAX_TIME = 253_402_300_799_000;
