import { randomUUID } from 'node:crypto';
import type { ExecutorTaskPlan } from '@cairn/spec';
import { errorMessage } from '../../errors.ts';
import type { ExecutionResult } from '../executor/task-executor.ts';
import { completeTask } from '../leases/complete-task.ts';
import { handBackTask } from '../leases/hand-back-task.ts';
import { heartbeat } from '../leases/heartbeat.ts';
import { releaseTask } from '../leases/release-task.ts';
import type { ClaimedTask } from '../leases/take-claims.ts';
import { TASK_STATE } from '../leases/task-states.ts';
import { EXECUTION_STATE } from '../lineage/lineage-vocabulary.ts';
import { RUN_STATE } from '../runs/run-state.ts';
import { storedArtifact, type TaskValues } from '../scheduler/task-values.ts';
import { persistently } from './persistently.ts';
import { type PreparedTask, prepareTask } from './prepare-task.ts';
import { cached, failed, succeeded } from './record-outcome.ts';
import { cacheHitFor, taskFingerprint } from './task-cache.ts';
import type { WorkerResources } from './worker-resources.ts';

/**
 * Why a worker stops a task it is running, given as the reason of the `interrupt` signal. `yield`: give
 * the task back to the queue without using up an attempt (maintenance stops work for an upgrade).
 * `abandon`: write nothing more, as if the worker had died (the database now belongs to a newer Cairn);
 * the lease lapses, and a worker of that release takes the task over.
 */
export type Interruption = 'yield' | 'abandon';

/**
 * Runs one claimed task to its end: serves it from the cache when an earlier identical execution's
 * outputs are still whole, otherwise executes it while heartbeating the lease; then records the outcome
 * and its consequences for the run in one fenced transaction. A worker that loses its lease stops the
 * task and records nothing: whoever holds the lease now owns the outcome. Aborting `interrupt` stops the
 * task as its reason (an `Interruption`) says.
 */
export async function runClaimedTask(
  resources: WorkerResources,
  claimed: ClaimedTask,
  interrupt: AbortSignal,
): Promise<void> {
  const { db, dialect } = resources;
  const lease = { taskId: claimed.id, token: claimed.lease_token };
  const stop = new AbortController();
  const beatNow = (): void => {
    keepLease(resources, claimed).then(
      (verdict) => {
        if (verdict !== 'held') stop.abort(verdict);
      },
      () => {
        // A failed heartbeat is retried at the next beat; the lease outlives a few of them.
      },
    );
  };
  const beat = setInterval(beatNow, Math.max(100, Math.floor(resources.leaseMs / 3)));
  // Terminated through this process's API: the heartbeat that would find out is brought forward.
  const unlisten = resources.terminations?.listen(claimed.run_id, beatNow);
  const interrupted = (): void => {
    if (interrupt.reason === 'yield') {
      stop.abort('yielded');
      return;
    }
    // Not even a heartbeat more: the lease is to lapse.
    clearInterval(beat);
    unlisten?.();
    stop.abort('lost');
  };
  if (interrupt.aborted) interrupted();
  else interrupt.addEventListener('abort', interrupted, { once: true });
  let prepared: PreparedTask | undefined;
  let fingerprint: string | undefined;
  let result: ExecutionResult;
  try {
    prepared = await prepareTask(resources, claimed);
    fingerprint = await taskFingerprint(resources, prepared);
    const hit = fingerprint === undefined ? undefined : await cacheHitFor(resources, fingerprint);
    if (hit !== undefined && fingerprint !== undefined) {
      // The original task's outputs, exactly: consumers then see (and fingerprint) the same values.
      const original = await db
        .selectFrom('tasks')
        .select('outputs')
        .where('id', '=', hit.taskId)
        .executeTakeFirst();
      const writes = cached(dialect, claimed, prepared, hit, fingerprint);
      const completion = { ...lease, state: TASK_STATE.SUCCEEDED, outputs: original?.outputs ?? null };
      await persistently(() => completeTask(db, dialect, completion, writes));
      return;
    }
    result = await resources.executor.run(prepared.task, {
      artifactStore: resources.artifactStore,
      workDir: resources.workDir,
      signal: stop.signal,
    });
  } catch (error) {
    if (stop.signal.reason === 'lost') return;
    const completion = { ...lease, state: TASK_STATE.FAILED, error: errorMessage(error) };
    await persistently(() =>
      completeTask(db, dialect, completion, failed(dialect, claimed, prepared, undefined)),
    );
    return;
  } finally {
    clearInterval(beat);
    unlisten?.();
    interrupt.removeEventListener('abort', interrupted);
  }
  if (stop.signal.reason === 'lost') return;
  // Only a task the stop did end goes back; one that finished first has its outcome recorded.
  if (stop.signal.reason === 'yielded' && result.canceled) {
    await persistently(() => handBackTask(db, dialect, lease));
    return;
  }
  if (stop.signal.reason === 'canceled') {
    const completion = { ...lease, state: TASK_STATE.CANCELED, error: 'the run was terminated' };
    const writes = failed(dialect, claimed, prepared, result, EXECUTION_STATE.CANCELED);
    await persistently(() => completeTask(db, dialect, completion, writes));
    return;
  }
  if (result.status === 'succeeded') {
    const outputs: TaskValues = { parameters: { ...result.outputParameters }, artifacts: {} };
    for (const [name, artifact] of Object.entries(result.outputArtifacts)) {
      // The artifact's row id is chosen now, so the task's outputs can name it for its consumers' lineage.
      outputs.artifacts[name] = [storedArtifact(artifact, randomUUID())];
    }
    const writes = succeeded(dialect, claimed, prepared, result, outputs, fingerprint);
    const completion = { ...lease, state: TASK_STATE.SUCCEEDED, outputs: JSON.stringify(outputs) };
    await persistently(() => completeTask(db, dialect, completion, writes));
    return;
  }
  const error = result.error ?? 'the task failed';
  // Attempts lost with a worker are not retries the task used.
  if (claimed.attempt - claimed.lost_attempts < claimed.max_attempts) {
    const release = { ...lease, backoffMs: backoffMs(prepared.plan, claimed.attempt), error };
    const outcome = await persistently(() => releaseTask(db, dialect, release));
    if (outcome !== 'no-attempts-left') return;
  }
  const completion = { ...lease, state: TASK_STATE.FAILED, error };
  await persistently(() => completeTask(db, dialect, completion, failed(dialect, claimed, prepared, result)));
}

/**
 * Extends the lease, and tells whether the task should go on: 'lost' when another worker owns it now,
 * 'canceled' when its run is being terminated.
 */
async function keepLease(
  resources: WorkerResources,
  claimed: ClaimedTask,
): Promise<'held' | 'lost' | 'canceled'> {
  const { db, dialect, leaseMs } = resources;
  const held = await heartbeat(db, dialect, { taskId: claimed.id, token: claimed.lease_token, leaseMs });
  if (!held) return 'lost';
  const run = await db.selectFrom('runs').select('state').where('id', '=', claimed.run_id).executeTakeFirst();
  return run?.state === RUN_STATE.CANCELING ? 'canceled' : 'held';
}

/** The delay before the next attempt: KFP's backoff, duration × factor^(retries so far), capped. */
function backoffMs(plan: ExecutorTaskPlan, attempt: number): number {
  const { backoffMs: first, backoffFactor, maxBackoffMs } = plan.retry;
  return Math.min(maxBackoffMs, Math.round(first * backoffFactor ** Math.max(0, attempt - 1)));
}
