import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs a transaction that records a task's outcome, again if it fails: a deadlock with a sibling's
 * completion or a dropped connection must not lose the outcome of work already done. Safe to repeat,
 * because every recording is fenced by the lease token: a try that did commit makes the next one a no-op.
 */
export async function persistently<T>(record: () => Promise<T>, tries = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await record();
    } catch (error) {
      if (attempt >= tries) throw error;
      await sleep(50 * 2 ** attempt);
    }
  }
}
