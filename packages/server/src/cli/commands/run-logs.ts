import { type Command, Option } from 'commander';
import { positiveInteger } from '../args/positive-integer.ts';
import { withExamples } from '../format/examples.ts';
import type { CliContext } from '../output.ts';
import { addIntervalOption } from '../watch/interval-option.ts';
import type { LogsOptions } from './run-logs-action.ts';

export function registerRunLogs(group: Command, { output }: CliContext): void {
  withExamples(
    addIntervalOption(
      group
        .command('logs')
        .description(
          "Print a task's log, or without a task every executor task's log in the order they started, " +
            'each line behind its task. --follow streams them until the run ends.',
        )
        .argument('<run>', "the run's id")
        .argument('[task]', "a task's id, path (e.g. for-loop-2/3/train) or name")
        .option('-f, --follow', 'keep streaming what the tasks write until they end')
        .addOption(
          new Option(
            '--attempt <n>',
            "a retried task's earlier attempt, 1 for the first (default: the latest)",
          ).argParser(positiveInteger),
        ),
    ),
    [
      'cairn run logs 3f2a... train',
      'cairn run logs 3f2a... train --attempt 1',
      'cairn run logs 3f2a... --follow',
    ],
  ).action(async (runId: string, wanted: string | undefined, options: LogsOptions, command: Command) => {
    const { printLogs } = await import('./run-logs-action.ts');
    await printLogs(runId, wanted, options, command, output);
  });
}
