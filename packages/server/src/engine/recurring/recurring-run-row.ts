import type { Selectable } from 'kysely';
import { CairnError } from '../../errors.ts';
import type { RecurringRunsTable } from '../../store/tables.ts';
import type { Trigger } from '../schedules/trigger.ts';

export type RecurringRunRow = Selectable<RecurringRunsTable>;

/** The trigger a recurring run's row describes, as the schedule functions take it. */
export function triggerOfRow(row: RecurringRunRow): Trigger {
  const times = {
    ...(row.start_at === null ? {} : { startTime: row.start_at }),
    ...(row.end_at === null ? {} : { endTime: row.end_at }),
  };
  if (row.trigger_kind === 'CRON' && row.cron_expression !== null) {
    return { kind: 'CRON', cron: row.cron_expression, ...times };
  }
  if (row.trigger_kind === 'INTERVAL' && row.interval_seconds !== null) {
    return { kind: 'INTERVAL', intervalSeconds: row.interval_seconds, ...times };
  }
  throw new CairnError(
    'SCHEDULE_INVALID',
    `recurring run ${row.id} has trigger kind ${JSON.stringify(row.trigger_kind)} without its ` +
      'cron_expression or interval_seconds',
  );
}

/** The trigger as the row keeps it. */
export function rowOfTrigger(trigger: Trigger) {
  return {
    trigger_kind: trigger.kind,
    cron_expression: trigger.kind === 'CRON' ? trigger.cron : null,
    interval_seconds: trigger.kind === 'INTERVAL' ? trigger.intervalSeconds : null,
    start_at: trigger.startTime ?? null,
    end_at: trigger.endTime ?? null,
  };
}
