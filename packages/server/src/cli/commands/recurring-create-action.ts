import type { Trigger } from '@cairn/sdk/api';
import type { Command } from 'commander';
import { CairnError } from '../../errors.ts';
import { experimentField } from '../api/resolve-names.ts';
import { clientFrom } from '../api/server-client.ts';
import { pipelineSource } from '../args/pipeline-source.ts';
import { printData } from '../format/output-format.ts';
import type { OutputFormat } from '../format/output-option.ts';
import type { Output } from '../output.ts';
import { recurringTable } from './recurring-actions.ts';

export interface CreateOptions {
  name: string;
  description?: string;
  cron?: string;
  every?: number;
  intervalSeconds?: number;
  start?: string;
  end?: string;
  maxConcurrency: number;
  catchup: boolean;
  disabled?: boolean;
  pipeline?: string;
  version?: string;
  param: Record<string, unknown>;
  experiment?: string;
  output: OutputFormat;
}

/** Exactly one of `--cron`, `--every` and `--interval-seconds`, with the start and end times. */
function triggerOf(options: CreateOptions): Trigger {
  const given = [options.cron, options.every, options.intervalSeconds].filter((value) => value !== undefined);
  if (given.length !== 1) {
    throw new CairnError(
      'CONFIG_INVALID',
      `give one schedule: --cron, --every or --interval-seconds (${given.length === 0 ? 'none' : 'several'} given)`,
    );
  }
  const window = {
    ...(options.start === undefined ? {} : { start_time: options.start }),
    ...(options.end === undefined ? {} : { end_time: options.end }),
  };
  if (options.cron !== undefined) return { cron_schedule: { cron: options.cron, ...window } };
  return {
    periodic_schedule: { interval_second: String(options.every ?? options.intervalSeconds), ...window },
  };
}

export async function createRecurringRun(
  file: string | undefined,
  options: CreateOptions,
  command: Command,
  output: Output,
): Promise<void> {
  const client = clientFrom(command);
  const trigger = triggerOf(options);
  const source = await pipelineSource(client, file, options);
  const scope = await experimentField(client, options.experiment);
  const recurringRun = await client.recurringRuns.create({
    display_name: options.name,
    ...(options.description === undefined ? {} : { description: options.description }),
    ...source.fields,
    runtime_config: { parameters: options.param },
    trigger,
    max_concurrency: String(options.maxConcurrency),
    no_catchup: !options.catchup,
    mode: options.disabled ? 'DISABLE' : 'ENABLE',
    ...scope,
  });
  printData(output, options.output, recurringRun, () => recurringTable([recurringRun]));
}
