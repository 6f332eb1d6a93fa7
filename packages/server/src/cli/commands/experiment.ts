import type { Experiment } from '@cairn/sdk/api';
import type { Command } from 'commander';
import { resolveExperiment } from '../api/resolve-names.ts';
import { addServerOption, clientFrom } from '../api/server-option.ts';
import { withExamples } from '../format/examples.ts';
import { addListOptions, type ListCommandOptions, listOptionsFrom, take } from '../format/list-options.ts';
import { addOutputOption, type OutputFormat, printData } from '../format/output-format.ts';
import { formatTable } from '../format/table.ts';
import { formatTime } from '../format/values.ts';
import type { CliContext } from '../output.ts';

function experimentTable(experiments: readonly Experiment[]): string[] {
  return formatTable(experiments, [
    { header: 'EXPERIMENT ID', value: (e) => e.experiment_id },
    { header: 'NAME', value: (e) => e.display_name },
    { header: 'STATE', value: (e) => e.storage_state },
    { header: 'CREATED', value: (e) => formatTime(e.created_at) },
    { header: 'LAST RUN', value: (e) => formatTime(e.last_run_created_at) },
    { header: 'DESCRIPTION', value: (e) => e.description ?? '' },
  ]);
}

export function registerExperiment(program: Command, context: CliContext): void {
  const { output } = context;
  const group = addServerOption(
    program
      .command('experiment')
      .description('Create, list, archive and delete experiments: the folders runs are grouped in.'),
  );

  withExamples(
    addOutputOption(
      group
        .command('create')
        .description('Create an experiment and print it.')
        .argument('<name>', 'its name, unique among the experiments')
        .option('--description <text>', 'what the experiment is for'),
    ),
    ['cairn experiment create training --description "nightly model training"'],
  ).action(
    async (name: string, options: { description?: string; output: OutputFormat }, command: Command) => {
      const experiment = await clientFrom(command).experiments.create({
        display_name: name,
        ...(options.description === undefined ? {} : { description: options.description }),
      });
      printData(output, options.output, experiment, () => experimentTable([experiment]));
    },
  );

  withExamples(
    addListOptions(
      addOutputOption(group.command('list').alias('ls').description('List experiments.')),
    ).option('--archived', 'list the archived experiments instead of the available ones'),
    [
      'cairn experiment list',
      'cairn experiment list --sort "created_at desc" --limit 5 -o json',
      'cairn experiment list --archived',
    ],
  ).action(async (options: ListCommandOptions & { archived?: boolean; output: OutputFormat }, command) => {
    const state = options.archived ? 'ARCHIVED' : 'AVAILABLE';
    const experiments = await take(
      clientFrom(command).experiments.listAll(
        listOptionsFrom(options, [{ key: 'storage_state', operation: 'EQUALS', string_value: state }]),
      ),
      options.limit,
    );
    printData(output, options.output, experiments, () => experimentTable(experiments));
  });

  withExamples(
    addOutputOption(
      group
        .command('get')
        .description('Print an experiment.')
        .argument('<experiment>', "the experiment's id or name"),
    ),
    ['cairn experiment get training -o yaml'],
  ).action(async (idOrName: string, options: { output: OutputFormat }, command: Command) => {
    const experiment = await resolveExperiment(clientFrom(command), idOrName);
    printData(output, options.output, experiment, () => experimentTable([experiment]));
  });

  const actions = [
    {
      name: 'archive',
      description: 'Archive an experiment: its runs are archived and its recurring runs disabled.',
      past: 'archived',
    },
    {
      name: 'unarchive',
      description: 'Make an archived experiment available again (its runs stay archived).',
      past: 'unarchived',
    },
    { name: 'delete', description: 'Delete an experiment that has no runs left.', past: 'deleted' },
  ] as const;
  for (const action of actions) {
    withExamples(
      group
        .command(action.name)
        .description(action.description)
        .argument('<experiment>', "the experiment's id or name"),
      [`cairn experiment ${action.name} training`],
    ).action(async (idOrName: string, _options: unknown, command: Command) => {
      const client = clientFrom(command);
      const experiment = await resolveExperiment(client, idOrName);
      await client.experiments[action.name](experiment.experiment_id);
      output.out(`experiment ${experiment.display_name} (${experiment.experiment_id}) ${action.past}`);
    });
  }
}
