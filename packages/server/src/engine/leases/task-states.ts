/**
 * The states a task row goes through, as stored in `tasks.state`. KFP reports tasks with its
 * `RuntimeState` (PENDING, RUNNING, SUCCEEDED, SKIPPED, FAILED, CANCELING, CANCELED, PAUSED); the names
 * here are the same where the meaning is, and the engine maps the rest when it reports a run.
 */
export const TASK_STATE = {
  /** Waiting for its dependencies; never claimed. KFP: PENDING. */
  PENDING: 'PENDING',
  /** Ready to run from `ready_at` on; claimable. KFP: PENDING. */
  QUEUED: 'QUEUED',
  /** Claimed: a worker holds its lease (or held it, if `lease_expires_at` has passed). KFP: RUNNING. */
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  /** Not run: its condition was false, or a cached result stands in for it. KFP: SKIPPED. */
  SKIPPED: 'SKIPPED',
  CANCELED: 'CANCELED',
} as const;

export type TaskState = (typeof TASK_STATE)[keyof typeof TASK_STATE];

/** The states a leased attempt may end in (`completeTask`); no lease is ever taken on them again. */
export const FINAL_TASK_STATES = [
  TASK_STATE.SUCCEEDED,
  TASK_STATE.FAILED,
  TASK_STATE.SKIPPED,
  TASK_STATE.CANCELED,
] as const;

export type FinalTaskState = (typeof FINAL_TASK_STATES)[number];

/** Where a claim takes tasks from: QUEUED tasks that are ready, RUNNING tasks whose lease expired. */
export type ClaimSource = typeof TASK_STATE.QUEUED | typeof TASK_STATE.RUNNING;

/**
 * How many attempts of one task may be lost with their worker (its lease expired) before the task fails.
 * Lost attempts do not use up the task's retries, since a killed server must not fail the runs it was
 * running; but a task that takes its worker down every time (say, by exhausting the machine's memory)
 * must stop somewhere. The bound is generous because a restarting server reclaims the oldest tasks
 * first, so the same few tasks are in flight at every kill: the crash tests kill a worker ten times in
 * twenty seconds and see a task lost four times.
 */
export const MAX_LOST_ATTEMPTS = 20;
