import type { Readable } from 'node:stream';
import { type ProcessExit, ProcessSpawner, type SpawnedProcess } from './spawner/process-spawner.ts';
import { TaskWatchdog } from './watchdog/task-watchdog.ts';

export type { ProcessExit };

/**
 * A process started in its own process group (and session), so that it and everything it starts can be
 * signalled at once, as a container runtime signals a container.
 *
 * When the leader exits, the rest of the group is killed, as the container's processes die with its main
 * process. Processes that start their own session (daemons) escape the group; only a cgroup could catch
 * those, and the local executor does not use cgroups.
 *
 * The process is started by this process's `ProcessSpawner`, a small helper process, so that starting it
 * does not cost this process a fork of its own memory. The group dies with this process too, however this
 * process dies: a `TaskWatchdog` guards it from its start until its end (and, on Linux, also kills the
 * processes that left the group, by the watchdog's marker in their environment).
 *
 * @example
 * const group = await ProcessGroup.start('sh', ['-c', 'sleep 60 & wait'], { cwd, env });
 * group.terminate(10_000); // SIGTERM to the group, SIGKILL 10 s later if it is still there
 * const { exitCode, signal } = await group.exited;
 */
export class ProcessGroup {
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /**
   * Resolves once the leader has exited, the rest of the group is killed and the output pipes are closed;
   * rejects if the process spawner died before (the group is killed then).
   */
  readonly exited: Promise<ProcessExit>;
  #killTimer: NodeJS.Timeout | undefined;
  #terminating = false;

  /** Starts `file` (looked up in `env.PATH`); rejects when it cannot be started. */
  static async start(
    file: string,
    args: readonly string[],
    options: {
      readonly cwd: string;
      readonly env: Readonly<Record<string, string>>;
      /** Default: the watchdog of this process. */
      readonly watchdog?: TaskWatchdog;
      /** Default: the spawner of this process. */
      readonly spawner?: ProcessSpawner;
    },
  ): Promise<ProcessGroup> {
    const watchdog = options.watchdog ?? TaskWatchdog.forThisProcess();
    await watchdog.ready();
    const spawner = options.spawner ?? ProcessSpawner.forThisProcess();
    const spawned = await spawner.spawn(file, args, {
      cwd: options.cwd,
      env: { ...options.env, [watchdog.marker.name]: watchdog.marker.value },
    });
    // Guarded as soon as this process learns of it. Should this process die before that, the group is
    // found by the marker in its environment.
    watchdog.guard(spawned.pid);
    return new ProcessGroup(spawned, watchdog);
  }

  private constructor(spawned: SpawnedProcess, watchdog: TaskWatchdog) {
    this.pid = spawned.pid;
    this.stdout = spawned.stdout;
    this.stderr = spawned.stderr;
    const ended = spawned.exit.finally(() => {
      clearTimeout(this.#killTimer);
      watchdog.release(this.pid);
    });
    this.exited = Promise.all([ended, spawned.closed]).then(([exit]) => exit);
  }

  /** Sends SIGTERM to the whole group and, if its leader is still running `graceMs` later, SIGKILL. */
  terminate(graceMs: number): void {
    if (this.#terminating) return;
    this.#terminating = true;
    this.#signal('SIGTERM');
    this.#killTimer = setTimeout(() => this.#signal('SIGKILL'), graceMs);
  }

  #signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: the group is already gone. (EPERM cannot happen for a group this process started.)
    }
  }
}
