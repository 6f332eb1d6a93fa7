import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Artifact } from '@cairn/sdk/api';
import type { Command } from 'commander';
import { CairnError } from '../../errors.ts';
import { clientFrom } from '../api/server-client.ts';
import { take } from '../format/list-options.ts';
import { printData } from '../format/output-format.ts';
import type { OutputFormat } from '../format/output-option.ts';
import { formatTable } from '../format/table.ts';
import { formatTime } from '../format/values.ts';
import type { Output } from '../output.ts';

function artifactTable(artifacts: readonly Artifact[]): string[] {
  return formatTable(artifacts, [
    { header: 'ARTIFACT ID', value: (a) => a.artifact_id },
    { header: 'NAME', value: (a) => a.name ?? '' },
    { header: 'TYPE', value: (a) => a.artifact_type },
    { header: 'SIZE', value: (a) => (a.artifact_size === undefined ? '' : String(a.artifact_size)) },
    { header: 'CREATED', value: (a) => formatTime(a.created_at) },
    { header: 'URI', value: (a) => a.uri },
  ]);
}

/** Standard output takes the bytes as they come; a file is removed again when the download fails. */
async function saveTo(
  body: AsyncIterable<Uint8Array>,
  file: string | undefined,
  output: Output,
): Promise<void> {
  if (file === undefined) {
    if (output.write === undefined) {
      throw new CairnError(
        'CONFIG_INVALID',
        'this output cannot take raw bytes; save to a file with -O FILE',
      );
    }
    for await (const chunk of body) await output.write(chunk);
    return;
  }
  try {
    await pipeline(Readable.from(body), createWriteStream(file));
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
}

export interface GetOptions {
  outputFile?: string;
  path?: string;
}

export async function listArtifacts(
  runId: string,
  options: { limit?: number; output: OutputFormat },
  command: Command,
  output: Output,
): Promise<void> {
  const artifacts = await take(clientFrom(command).artifacts.listAll({ run_id: runId }), options.limit);
  printData(output, options.output, artifacts, () => artifactTable(artifacts));
}

export async function printArtifact(
  artifactId: string,
  options: { output: OutputFormat },
  command: Command,
  output: Output,
): Promise<void> {
  const artifact = await clientFrom(command).artifacts.get(artifactId);
  printData(output, options.output, artifact, () => artifactTable([artifact]));
}

export async function downloadArtifact(
  artifactId: string,
  options: GetOptions,
  command: Command,
  output: Output,
): Promise<void> {
  const download = await clientFrom(command).artifacts.download(artifactId, {
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  await saveTo(download.body, options.outputFile, output);
  if (options.outputFile !== undefined) {
    output.err(`saved artifact ${artifactId} to ${options.outputFile}`);
  }
}
