import { type Command, Option } from 'commander';
import { addServerOption } from '../api/server-option.ts';
import { withExamples } from '../format/examples.ts';
import { addListOptions } from '../format/list-options.ts';
import { addOutputOption, type OutputFormat } from '../format/output-option.ts';
import type { CliContext } from '../output.ts';
import { addIntervalOption } from '../watch/interval-option.ts';
import type { ListRunsCommandOptions } from './run-actions.ts';
import { registerRunLogs } from './run-logs.ts';
import { registerRunSubmit } from './run-submit.ts';

const RUN_STATES = [
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'SKIPPED',
  'FAILED',
  'CANCELING',
  'CANCELED',
  'PAUSED',
];

function registerRunList(group: Command, { output }: CliContext): void {
  const command = addListOptions(
    addOutputOption(group.command('list').alias('ls').description('List runs, newest first.')),
    {
      sort: 'created_at desc',
      limit: 50,
    },
  )
    .option('--experiment <experiment>', 'only the runs of this experiment (id or name)')
    .addOption(new Option('--state <state>', 'only the runs in this state').choices(RUN_STATES))
    .option('--archived', 'only the archived runs');
  withExamples(command, [
    'cairn run list',
    'cairn run list --experiment nightly --state FAILED --limit 10',
    'cairn run list --filter \'{"predicates":[{"key":"display_name","operation":"IS_SUBSTRING","string_value":"train"}]}\' -o json',
  ]).action(async (options: ListRunsCommandOptions, self: Command) => {
    const { listRuns } = await import('./run-actions.ts');
    await listRuns(options, self, output);
  });
}

function registerRunGet(group: Command, { output }: CliContext): void {
  withExamples(
    addOutputOption(
      group
        .command('get')
        .description('Print a run and its tasks (DAGs and executors), with their states and errors.')
        .argument('<run>', "the run's id"),
    ),
    ['cairn run get 3f2a...', 'cairn run get 3f2a... -o yaml'],
  ).action(async (runId: string, options: { output: OutputFormat }, command: Command) => {
    const { printRun } = await import('./run-actions.ts');
    await printRun(runId, options, command, output);
  });
}

function registerRunWatch(group: Command, context: CliContext): void {
  withExamples(
    addIntervalOption(
      group
        .command('watch')
        .description(
          'Follow a run until it ends: live progress on a terminal, a line per task state change otherwise. ' +
            'Exits 0 when the run succeeded, 1 with the reason when it did not.',
        )
        .argument('<run>', "the run's id"),
    ),
    ['cairn run watch 3f2a...'],
  ).action(async (runId: string, options: { interval: number }, command: Command) => {
    const { followRun } = await import('./run-actions.ts');
    await followRun(runId, options, command, context);
  });
}

const RUN_ACTIONS = [
  {
    name: 'terminate',
    past: 'terminating',
    description: 'Stop a run: running tasks are stopped, it ends CANCELED.',
  },
  {
    name: 'retry',
    past: 'retrying',
    description: "Run a failed or canceled run's unfinished tasks again; the tasks that succeeded are kept.",
  },
  {
    name: 'archive',
    past: 'archived',
    description: 'Archive a run: it leaves the default lists, nothing is lost.',
  },
  { name: 'unarchive', past: 'unarchived', description: 'Make an archived run available again.' },
  { name: 'delete', past: 'deleted', description: 'Delete a run and its task records.' },
] as const;

function registerRunActions(group: Command, { output }: CliContext): void {
  for (const action of RUN_ACTIONS) {
    withExamples(
      group.command(action.name).description(action.description).argument('<run>', "the run's id"),
      [`cairn run ${action.name} 3f2a...`],
    ).action(async (runId: string, _options: unknown, command: Command) => {
      const { changeRun } = await import('./run-actions.ts');
      await changeRun(action, runId, command, output);
    });
  }
}

export function registerRun(program: Command, context: CliContext): void {
  const group = addServerOption(
    program
      .command('run')
      .description(
        'Submit runs, follow them, read their logs; list, retry, terminate, archive and delete them.',
      ),
  );
  registerRunSubmit(group, context);
  registerRunList(group, context);
  registerRunGet(group, context);
  registerRunWatch(group, context);
  registerRunLogs(group, context);
  registerRunActions(group, context);
}
