import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import { runNotFound } from '../catalog/runs.ts';
import { readTaskLog } from '../engine/executor/logs/read-task-log.ts';
import { taskLogKey } from '../engine/executor/task-keys.ts';
import { FINAL_TASK_STATES } from '../engine/leases/task-states.ts';
import { runPipeline } from '../engine/scheduler/run-plans.ts';
import { CairnError } from '../errors.ts';
import type { CairnDatabase } from '../store/tables.ts';
import { storedId } from './stored-id.ts';

/** How often a followed log is read again while the task runs. */
export const FOLLOW_POLL_MS = 300;

/** A task found through its run, as a log reader needs it. */
export interface RunTask {
  readonly runId: string;
  readonly taskId: string;
  readonly path: string;
  /** The attempts it has made so far (0 before it starts). */
  readonly attempts: number;
}

export interface TaskLogOptions {
  /** The byte of the log to start at. */
  readonly offset: number;
  /** Keep reading until the task's attempt ends. */
  readonly follow: boolean;
  /** Which attempt's log, counted from 1 (checked with `checkAttempt`); the latest by default. */
  readonly attempt?: number;
  /** Aborted when the client goes away: the poll stops at once. */
  readonly signal: AbortSignal;
}

/** The task, checked to exist and to belong to the run; TASK_NOT_FOUND or RUN_NOT_FOUND otherwise. */
export async function findRunTask(db: Kysely<CairnDatabase>, runIdText: string, taskIdText: string) {
  const runId = storedId(runIdText);
  const run =
    runId === undefined
      ? undefined
      : await db.selectFrom('runs').select('id').where('id', '=', runId).executeTakeFirst();
  if (runId === undefined || run === undefined) throw runNotFound(runIdText);
  const taskId = storedId(taskIdText);
  const task =
    taskId === undefined
      ? undefined
      : await db
          .selectFrom('tasks')
          .select(['run_id', 'path', 'attempt'])
          .where('id', '=', taskId)
          .executeTakeFirst();
  if (taskId === undefined || task === undefined) {
    throw new CairnError('TASK_NOT_FOUND', `task ${taskIdText} does not exist`);
  }
  if (task.run_id !== runId) {
    throw new CairnError('TASK_NOT_FOUND', `task ${taskId} is not a task of run ${runId}`);
  }
  return { runId, taskId, path: task.path, attempts: Number(task.attempt) } satisfies RunTask;
}

/** An attempt asked for by number must be one the task has made: the others have no log. */
export function checkAttempt(task: RunTask, attempt: number): void {
  if (attempt <= task.attempts) return;
  const made =
    task.attempts === 0
      ? 'has made no attempt, so it has no log'
      : `has made ${task.attempts} attempt${task.attempts === 1 ? '' : 's'} (1 to ${task.attempts})`;
  throw new CairnError('RUN_INVALID', `attempt ${attempt}: task ${task.taskId} ${made}`);
}

/**
 * The log of the task's latest attempt (or of `attempt`) from `offset` on, as it is now or, following,
 * as it grows until the attempt ends. A task not yet started has no log: it reads as empty, and a
 * follower waits for its first attempt. A retried task keeps one log per attempt; a follower stays with
 * the attempt it started on, and its log ends when that attempt does.
 */
export async function* taskLogBytes(
  db: Kysely<CairnDatabase>,
  store: ArtifactStore,
  task: RunTask,
  { offset: start, follow, signal, attempt }: TaskLogOptions,
): AsyncGenerator<Buffer> {
  let offset = start;
  let followed = attempt === undefined ? undefined : { attempt, logKey: await logKeyOf(db, task, attempt) };
  while (!signal.aborted) {
    // Read before the log: a task seen final has written all of its log, so the read below gets the rest.
    const progress = await db
      .selectFrom('tasks')
      .select(['state', 'attempt'])
      .where('id', '=', task.taskId)
      .executeTakeFirst();
    if (progress === undefined) return;
    if (followed === undefined && progress.attempt > 0) {
      followed = { attempt: progress.attempt, logKey: await logKeyOf(db, task, progress.attempt) };
    }
    if (followed !== undefined) {
      for (;;) {
        const slice = await readTaskLog(store, followed.logKey, { offset });
        offset = slice.nextOffset;
        if (slice.bytes.byteLength > 0) yield slice.bytes;
        if (slice.complete) return;
        if (slice.bytes.byteLength === 0) break;
      }
    }
    const final = (FINAL_TASK_STATES as readonly string[]).includes(progress.state);
    // An attempt lost with its worker never completes its log; the next attempt writes another.
    const superseded = followed !== undefined && progress.attempt > followed.attempt;
    if (!follow || final || superseded) return;
    try {
      await sleep(FOLLOW_POLL_MS, undefined, { signal });
    } catch {
      return;
    }
  }
}

/** The key the worker wrote the attempt's log under (see `prepareTask` and `taskLogKey`). */
async function logKeyOf(db: Kysely<CairnDatabase>, task: RunTask, attempt: number): Promise<string> {
  const pipeline = await runPipeline(db, task.runId);
  return taskLogKey(
    { pipelineName: pipeline.plan.pipeline.name, runId: task.runId, taskPath: task.path },
    attempt,
  );
}
