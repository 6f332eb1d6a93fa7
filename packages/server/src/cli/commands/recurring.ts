import { type Command, Option } from 'commander';
import { addServerOption } from '../api/server-option.ts';
import { everySeconds } from '../args/every-duration.ts';
import { positiveInteger } from '../args/positive-integer.ts';
import { collectParameter } from '../args/run-parameters.ts';
import { withExamples } from '../format/examples.ts';
import { addListOptions, type ListCommandOptions } from '../format/list-options.ts';
import { addOutputOption, type OutputFormat } from '../format/output-option.ts';
import type { CliContext } from '../output.ts';
import type { CreateOptions } from './recurring-create-action.ts';

function registerCreate(group: Command, { output }: CliContext): void {
  const command = group
    .command('create')
    .description(
      'Schedule a pipeline: a run on a cron schedule or every so often, from a compiled file or a stored ' +
        'pipeline. After downtime, missed runs are started (up to a cap) unless --no-catchup.',
    )
    .argument(
      '[file]',
      'a compiled pipeline (YAML or JSON) or a TypeScript pipeline module, instead of --pipeline',
    )
    .requiredOption('--name <name>', "the recurring run's name")
    .option('--description <text>', 'what it is for')
    .option('--cron <expression>', "KFP's cron, seconds first, in UTC: '0 0 * * * *' is hourly")
    .addOption(
      new Option('--every <duration>', 'a run every 30s, 15m, 1h, 1h30m, 1d...').argParser(everySeconds),
    )
    .addOption(new Option('--interval-seconds <s>', 'a run every s seconds').argParser(positiveInteger))
    .option('--start <time>', 'no run before this RFC 3339 time')
    .option('--end <time>', 'no run after this RFC 3339 time')
    .addOption(
      new Option('--max-concurrency <n>', 'how many of its runs may be active at once (1 to 10)')
        .argParser(positiveInteger)
        .default(1),
    )
    .option('--no-catchup', 'after downtime, start only the latest missed run, not each one')
    .option('--disabled', 'create it disabled; `cairn recurring enable` starts it')
    .option('--pipeline <pipeline>', 'a stored pipeline (id or name), instead of a file')
    .option(
      '--version <version>',
      'a version of --pipeline (id or name); default: its newest when the recurring run is created',
    )
    .option(
      '--param <name=value>',
      'a pipeline parameter; repeat for each (values are JSON when they parse)',
      collectParameter,
      {},
    )
    .option('--experiment <experiment>', 'the experiment its runs go to (id or name)');
  withExamples(addOutputOption(command), [
    'cairn recurring create --name nightly --pipeline train --cron "0 0 2 * * *" --param epochs=5',
    'cairn recurring create hello-world.yaml --name ping --every 15m --no-catchup',
  ]).action(async (file: string | undefined, options: CreateOptions, self: Command) => {
    const { createRecurringRun } = await import('./recurring-create-action.ts');
    await createRecurringRun(file, options, self, output);
  });
}

export function registerRecurring(program: Command, context: CliContext): void {
  const { output } = context;
  const group = addServerOption(
    program
      .command('recurring')
      .description('Schedule pipelines to run on a cron schedule or periodically; enable, disable, delete.'),
  );
  registerCreate(group, context);

  withExamples(
    addListOptions(
      addOutputOption(group.command('list').alias('ls').description('List recurring runs.')),
    ).option('--experiment <experiment>', 'only those of this experiment (id or name)'),
    ['cairn recurring list', 'cairn recurring list --experiment nightly -o yaml'],
  ).action(
    async (options: ListCommandOptions & { experiment?: string; output: OutputFormat }, command: Command) => {
      const { listRecurringRuns } = await import('./recurring-actions.ts');
      await listRecurringRuns(options, command, output);
    },
  );

  withExamples(
    addOutputOption(
      group
        .command('get')
        .description('Print a recurring run.')
        .argument('<recurring-run>', "the recurring run's id"),
    ),
    ['cairn recurring get 7c1e... -o yaml'],
  ).action(async (id: string, options: { output: OutputFormat }, command: Command) => {
    const { printRecurringRun } = await import('./recurring-actions.ts');
    await printRecurringRun(id, options, command, output);
  });

  const actions = [
    { name: 'enable', past: 'enabled', description: 'Start scheduling runs again from now on.' },
    { name: 'disable', past: 'disabled', description: 'Stop scheduling runs; the running ones go on.' },
    { name: 'delete', past: 'deleted', description: 'Delete a recurring run; the runs it started stay.' },
  ] as const;
  for (const action of actions) {
    withExamples(
      group
        .command(action.name)
        .description(action.description)
        .argument('<recurring-run>', "the recurring run's id"),
      [`cairn recurring ${action.name} 7c1e...`],
    ).action(async (id: string, _options: unknown, command: Command) => {
      const { changeRecurringRun } = await import('./recurring-actions.ts');
      await changeRecurringRun(action, id, command, output);
    });
  }
}
