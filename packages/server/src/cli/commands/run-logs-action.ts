import { setTimeout as sleep } from 'node:timers/promises';
import { ApiRequestError, type CairnClient, type PipelineTaskDetail } from '@cairn/sdk/api';
import type { Command } from 'commander';
import { CairnError } from '../../errors.ts';
import { clientFrom } from '../api/server-client.ts';
import { PrefixedLines, rawWriter } from '../format/prefixed-lines.ts';
import { executorTasks, taskLabel } from '../format/task-label.ts';
import type { Output } from '../output.ts';
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

/**
 * By the time each started, compared as times: KFP's RFC 3339 drops a whole second's fraction, so the
 * text of 12:00:00Z sorts after 12:00:00.250Z.
 */
function byStart(a: PipelineTaskDetail, b: PipelineTaskDetail): number {
  return Date.parse(a.start_time ?? a.create_time) - Date.parse(b.start_time ?? b.create_time);
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

export interface LogsOptions {
  follow?: boolean;
  attempt?: number;
  interval: number;
}

/** One task's log, or every started executor task's, read to its end or followed (`--follow`). */
export async function printLogs(
  runId: string,
  wanted: string | undefined,
  options: LogsOptions,
  command: Command,
  output: Output,
): Promise<void> {
  if (options.attempt !== undefined && wanted === undefined) {
    throw new CairnError('RUN_INVALID', "--attempt reads one task's log: name the task too");
  }
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
  const read = { follow, ...(options.attempt === undefined ? {} : { attempt: options.attempt }) };
  for await (const text of client.runs.readLog(runId, task.task_id, read)) await writer.write(text);
  writer.end();
}
