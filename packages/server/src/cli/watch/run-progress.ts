import type { PipelineTaskDetail, Run, RuntimeState } from '@cairn/sdk/api';
import { executorTasks, taskLabel } from '../format/task-label.ts';
import { formatDuration } from '../format/values.ts';

const FINAL_STATES: readonly RuntimeState[] = ['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED'];

export function isFinal(state: RuntimeState): boolean {
  return FINAL_STATES.includes(state);
}

/** Milliseconds since an RFC 3339 time, never negative (the server's clock may be ahead of ours). */
function since(time: string | undefined, now: number): number {
  const start = time === undefined ? Number.NaN : Date.parse(time);
  return Number.isNaN(start) ? 0 : Math.max(0, now - start);
}

/** How far a run got: counted over the tasks that run an executor, which is what a user waits for. */
export interface RunProgress {
  readonly state: RuntimeState;
  readonly done: number;
  readonly failed: number;
  readonly total: number;
  readonly running: readonly { label: string; elapsedMs: number }[];
  readonly elapsedMs: number;
}

export function progressOf(run: Run, now: number): RunProgress {
  const tasks = executorTasks(run.run_details?.task_details ?? []);
  const ended = run.finished_at === undefined ? now : Date.parse(run.finished_at) || now;
  return {
    state: run.state,
    done: tasks.filter((task) => isFinal(task.state)).length,
    failed: tasks.filter((task) => task.state === 'FAILED').length,
    total: tasks.length,
    running: tasks
      .filter((task) => task.state === 'RUNNING')
      .map((task) => ({ label: taskLabel(task), elapsedMs: since(task.start_time, now) })),
    elapsedMs: isFinal(run.state) ? since(run.created_at, ended) : since(run.created_at, now),
  };
}

function counts(progress: RunProgress): string {
  const failed = progress.failed === 0 ? '' : `, ${progress.failed} failed`;
  return `${progress.done}/${progress.total} tasks done${failed}`;
}

/** The block a terminal shows and redraws: the run's state and counts, then one line per running task. */
export function progressBlock(run: Run, progress: RunProgress): string[] {
  const width = Math.max(0, ...progress.running.map((task) => task.label.length));
  return [
    `run ${run.display_name} (${run.run_id})  ${progress.state}  ${counts(progress)}  elapsed ${formatDuration(progress.elapsedMs)}`,
    ...progress.running.map(
      (task) => `  ${task.label.padEnd(width)}  RUNNING  ${formatDuration(task.elapsedMs)}`,
    ),
  ];
}

/** The last line of a watch: how the run ended. */
export function finalLine(run: Run, progress: RunProgress): string {
  return `run ${run.run_id} ${progress.state} after ${formatDuration(progress.elapsedMs)} (${counts(progress)})`;
}

/** Each executor task whose state differs from `seen`, which is updated; for output that cannot be redrawn. */
export function taskChanges(run: Run, seen: Map<string, RuntimeState>, now: number): string[] {
  const lines: string[] = [];
  const elapsed = formatDuration(since(run.created_at, now));
  for (const task of executorTasks(run.run_details?.task_details ?? [])) {
    if (seen.get(task.task_id) === task.state) continue;
    seen.set(task.task_id, task.state);
    const error = task.state === 'FAILED' && task.error ? `: ${oneLine(task.error.message)}` : '';
    lines.push(`+${elapsed}  ${taskLabel(task)}  ${task.state}${error}`);
  }
  return lines;
}

function firstFailed(tasks: readonly PipelineTaskDetail[]): PipelineTaskDetail | undefined {
  return tasks.find((task) => task.state === 'FAILED' && task.error !== undefined);
}

/** Why a run did not succeed, in one line: the run's error, else its first failed task's. */
export function failureReason(run: Run): string {
  if (run.error?.message) return oneLine(run.error.message);
  const tasks = run.run_details?.task_details ?? [];
  const task = firstFailed(executorTasks(tasks)) ?? firstFailed(tasks);
  if (task?.error) return `task ${taskLabel(task)} failed: ${oneLine(task.error.message)}`;
  return `the run ended ${run.state}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
