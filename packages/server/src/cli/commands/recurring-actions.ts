import type { RecurringRun, Trigger } from '@cairn/sdk/api';
import type { Command } from 'commander';
import { experimentField } from '../api/resolve-names.ts';
import { clientFrom } from '../api/server-client.ts';
import { type ListCommandOptions, listOptionsFrom, take } from '../format/list-options.ts';
import { printData } from '../format/output-format.ts';
import type { OutputFormat } from '../format/output-option.ts';
import { formatTable } from '../format/table.ts';
import { formatDuration, formatTime } from '../format/values.ts';
import type { Output } from '../output.ts';

function scheduleOf(trigger: Trigger): string {
  if (trigger.cron_schedule) return `cron ${trigger.cron_schedule.cron}`;
  if (trigger.periodic_schedule) {
    return `every ${formatDuration(Number(trigger.periodic_schedule.interval_second) * 1000)}`;
  }
  return '';
}

export function recurringTable(recurringRuns: readonly RecurringRun[]): string[] {
  return formatTable(recurringRuns, [
    { header: 'RECURRING RUN ID', value: (r) => r.recurring_run_id },
    { header: 'NAME', value: (r) => r.display_name },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'SCHEDULE', value: (r) => scheduleOf(r.trigger) },
    { header: 'MAX CONCURRENCY', value: (r) => String(r.max_concurrency) },
    { header: 'CATCHUP', value: (r) => (r.no_catchup ? 'no' : 'yes') },
    { header: 'CREATED', value: (r) => formatTime(r.created_at) },
  ]);
}

export async function listRecurringRuns(
  options: ListCommandOptions & { experiment?: string; output: OutputFormat },
  command: Command,
  output: Output,
): Promise<void> {
  const client = clientFrom(command);
  const scope = await experimentField(client, options.experiment);
  const recurringRuns = await take(
    client.recurringRuns.listAll({
      ...listOptionsFrom(options),
      ...scope,
    }),
    options.limit,
  );
  printData(output, options.output, recurringRuns, () => recurringTable(recurringRuns));
}

export async function printRecurringRun(
  id: string,
  options: { output: OutputFormat },
  command: Command,
  output: Output,
): Promise<void> {
  const recurringRun = await clientFrom(command).recurringRuns.get(id);
  printData(output, options.output, recurringRun, () => recurringTable([recurringRun]));
}

/** What `cairn recurring enable`, `disable` and `delete` ask the server to do. */
export type RecurringRunChange = 'enable' | 'disable' | 'delete';

export async function changeRecurringRun(
  change: { name: RecurringRunChange; past: string },
  id: string,
  command: Command,
  output: Output,
): Promise<void> {
  await clientFrom(command).recurringRuns[change.name](id);
  output.out(`recurring run ${id} ${change.past}`);
}
