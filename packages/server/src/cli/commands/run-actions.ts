import type { Run } from '@cairn/sdk/api';
import type { Command } from 'commander';
import { experimentField } from '../api/resolve-names.ts';
import { clientFrom } from '../api/server-client.ts';
import { type ListCommandOptions, listOptionsFrom, take } from '../format/list-options.ts';
import { printData } from '../format/output-format.ts';
import type { OutputFormat } from '../format/output-option.ts';
import { runDetail, runTable } from '../format/run-tables.ts';
import type { CliContext, Output } from '../output.ts';
import { watchedRunStatus, watchRun } from '../watch/watch-run.ts';

export interface ListRunsCommandOptions extends ListCommandOptions {
  experiment?: string;
  state?: string;
  archived?: boolean;
  output: OutputFormat;
}

export async function listRuns(
  options: ListRunsCommandOptions,
  command: Command,
  output: Output,
): Promise<void> {
  const client = clientFrom(command);
  const scope = await experimentField(client, options.experiment);
  const runs = await take(
    client.runs.listAll({
      ...listOptionsFrom(options, [
        ...(options.state === undefined
          ? []
          : [{ key: 'state', operation: 'EQUALS' as const, string_value: options.state }]),
        ...(options.archived
          ? [{ key: 'storage_state', operation: 'EQUALS' as const, string_value: 'ARCHIVED' }]
          : []),
      ]),
      ...scope,
    }),
    options.limit,
  );
  printData(output, options.output, runs, () => runTable(runs));
}

export async function printRun(
  runId: string,
  options: { output: OutputFormat },
  command: Command,
  output: Output,
): Promise<void> {
  const run: Run = await clientFrom(command).runs.get(runId);
  printData(output, options.output, run, () => runDetail(run));
}

export async function followRun(
  runId: string,
  options: { interval: number },
  command: Command,
  context: CliContext,
): Promise<void> {
  const run = await watchRun(clientFrom(command), runId, context.output, { intervalMs: options.interval });
  context.exitCode = watchedRunStatus(run, context.output);
}

/** What `cairn run terminate`, `retry`, `archive`, `unarchive` and `delete` ask the server to do. */
export type RunChange = 'terminate' | 'retry' | 'archive' | 'unarchive' | 'delete';

export async function changeRun(
  change: { name: RunChange; past: string },
  runId: string,
  command: Command,
  output: Output,
): Promise<void> {
  await clientFrom(command).runs[change.name](runId);
  output.out(`run ${runId} ${change.past}`);
}
