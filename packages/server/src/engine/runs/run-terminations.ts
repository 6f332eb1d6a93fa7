/**
 * Word, inside one process, that a run is being terminated. A worker stops a terminated run's task when
 * its next heartbeat finds the run CANCELING, a third of the lease later (over 3 s by default); where
 * the API that terminated it and the worker share a process (`cairn up`), this tells the worker at once
 * and it looks straight away. Only a hint: the worker still reads the run's state before it stops
 * anything, and workers in other processes keep hearing it from their heartbeats.
 */
export class RunTerminations {
  readonly #listeners = new Map<string, Set<() => void>>();

  /** Calls `listener` each time `runId` is said to be terminated, until the returned function is called. */
  listen(runId: string, listener: () => void): () => void {
    let listeners = this.#listeners.get(runId);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(runId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(runId);
    };
  }

  /** Says that `runId` has been moved to CANCELING (committed). */
  terminated(runId: string): void {
    for (const listener of [...(this.#listeners.get(runId) ?? [])]) listener();
  }
}
