import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../../errors.ts';
import { MaintenanceWatch } from '../../lifecycle/maintenance/maintenance-watch.ts';
import { claimExhaustedLeases } from '../leases/claim-exhausted-leases.ts';
import { claimTasks } from '../leases/claim-tasks.ts';
import { completeTask } from '../leases/complete-task.ts';
import { TASK_STATE } from '../leases/task-states.ts';
import { propagate } from '../scheduler/propagate.ts';
import { schedulerContext } from '../scheduler/scheduler-context.ts';
import { taskById } from '../scheduler/task-rows.ts';
import { type Interruption, runClaimedTask } from './run-claimed-task.ts';
import type { WorkerResources } from './worker-resources.ts';

export interface WorkerOptions {
  /** Tasks run at once by this worker. */
  readonly concurrency: number;
  /** How long to wait before looking for work again when there was none. */
  readonly pollMs: number;
  /** Reported to the operator when something in the loop itself fails; tasks record their own errors. */
  readonly onError?: (error: unknown) => void;
  /** The maintenance mode, shared with the rest of the process; absent, the worker watches it on its own. */
  readonly maintenance?: MaintenanceWatch;
}

/**
 * How often, at most, a worker looks for tasks whose last allowed attempt was lost with its worker. They
 * have already waited out a whole lease, so a second more is nothing; looking on every poll cost a
 * write transaction each time for what is rare.
 */
const ABANDONED_CHECK_MS = 1000;

/**
 * Claims ready tasks and runs them, up to its concurrency, until stopped. Any number of workers, in one
 * process or many, can share a database: the leases decide who runs what. It also ends tasks whose last
 * attempt's worker vanished (an expired lease with no attempts left), so no run waits forever.
 *
 * It obeys the maintenance mode, read before each look for work: while draining it claims nothing and
 * lets its running tasks finish; while stopping it also stops them and gives them back; on a database a
 * newer Cairn upgraded it stops them and writes nothing more.
 */
export class Worker {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #resources: WorkerResources;
  readonly #options: WorkerOptions;
  readonly #running = new Set<Promise<void>>();
  readonly #maintenance: MaintenanceWatch;
  /** Aborted, with an `Interruption`, to stop the running tasks; replaced once work may resume. */
  #interrupt = new AbortController();
  #stopping = false;
  #loop: Promise<void> | undefined;
  #abandonedCheckedAt = Number.NEGATIVE_INFINITY;

  constructor(resources: WorkerResources, options: WorkerOptions) {
    this.#resources = resources;
    this.#options = options;
    this.#maintenance = options.maintenance ?? new MaintenanceWatch(resources.db, resources.dialect);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops claiming, and waits for the tasks already running to end. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#loop;
    await Promise.all(this.#running);
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      let claimedAny = false;
      try {
        const free = this.#options.concurrency - this.#running.size;
        if ((await this.#mayWork()) && free > 0) {
          const claimed = await claimTasks(this.#resources.db, this.#resources.dialect, {
            owner: this.owner,
            limit: free,
            leaseMs: this.#resources.leaseMs,
          });
          claimedAny = claimed.length > 0;
          for (const task of claimed) {
            const running = runClaimedTask(this.#resources, task, this.#interrupt.signal).catch(
              (error: unknown) => this.#report(error),
            );
            this.#running.add(running);
            void running.finally(() => this.#running.delete(running));
          }
        }
      } catch (error) {
        this.#report(error);
      }
      if (!claimedAny || this.#running.size >= this.#options.concurrency) {
        await Promise.race([sleep(this.#options.pollMs), ...this.#running]);
      }
    }
  }

  /**
   * Whether to look for work now. Out of service, it stops the running tasks when the mode says to; they
   * were all claimed while serving, so all of them listen to the same signal.
   */
  async #mayWork(): Promise<boolean> {
    const maintenance = await this.#maintenance.current();
    if (maintenance.mode === 'serving') {
      if (this.#interrupt.signal.aborted) this.#interrupt = new AbortController();
      await this.#endAbandonedTasks();
      return true;
    }
    if (!maintenance.writable) this.#interrupt.abort('abandon' satisfies Interruption);
    else if (maintenance.mode === 'stopping') this.#interrupt.abort('yield' satisfies Interruption);
    return false;
  }

  async #endAbandonedTasks(): Promise<void> {
    const { db, dialect, leaseMs } = this.#resources;
    const now = performance.now();
    if (now - this.#abandonedCheckedAt < Math.min(leaseMs, ABANDONED_CHECK_MS)) return;
    this.#abandonedCheckedAt = now;
    const abandoned = await claimExhaustedLeases(db, dialect, { owner: this.owner, limit: 10, leaseMs });
    for (const task of abandoned) {
      await completeTask(
        db,
        dialect,
        {
          taskId: task.id,
          token: task.lease_token,
          state: TASK_STATE.FAILED,
          error: `its worker was lost ${task.lost_attempts} times while running it; the task keeps taking its worker down, or the machine keeps failing`,
        },
        async (trx, { now }) => {
          const row = await taskById(trx, task.id);
          if (row) await propagate(await schedulerContext(trx, dialect, task.run_id, now), row);
        },
      );
    }
  }

  #report(error: unknown): void {
    if (this.#options.onError) this.#options.onError(error);
    else process.stderr.write(`cairn worker: ${errorMessage(error)}\n`);
  }
}
