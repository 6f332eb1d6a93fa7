import type { RecurringRun, Trigger } from '@cairn/sdk/api';
import { type Command, Option } from 'commander';
import { CairnError } from '../../errors.ts';
import { resolveExperiment } from '../api/resolve-names.ts';
import { addServerOption, clientFrom } from '../api/server-option.ts';
import { everySeconds } from '../args/every-duration.ts';
import { pipelineSource } from '../args/pipeline-source.ts';
import { collectParameter } from '../args/run-parameters.ts';
import { withExamples } from '../format/examples.ts';
import { addListOptions, type ListCommandOptions, listOptionsFrom, take } from '../format/list-options.ts';
import { addOutputOption, type OutputFormat, printData } from '../format/output-format.ts';
import { formatTable } from '../format/table.ts';
import { formatDuration, formatTime } from '../format/values.ts';
import type { CliContext } from '../output.ts';
import { positiveInteger } from '../task-worker.ts';

function scheduleOf(trigger: Trigger): string {
  if (trigger.cron_schedule) return `cron ${trigger.cron_schedule.cron}`;
  if (trigger.periodic_schedule) {
    return `every ${formatDuration(Number(trigger.periodic_schedule.interval_second) * 1000)}`;
  }
  return '';
}

function recurringTable(recurringRuns: readonly RecurringRun[]): string[] {
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

interface CreateOptions {
  name: string;
  description?: string;
  cron?: string;
  every?: number;
  intervalSeconds?: number;
  start?: string;
  end?: string;
  maxConcurrency: number;
  catchup: boolean;
  disabled?: boolean;
  pipeline?: string;
  version?: string;
  param: Record<string, unknown>;
  experiment?: string;
  output: OutputFormat;
}

/** Exactly one of `--cron`, `--every` and `--interval-seconds`, with the start and end times. */
function triggerOf(options: CreateOptions): Trigger {
  const given = [options.cron, options.every, options.intervalSeconds].filter((value) => value !== undefined);
  if (given.length !== 1) {
    throw new CairnError(
      'CONFIG_INVALID',
      `give one schedule: --cron, --every or --interval-seconds (${given.length === 0 ? 'none' : 'several'} given)`,
    );
  }
  const window = {
    ...(options.start === undefined ? {} : { start_time: options.start }),
    ...(options.end === undefined ? {} : { end_time: options.end }),
  };
  if (options.cron !== undefined) return { cron_schedule: { cron: options.cron, ...window } };
  return {
    periodic_schedule: { interval_second: String(options.every ?? options.intervalSeconds), ...window },
  };
}

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
    const client = clientFrom(self);
    const trigger = triggerOf(options);
    const source = await pipelineSource(client, file, options);
    const experiment =
      options.experiment === undefined ? undefined : await resolveExperiment(client, options.experiment);
    const recurringRun = await client.recurringRuns.create({
      display_name: options.name,
      ...(options.description === undefined ? {} : { description: options.description }),
      ...source.fields,
      runtime_config: { parameters: options.param },
      trigger,
      max_concurrency: String(options.maxConcurrency),
      no_catchup: !options.catchup,
      mode: options.disabled ? 'DISABLE' : 'ENABLE',
      ...(experiment === undefined ? {} : { experiment_id: experiment.experiment_id }),
    });
    printData(output, options.output, recurringRun, () => recurringTable([recurringRun]));
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
      const client = clientFrom(command);
      const experiment =
        options.experiment === undefined ? undefined : await resolveExperiment(client, options.experiment);
      const recurringRuns = await take(
        client.recurringRuns.listAll({
          ...listOptionsFrom(options),
          ...(experiment === undefined ? {} : { experiment_id: experiment.experiment_id }),
        }),
        options.limit,
      );
      printData(output, options.output, recurringRuns, () => recurringTable(recurringRuns));
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
    const recurringRun = await clientFrom(command).recurringRuns.get(id);
    printData(output, options.output, recurringRun, () => recurringTable([recurringRun]));
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
      await clientFrom(command).recurringRuns[action.name](id);
      output.out(`recurring run ${id} ${action.past}`);
    });
  }
}
