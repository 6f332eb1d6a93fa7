import { setTimeout as sleep } from 'node:timers/promises';
import { ApiRequestError, type CairnClient, type PipelineTaskDetail } from '@cairn/sdk/api';
import type { Command } from 'commander';
import { CairnError } from '../../errors.ts';
import { clientFrom } from '../api/server-option.ts';
import { withExamples } from '../format/examples.ts';
import { PrefixedLines, rawWriter } from '../format/prefixed-lines.ts';
import { executorTasks, taskLabel } from '../format/task-label.ts';
import type { CliContext, Output } from '../output.ts';
import { addIntervalOption } from '../watch/interval-option.ts';
import { isFinal } from '../watch/run-progress.ts';

const NOT_FOUND = 5;

/** A task by id, by path (`for-loop-2/3/train`) or by display name, which must then be unambiguous. */
function findTask(tasks: readonly PipelineTaskDetail[], runId: string, wanted: string): PipelineTaskDetail {
  const exact = tasks.find((task) => task.task_id === wanted || taskLabel(task) === wanted);
  if (exact) return exact;
  const named = tasks.filter((task) => task.display_name === wanted);
  if (named.length === 1 && named[0]) return named[0];
  if (named.length > 1) {
    throw new CairnError(
      'RUN_INVALID',
      `${named.length} tasks of run ${runId} are named "${wanted}"; name one by its path: ${named.map(taskLabel).join(', ')}`,
    );
  }
  throw new CairnError(
    'RUN_INVALID',
    `run ${runId} has no task "${wanted}"; its tasks: ${executorTasks(tasks).map(taskLabel).join(', ') || 'none yet'}`,
  );
}

function started(task: PipelineTaskDetail): boolean {
  return task.start_time !== undefined || task.state === 'RUNNING' || isFinal(task.state);
}

function byStart(a: PipelineTaskDetail, b: PipelineTaskDetail): number {
  return (a.start_time ?? a.create_time).localeCompare(b.start_time ?? b.create_time);
}

/** One task's log behind its name; a task that wrote none (cached, skipped) is passed over. */
async function prefixedLog(
  client: CairnClient,
  task: PipelineTaskDetail,
  output: Output,
  follow: boolean,
): Promise<void> {
  const lines = new PrefixedLines(`${taskLabel(task)} | `, output);
  try {
    for await (const text of client.runs.readLog(task.run_id, task.task_id, { follow })) lines.write(text);
  } catch (error) {
    if (!(error instanceof ApiRequestError && error.code === NOT_FOUND)) throw error;
  } finally {
    lines.end();
  }
}

/**
 * Follows every executor task of the run, those that start later included, until the run ends and
 * every log is read. Tasks running at once interleave by whole lines.
 */
async function followAll(
  client: CairnClient,
  runId: string,
  output: Output,
  intervalMs: number,
): Promise<void> {
  const followed = new Set<string>();
  const failures: unknown[] = [];
  const streams: Promise<void>[] = [];
  for (;;) {
    const run = await client.runs.get(runId);
    const tasks = executorTasks(run.run_details?.task_details ?? [])
      .filter(started)
      .sort(byStart);
    for (const task of tasks) {
      if (followed.has(task.task_id)) continue;
      followed.add(task.task_id);
      // Collected rather than left to reject, so one failing stream cannot go unhandled while the loop sleeps.
      streams.push(
        prefixedLog(client, task, output, true).catch((error: unknown) => void failures.push(error)),
      );
    }
    if (isFinal(run.state)) break;
    await sleep(intervalMs);
  }
  await Promise.all(streams);
  if (failures.length > 0) throw failures[0];
}

interface LogsOptions {
  follow?: boolean;
  interval: number;
}

export function registerRunLogs(group: Command, { output }: CliContext): void {
  withExamples(
    addIntervalOption(
      group
        .command('logs')
        .description(
          "Print a task's log, or without a task every executor task's log in the order they started, " +
            'each line behind its task. --follow streams them until the run ends.',
        )
        .argument('<run>', "the run's id")
        .argument('[task]', "a task's id, path (e.g. for-loop-2/3/train) or name")
        .option('-f, --follow', 'keep streaming what the tasks write until they end'),
    ),
    ['cairn run logs 3f2a... train', 'cairn run logs 3f2a... --follow'],
  ).action(async (runId: string, wanted: string | undefined, options: LogsOptions, command: Command) => {
    const client = clientFrom(command);
    const follow = options.follow === true;
    if (wanted === undefined && follow) {
      await followAll(client, runId, output, options.interval);
      return;
    }
    const run = await client.runs.get(runId);
    const tasks = run.run_details?.task_details ?? [];
    if (wanted === undefined) {
      for (const task of executorTasks(tasks).filter(started).sort(byStart)) {
        await prefixedLog(client, task, output, false);
      }
      return;
    }
    const task = findTask(tasks, runId, wanted);
    const writer = rawWriter(output);
    for await (const text of client.runs.readLog(runId, task.task_id, { follow })) await writer.write(text);
    writer.end();
  });
}
