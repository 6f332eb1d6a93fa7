import type { Command } from 'commander';
import { addServerOption } from '../api/server-option.ts';
import { positiveInteger } from '../args/positive-integer.ts';
import { withExamples } from '../format/examples.ts';
import { addOutputOption, type OutputFormat } from '../format/output-option.ts';
import type { CliContext } from '../output.ts';
import type { GetOptions } from './artifact-actions.ts';

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
    const { listArtifacts } = await import('./artifact-actions.ts');
    await listArtifacts(runId, options, command, output);
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
    const { printArtifact } = await import('./artifact-actions.ts');
    await printArtifact(artifactId, options, command, output);
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
    const { downloadArtifact } = await import('./artifact-actions.ts');
    await downloadArtifact(artifactId, options, command, output);
  });
}
