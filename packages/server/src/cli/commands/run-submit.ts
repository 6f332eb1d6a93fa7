import type { Command } from 'commander';
import { collectParameter } from '../args/run-parameters.ts';
import { withExamples } from '../format/examples.ts';
import { addOutputOption } from '../format/output-option.ts';
import type { CliContext } from '../output.ts';
import { addIntervalOption } from '../watch/interval-option.ts';
import type { SubmitOptions } from './run-submit-action.ts';

export function registerRunSubmit(group: Command, context: CliContext): void {
  const command = group
    .command('submit')
    .alias('create')
    .description(
      'Start a run of a compiled pipeline file (sent inline) or of a stored pipeline (--pipeline, its ' +
        'newest version unless --version). With --watch, follow it until it ends: exit 0 when it ' +
        'succeeded, 1 with the reason when it did not.',
    )
    .argument(
      '[file]',
      'a compiled pipeline (YAML or JSON) or a TypeScript pipeline module, instead of --pipeline',
    )
    .option('--pipeline <pipeline>', 'a stored pipeline (id or name), instead of a file')
    .option('--version <version>', 'the version of --pipeline (id or name); default: its newest')
    .option(
      '--param <name=value>',
      'a pipeline parameter; repeat for each (values are JSON when they parse)',
      collectParameter,
      {},
    )
    .option('--experiment <experiment>', 'the experiment (id or name); default: the "Default" experiment')
    .option('--name <name>', "the run's name; default: the pipeline's name and the time")
    .option('--description <text>', 'what the run is for')
    .option('--pipeline-root <uri>', "where outputs go, instead of the server's default")
    .option('-w, --watch', 'follow the run until it ends');
  withExamples(addIntervalOption(addOutputOption(command)), [
    'cairn run submit hello-world.yaml --param message=hi --watch',
    'cairn run submit --pipeline train --param epochs=10 --param lr=0.01 --experiment nightly',
    'cairn run submit --pipeline train --version v2 -o json',
  ]).action(async (file: string | undefined, options: SubmitOptions, self: Command) => {
    const { submitRun } = await import('./run-submit-action.ts');
    await submitRun(file, options, self, context);
  });
}
