import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Artifact } from '@cairn/sdk/api';
import type { Command } from 'commander';
import { CairnError } from '../../errors.ts';
import { addServerOption, clientFrom } from '../api/server-option.ts';
import { withExamples } from '../format/examples.ts';
import { take } from '../format/list-options.ts';
import { addOutputOption, type OutputFormat, printData } from '../format/output-format.ts';
import { formatTable } from '../format/table.ts';
import { formatTime } from '../format/values.ts';
import type { CliContext, Output } from '../output.ts';
import { positiveInteger } from '../task-worker.ts';

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

interface GetOptions {
  outputFile?: string;
  path?: string;
}

export function registerArtifact(program: Command, context: CliContext): void {
  const { output } = context;
  const group = addServerOption(
    program.command('artifact').description("List a run's output artifacts and download their content."),
  );

  withExamples(
    addOutputOption(
      group
        .command('ls')
        .alias('list')
        .description("List the artifacts a run's tasks output (cached ones included).")
        .argument('<run>', "the run's id")
        .option('--limit <n>', 'print at most n artifacts', positiveInteger),
    ),
    ['cairn artifact ls 3f2a...', 'cairn artifact ls 3f2a... -o json'],
  ).action(async (runId: string, options: { limit?: number; output: OutputFormat }, command: Command) => {
    const artifacts = await take(clientFrom(command).artifacts.listAll({ run_id: runId }), options.limit);
    printData(output, options.output, artifacts, () => artifactTable(artifacts));
  });

  withExamples(
    addOutputOption(
      group
        .command('info')
        .description("Print an artifact's record: type, URI, size, digest, metadata.")
        .argument('<artifact>', "the artifact's id"),
    ),
    ['cairn artifact info 9d41... -o yaml'],
  ).action(async (artifactId: string, options: { output: OutputFormat }, command: Command) => {
    const artifact = await clientFrom(command).artifacts.get(artifactId);
    printData(output, options.output, artifact, () => artifactTable([artifact]));
  });

  withExamples(
    group
      .command('get')
      .description("Download an artifact's content to a file (-O) or to standard output, streamed.")
      .argument('<artifact>', "the artifact's id")
      .option('-O, --output-file <file>', 'write the content here instead of standard output')
      .option('--path <file>', 'for an artifact that is a directory: the file in it to download'),
    ['cairn artifact get 9d41... -O model.bin', 'cairn artifact get 9d41... | head'],
  ).action(async (artifactId: string, options: GetOptions, command: Command) => {
    const download = await clientFrom(command).artifacts.download(artifactId, {
      ...(options.path === undefined ? {} : { path: options.path }),
    });
    await saveTo(download.body, options.outputFile, output);
    if (options.outputFile !== undefined) {
      output.err(`saved artifact ${artifactId} to ${options.outputFile}`);
    }
  });
}
