import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { typeScriptFlags } from '../typescript-flags.ts';
import { WATCHDOG_MARKER_ENV } from './marked-processes.ts';

const WATCHDOG_SCRIPT = fileURLToPath(new URL('./watchdog-main.ts', import.meta.url));

type WatchdogChild = ChildProcessByStdio<Writable, Readable, null>;

/** Resolves when the watchdog prints `ready`; rejects if it exits or cannot be started first. */
function saysReady(child: WatchdogChild): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let said = '';
    const settle = (error?: Error) => {
      child.off('error', onError);
      child.off('exit', onExit);
      child.stdout.off('data', onData);
      // Whatever it prints later is read and dropped, so it can never block on a full pipe.
      child.stdout.resume();
      if (error) reject(new Error(`the task watchdog could not start: ${error.message}`));
      else resolve();
    };
    const onError = (error: Error) => settle(error);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      settle(new Error(`it exited (${signal ?? `code ${code}`})`));
    const onData = (chunk: string) => {
      said += chunk;
      if (said.includes('ready\n')) settle();
    };
    child.once('error', onError);
    child.once('exit', onExit);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
  });
}

/**
 * Makes the processes of the tasks this process starts die with it, as a pod's processes die with the
 * pod: without it, a worker killed with SIGKILL would leave its tasks running (each in a process group of
 * its own), and they would run on beside the new attempts started when their leases expire.
 *
 * One small Node process, started on first use and shared by every task of this process, watches this
 * process and kills what it guards the moment it is gone (see `watchdog-main.ts`); no native code is
 * needed. It is told each task's process group as soon as the task is spawned, and every task is also
 * started with a marker in its environment (`CAIRN_TASK_WATCHDOG`), by which the watchdog finds, on
 * Linux, the task's processes that left its group, and a task whose group it had not been told of yet.
 * If the watchdog itself is killed, it is started again and told the groups still running.
 *
 * @example
 * const watchdog = TaskWatchdog.forThisProcess();
 * await watchdog.ready();
 * const child = spawn(file, args, {
 *   detached: true,
 *   env: { ...taskEnv, [watchdog.marker.name]: watchdog.marker.value },
 * });
 * const pgid = child.pid ?? 0;
 * watchdog.guard(pgid);
 * // ... once the leader has exited and the rest of its group is killed:
 * watchdog.release(pgid);
 */
export class TaskWatchdog {
  static #shared: TaskWatchdog | undefined;

  /** The environment variable that names this watchdog in every task it guards. */
  readonly marker = { name: WATCHDOG_MARKER_ENV, value: randomUUID() } as const;
  readonly #groups = new Set<number>();
  #child: WatchdogChild | undefined;
  #ready: Promise<void> | undefined;

  /** The watchdog of this process (the process whose death must end the tasks). */
  static forThisProcess(): TaskWatchdog {
    TaskWatchdog.#shared ??= new TaskWatchdog();
    return TaskWatchdog.#shared;
  }

  /** Resolves once the watchdog process is watching, starting it if needed; rejects if it cannot start. */
  ready(): Promise<void> {
    this.#ready ??= this.#start().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /** Has the watchdog kill process group `pgid` if this process dies before `release(pgid)`. */
  guard(pgid: number): void {
    this.#groups.add(pgid);
    this.#send(`+${pgid}`);
  }

  /** The group has ended (its leader exited and the rest was killed): nothing to kill any more. */
  release(pgid: number): void {
    if (this.#groups.delete(pgid)) this.#send(`-${pgid}`);
  }

  /**
   * SIGKILLs every guarded group now, for a worker that exits at once and leaves the tasks' leases to
   * expire. Returns how many groups there were.
   */
  killAll(): number {
    const count = this.#groups.size;
    for (const pgid of this.#groups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    return count;
  }

  #send(line: string): void {
    // Without a watchdog process the line is not lost: a new one is told every guarded group.
    this.#child?.stdin.write(`${line}\n`);
  }

  async #start(): Promise<void> {
    const env = { ...process.env };
    // A worker that is itself a task keeps its parent's marker; its watchdog must not, or the parent's
    // watchdog would kill it along with this worker, before it could kill this worker's tasks.
    delete env[WATCHDOG_MARKER_ENV];
    const child = spawn(
      process.execPath,
      [...typeScriptFlags(), WATCHDOG_SCRIPT, String(process.pid), this.marker.value],
      // Its own session: a Ctrl-C meant for the worker, or a signal to the worker's group, leaves it be.
      { detached: true, env, stdio: ['pipe', 'pipe', 'ignore'] },
    );
    this.#child = child;
    // A watchdog that died is noticed by its exit; a write to it must not crash the worker meanwhile.
    child.stdin.on('error', () => {});
    child.on('error', () => {});
    for (const pgid of this.#groups) this.#send(`+${pgid}`);
    try {
      await saysReady(child);
    } catch (error) {
      this.#child = undefined;
      child.kill('SIGKILL');
      throw error;
    }
    child.once('exit', () => {
      if (this.#child !== child) return;
      this.#child = undefined;
      this.#ready = undefined;
      if (this.#groups.size > 0) {
        this.ready().catch(() => {
          // The next task's start tries again, and fails if the watchdog still cannot start.
        });
      }
    });
    // It watches this process; it must not keep this process alive.
    child.unref();
    (child.stdin as Writable as Socket).unref();
    (child.stdout as Readable as Socket).unref();
  }
}
