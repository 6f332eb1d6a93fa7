import type { Command } from 'commander';
import { addServerOption } from '../api/server-option.ts';
import { withExamples } from '../format/examples.ts';
import { addListOptions, type ListCommandOptions } from '../format/list-options.ts';
import { addOutputOption, type OutputFormat } from '../format/output-option.ts';
import type { CliContext } from '../output.ts';

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
      const { createExperiment } = await import('./experiment-actions.ts');
      await createExperiment(name, options, command, output);
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
    const { listExperiments } = await import('./experiment-actions.ts');
    await listExperiments(options, command, output);
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
    const { printExperiment } = await import('./experiment-actions.ts');
    await printExperiment(idOrName, options, command, output);
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
      const { changeExperiment } = await import('./experiment-actions.ts');
      await changeExperiment(action, idOrName, command, output);
    });
  }
}
