import type { Command } from 'commander';
import { resolveExperiment } from '../api/resolve-names.ts';
import { clientFrom } from '../api/server-option.ts';
import { pipelineSource } from '../args/pipeline-source.ts';
import { collectParameter } from '../args/run-parameters.ts';
import { withExamples } from '../format/examples.ts';
import { addOutputOption, type OutputFormat, printData } from '../format/output-format.ts';
import { runTable } from '../format/run-tables.ts';
import type { CliContext, Output } from '../output.ts';
import { addIntervalOption } from '../watch/interval-option.ts';
import { watchedRunStatus, watchRun } from '../watch/watch-run.ts';

interface SubmitOptions {
  pipeline?: string;
  version?: string;
  param: Record<string, unknown>;
  experiment?: string;
  name?: string;
  description?: string;
  pipelineRoot?: string;
  watch?: boolean;
  interval: number;
  output: OutputFormat;
}

/** KFP's default run name: the pipeline's name and when it was submitted. */
function defaultRunName(pipelineName: string): string {
  return `${pipelineName} ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`;
}

export function registerRunSubmit(group: Command, context: CliContext): void {
  const { output } = context;
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
    const client = clientFrom(self);
    const source = await pipelineSource(client, file, options);
    const experiment =
      options.experiment === undefined ? undefined : await resolveExperiment(client, options.experiment);
    const run = await client.runs.create({
      display_name: options.name ?? defaultRunName(source.pipelineName),
      ...(options.description === undefined ? {} : { description: options.description }),
      ...source.fields,
      runtime_config: {
        parameters: options.param,
        ...(options.pipelineRoot === undefined ? {} : { pipeline_root: options.pipelineRoot }),
      },
      ...(experiment === undefined ? {} : { experiment_id: experiment.experiment_id }),
    });
    if (!options.watch) {
      printData(output, options.output, run, () => runTable([run]));
      return;
    }
    // With -o json or yaml, standard output carries only the ended run, so progress goes to standard error.
    const progress: Output =
      options.output === 'table'
        ? output
        : { out: (line) => output.err(line), err: (line) => output.err(line) };
    progress.out(`run ${run.display_name} (${run.run_id}) submitted`);
    const ended = await watchRun(client, run.run_id, progress, { intervalMs: options.interval });
    if (options.output !== 'table') printData(output, options.output, ended, () => []);
    context.exitCode = watchedRunStatus(ended, output);
  });
}
