import type { Command } from 'commander';
import { addServerOption } from '../api/server-option.ts';
import { collectTag } from '../args/pipeline-tags.ts';
import { withExamples } from '../format/examples.ts';
import { addListOptions, type ListCommandOptions } from '../format/list-options.ts';
import { addOutputOption, type OutputFormat } from '../format/output-option.ts';
import type { CliContext } from '../output.ts';
import type { UploadOptions } from './pipeline-actions.ts';

export function registerPipeline(program: Command, context: CliContext): void {
  const { output } = context;
  const group = addServerOption(
    program.command('pipeline').description('Upload, list, show and delete pipelines and their versions.'),
  );

  withExamples(
    addOutputOption(
      group
        .command('upload')
        .description(
          'Upload a compiled pipeline (KFP pipeline spec, YAML or JSON, as `cairn compile` or the KFP SDK ' +
            'writes it) as a new pipeline, or with --version-of as a new version of one.',
        )
        .argument('<file>', 'the compiled pipeline')
        .option('--name <name>', "the pipeline's (or version's) unique name; default: the file's name")
        .option('--display-name <name>', 'the name shown; default: the name')
        .option('--description <text>', 'what it does')
        .option('--version-of <pipeline>', 'add the file as a new version of this pipeline (id or name)')
        .option(
          '--tag <key=value>',
          'a tag, on the pipeline (on the version with --version-of); repeat for each',
          collectTag,
        )
        .option('--code-source-url <url>', "where the pipeline's source code lives, kept on the version"),
    ),
    [
      'cairn pipeline upload hello-world.yaml',
      'cairn pipeline upload train.yaml --name train --description "trains the model"',
      'cairn pipeline upload train-v2.yaml --version-of train --name v2',
      'cairn pipeline upload train.yaml --tag team=ml --tag stage=dev',
    ],
  ).action(async (file: string, options: UploadOptions, command: Command) => {
    const { uploadPipeline } = await import('./pipeline-actions.ts');
    await uploadPipeline(file, options, command, output);
  });

  withExamples(
    addListOptions(addOutputOption(group.command('list').alias('ls').description('List pipelines.'))),
    [
      'cairn pipeline list',
      'cairn pipeline list --sort "created_at desc" --limit 10',
      `cairn pipeline list --filter '{"predicates":[{"key":"tags.team","operation":"EQUALS","string_value":"ml"}]}'`,
    ],
  ).action(async (options: ListCommandOptions & { output: OutputFormat }, command: Command) => {
    const { listPipelines } = await import('./pipeline-actions.ts');
    await listPipelines(options, command, output);
  });

  withExamples(
    addOutputOption(
      group
        .command('get')
        .description('Print a pipeline; as a table, with its versions, newest first.')
        .argument('<pipeline>', "the pipeline's id or name"),
    ),
    ['cairn pipeline get hello-world', 'cairn pipeline get 0b6c5f0e-4c1b-4a8e-9f57-6f7f3c1d2e3a -o json'],
  ).action(async (idOrName: string, options: { output: OutputFormat }, command: Command) => {
    const { printPipeline } = await import('./pipeline-actions.ts');
    await printPipeline(idOrName, options, command, output);
  });

  withExamples(
    group
      .command('delete')
      .description('Delete a pipeline; one with versions only with --cascade.')
      .argument('<pipeline>', "the pipeline's id or name")
      .option('--cascade', 'delete its versions too'),
    ['cairn pipeline delete hello-world --cascade'],
  ).action(async (idOrName: string, options: { cascade?: boolean }, command: Command) => {
    const { deletePipeline } = await import('./pipeline-actions.ts');
    await deletePipeline(idOrName, options, command, output);
  });
}
