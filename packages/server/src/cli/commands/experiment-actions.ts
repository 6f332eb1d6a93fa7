import type { Experiment } from '@cairn/sdk/api';
import type { Command } from 'commander';
import { resolveExperiment } from '../api/resolve-names.ts';
import { clientFrom } from '../api/server-client.ts';
import { type ListCommandOptions, listOptionsFrom, take } from '../format/list-options.ts';
import { printData } from '../format/output-format.ts';
import type { OutputFormat } from '../format/output-option.ts';
import { formatTable } from '../format/table.ts';
import { formatTime } from '../format/values.ts';
import type { Output } from '../output.ts';

function experimentTable(experiments: readonly Experiment[]): string[] {
  return formatTable(experiments, [
    { header: 'EXPERIMENT ID', value: (e) => e.experiment_id },
    { header: 'NAME', value: (e) => e.display_name },
    { header: 'STATE', value: (e) => e.storage_state },
    { header: 'CREATED', value: (e) => formatTime(e.created_at) },
    { header: 'LAST RUN', value: (e) => formatTime(e.last_run_created_at) },
    { header: 'DESCRIPTION', value: (e) => e.description ?? '' },
  ]);
}

export async function createExperiment(
  name: string,
  options: { description?: string; output: OutputFormat },
  command: Command,
  output: Output,
): Promise<void> {
  const experiment = await clientFrom(command).experiments.create({
    display_name: name,
    ...(options.description === undefined ? {} : { description: options.description }),
  });
  printData(output, options.output, experiment, () => experimentTable([experiment]));
}

export async function listExperiments(
  options: ListCommandOptions & { archived?: boolean; output: OutputFormat },
  command: Command,
  output: Output,
): Promise<void> {
  const state = options.archived ? 'ARCHIVED' : 'AVAILABLE';
  const experiments = await take(
    clientFrom(command).experiments.listAll(
      listOptionsFrom(options, [{ key: 'storage_state', operation: 'EQUALS', string_value: state }]),
    ),
    options.limit,
  );
  printData(output, options.output, experiments, () => experimentTable(experiments));
}

export async function printExperiment(
  idOrName: string,
  options: { output: OutputFormat },
  command: Command,
  output: Output,
): Promise<void> {
  const experiment = await resolveExperiment(clientFrom(command), idOrName);
  printData(output, options.output, experiment, () => experimentTable([experiment]));
}

/** What `cairn experiment archive`, `unarchive` and `delete` ask the server to do. */
export type ExperimentChange = 'archive' | 'unarchive' | 'delete';

export async function changeExperiment(
  change: { name: ExperimentChange; past: string },
  idOrName: string,
  command: Command,
  output: Output,
): Promise<void> {
  const client = clientFrom(command);
  const experiment = await resolveExperiment(client, idOrName);
  await client.experiments[change.name](experiment.experiment_id);
  output.out(`experiment ${experiment.display_name} (${experiment.experiment_id}) ${change.past}`);
}
