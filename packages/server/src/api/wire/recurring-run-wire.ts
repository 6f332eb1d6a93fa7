import type { RecurringRun, Trigger as WireTrigger } from '@cairn/sdk/api';
import { type RecurringRunRow, triggerOfRow } from '../../engine/recurring/recurring-run-row.ts';
import type { Trigger } from '../../engine/schedules/trigger.ts';
import { runtimeConfigToWire } from './runtime-config-wire.ts';
import { specObject } from './spec-object.ts';
import { rfc3339 } from './timestamps.ts';

/** A recurring run's row, with the pipeline of the version it references, which the row does not keep. */
export type RecurringRunListing = RecurringRunRow & { readonly pipeline_id: string | null };

/** A recurring run as KFP returns it: `mode` and `status` both say whether it is enabled, as in KFP. */
export function recurringRunToWire(row: RecurringRunListing): RecurringRun {
  const enabled = row.enabled === 1;
  return {
    recurring_run_id: row.id,
    display_name: row.display_name,
    ...(row.description === null ? {} : { description: row.description }),
    ...pipelineOf(row),
    runtime_config: runtimeConfigToWire(row.runtime_config),
    ...(row.service_account === null ? {} : { service_account: row.service_account }),
    max_concurrency: String(row.max_concurrency),
    trigger: triggerToWire(triggerOfRow(row)),
    mode: enabled ? 'ENABLE' : 'DISABLE',
    created_at: rfc3339(row.created_at),
    updated_at: rfc3339(row.updated_at),
    status: enabled ? 'ENABLED' : 'DISABLED',
    no_catchup: row.catchup === 0,
    ...(row.namespace === '' ? {} : { namespace: row.namespace }),
    ...(row.experiment_id === null ? {} : { experiment_id: row.experiment_id }),
  };
}

/** KFP's oneof: the version the recurring run fires, or its inline spec. */
function pipelineOf(row: RecurringRunListing): Partial<RecurringRun> {
  if (row.pipeline_version_id !== null) {
    return {
      pipeline_version_reference: {
        ...(row.pipeline_id === null ? {} : { pipeline_id: row.pipeline_id }),
        pipeline_version_id: row.pipeline_version_id,
      },
    };
  }
  return row.pipeline_spec === null ? {} : { pipeline_spec: specObject(row.pipeline_spec) };
}

/** int64 fields (`interval_second`) as strings, times as RFC 3339, as KFP writes them. */
function triggerToWire(trigger: Trigger): WireTrigger {
  const times = {
    ...(trigger.startTime === undefined ? {} : { start_time: rfc3339(trigger.startTime) }),
    ...(trigger.endTime === undefined ? {} : { end_time: rfc3339(trigger.endTime) }),
  };
  if (trigger.kind === 'CRON') return { cron_schedule: { cron: trigger.cron, ...times } };
  return { periodic_schedule: { interval_second: String(trigger.intervalSeconds), ...times } };
}
