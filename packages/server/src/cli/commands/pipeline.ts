import path from 'node:path';
import type { Pipeline, PipelineVersion } from '@cairn/sdk/api';
import type { Command } from 'commander';
import { resolvePipeline } from '../api/resolve-names.ts';
import { addServerOption, clientFrom } from '../api/server-option.ts';
import { readPipelineFile } from '../args/pipeline-source.ts';
import { withExamples } from '../format/examples.ts';
import { addListOptions, type ListCommandOptions, listOptionsFrom, take } from '../format/list-options.ts';
import { addOutputOption, type OutputFormat, printData } from '../format/output-format.ts';
import { formatTable } from '../format/table.ts';
import { formatTime } from '../format/values.ts';
import type { CliContext } from '../output.ts';

function pipelineTable(pipelines: readonly Pipeline[]): string[] {
  return formatTable(pipelines, [
    { header: 'PIPELINE ID', value: (p) => p.pipeline_id },
    { header: 'NAME', value: (p) => p.name },
    { header: 'DISPLAY NAME', value: (p) => p.display_name },
    { header: 'CREATED', value: (p) => formatTime(p.created_at) },
    { header: 'DESCRIPTION', value: (p) => p.description ?? '' },
  ]);
}

function versionTable(versions: readonly PipelineVersion[]): string[] {
  return formatTable(versions, [
    { header: 'VERSION ID', value: (v) => v.pipeline_version_id },
    { header: 'NAME', value: (v) => v.name },
    { header: 'CREATED', value: (v) => formatTime(v.created_at) },
    { header: 'DESCRIPTION', value: (v) => v.description ?? '' },
  ]);
}

interface UploadOptions {
  name?: string;
  displayName?: string;
  description?: string;
  versionOf?: string;
  output: OutputFormat;
}

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
        .option('--version-of <pipeline>', 'add the file as a new version of this pipeline (id or name)'),
    ),
    [
      'cairn pipeline upload hello-world.yaml',
      'cairn pipeline upload train.yaml --name train --description "trains the model"',
      'cairn pipeline upload train-v2.yaml --version-of train --name v2',
    ],
  ).action(async (file: string, options: UploadOptions, command: Command) => {
    const client = clientFrom(command);
    const bytes = await readPipelineFile(file);
    const fields = {
      file_name: path.basename(file),
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.displayName === undefined ? {} : { display_name: options.displayName }),
      ...(options.description === undefined ? {} : { description: options.description }),
    };
    if (options.versionOf !== undefined) {
      const pipeline = await resolvePipeline(client, options.versionOf);
      const version = await client.pipelines.uploadVersion(pipeline.pipeline_id, bytes, fields);
      printData(output, options.output, version, () => versionTable([version]));
      return;
    }
    const pipeline = await client.pipelines.upload(bytes, fields);
    printData(output, options.output, pipeline, () => pipelineTable([pipeline]));
  });

  withExamples(
    addListOptions(addOutputOption(group.command('list').alias('ls').description('List pipelines.'))),
    ['cairn pipeline list', 'cairn pipeline list --sort "created_at desc" --limit 10'],
  ).action(async (options: ListCommandOptions & { output: OutputFormat }, command: Command) => {
    const pipelines = await take(
      clientFrom(command).pipelines.listAll(listOptionsFrom(options)),
      options.limit,
    );
    printData(output, options.output, pipelines, () => pipelineTable(pipelines));
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
    const client = clientFrom(command);
    const pipeline = await resolvePipeline(client, idOrName);
    if (options.output !== 'table') {
      printData(output, options.output, pipeline, () => []);
      return;
    }
    const versions = await take(
      client.pipelines.versions.listAll(pipeline.pipeline_id, { sort_by: 'created_at desc' }),
      undefined,
    );
    printData(output, 'table', pipeline, () => [...pipelineTable([pipeline]), '', ...versionTable(versions)]);
  });

  withExamples(
    group
      .command('delete')
      .description('Delete a pipeline; one with versions only with --cascade.')
      .argument('<pipeline>', "the pipeline's id or name")
      .option('--cascade', 'delete its versions too'),
    ['cairn pipeline delete hello-world --cascade'],
  ).action(async (idOrName: string, options: { cascade?: boolean }, command: Command) => {
    const client = clientFrom(command);
    const pipeline = await resolvePipeline(client, idOrName);
    await client.pipelines.delete(pipeline.pipeline_id, { cascade: options.cascade === true });
    output.out(`pipeline ${pipeline.name} (${pipeline.pipeline_id}) deleted`);
  });
}
