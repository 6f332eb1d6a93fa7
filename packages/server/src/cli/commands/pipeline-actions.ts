import path from 'node:path';
import type { Pipeline, PipelineVersion } from '@cairn/sdk/api';
import type { Command } from 'commander';
import { resolvePipeline } from '../api/resolve-names.ts';
import { clientFrom } from '../api/server-client.ts';
import { readPipelineFile } from '../args/pipeline-source.ts';
import { type ListCommandOptions, listOptionsFrom, take } from '../format/list-options.ts';
import { printData } from '../format/output-format.ts';
import type { OutputFormat } from '../format/output-option.ts';
import { formatTable } from '../format/table.ts';
import { formatTime } from '../format/values.ts';
import type { Output } from '../output.ts';

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

export interface UploadOptions {
  name?: string;
  displayName?: string;
  description?: string;
  versionOf?: string;
  tag?: Record<string, string>;
  codeSourceUrl?: string;
  output: OutputFormat;
}

export async function uploadPipeline(
  file: string,
  options: UploadOptions,
  command: Command,
  output: Output,
): Promise<void> {
  const client = clientFrom(command);
  const bytes = await readPipelineFile(file);
  const fields = {
    file_name: path.basename(file),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.displayName === undefined ? {} : { display_name: options.displayName }),
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.tag === undefined ? {} : { tags: options.tag }),
    ...(options.codeSourceUrl === undefined ? {} : { code_source_url: options.codeSourceUrl }),
  };
  if (options.versionOf !== undefined) {
    const pipeline = await resolvePipeline(client, options.versionOf);
    const version = await client.pipelines.uploadVersion(pipeline.pipeline_id, bytes, fields);
    printData(output, options.output, version, () => versionTable([version]));
    return;
  }
  const pipeline = await client.pipelines.upload(bytes, fields);
  printData(output, options.output, pipeline, () => pipelineTable([pipeline]));
}

export async function listPipelines(
  options: ListCommandOptions & { output: OutputFormat },
  command: Command,
  output: Output,
): Promise<void> {
  const pipelines = await take(
    clientFrom(command).pipelines.listAll(listOptionsFrom(options)),
    options.limit,
  );
  printData(output, options.output, pipelines, () => pipelineTable(pipelines));
}

export async function printPipeline(
  idOrName: string,
  options: { output: OutputFormat },
  command: Command,
  output: Output,
): Promise<void> {
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
}

export async function deletePipeline(
  idOrName: string,
  options: { cascade?: boolean },
  command: Command,
  output: Output,
): Promise<void> {
  const client = clientFrom(command);
  const pipeline = await resolvePipeline(client, idOrName);
  await client.pipelines.delete(pipeline.pipeline_id, { cascade: options.cascade === true });
  output.out(`pipeline ${pipeline.name} (${pipeline.pipeline_id}) deleted`);
}
