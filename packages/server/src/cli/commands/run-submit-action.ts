import type { Command } from 'commander';
import { experimentField } from '../api/resolve-names.ts';
import { clientFrom } from '../api/server-client.ts';
import { pipelineSource } from '../args/pipeline-source.ts';
import { printData } from '../format/output-format.ts';
import type { OutputFormat } from '../format/output-option.ts';
import { runTable } from '../format/run-tables.ts';
import type { CliContext, Output } from '../output.ts';
import { watchedRunStatus, watchRun } from '../watch/watch-run.ts';

export interface SubmitOptions {
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

export async function submitRun(
  file: string | undefined,
  options: SubmitOptions,
  command: Command,
  context: CliContext,
): Promise<void> {
  const { output } = context;
  const client = clientFrom(command);
  const source = await pipelineSource(client, file, options);
  const scope = await experimentField(client, options.experiment);
  const run = await client.runs.create({
    display_name: options.name ?? defaultRunName(source.pipelineName),
    ...(options.description === undefined ? {} : { description: options.description }),
    ...source.fields,
    runtime_config: {
      parameters: options.param,
      ...(options.pipelineRoot === undefined ? {} : { pipeline_root: options.pipelineRoot }),
    },
    ...scope,
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
}
