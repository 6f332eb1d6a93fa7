import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { TaskWatchdog } from './watchdog/task-watchdog.ts';

/** How the group's leader ended. */
export interface ProcessExit {
  readonly exitCode?: number;
  readonly signal?: NodeJS.Signals;
}

/**
 * After the leader has exited, its output pipes may still be held by a process that left the group
 * (`setsid`); the pipes are closed by force after this long.
 */
const PIPE_GRACE_MS = 2000;

/**
 * A process started in its own process group (and session), so that it and everything it starts can be
 * signalled at once, as a container runtime signals a container.
 *
 * When the leader exits, the rest of the group is killed, as the container's processes die with its main
 * process. Processes that start their own session (daemons) escape the group; only a cgroup could catch
 * those, and the local executor does not use cgroups.
 *
 * The group dies with this process too, however this process dies: a `TaskWatchdog` guards it from its
 * spawn until its end (and, on Linux, also kills the processes that left the group, by the watchdog's
 * marker in their environment).
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
  /** Resolves once the leader has exited, the rest of the group is killed and the output pipes are closed. */
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
    },
  ): Promise<ProcessGroup> {
    const watchdog = options.watchdog ?? TaskWatchdog.forThisProcess();
    await watchdog.ready();
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...options.env, [watchdog.marker.name]: watchdog.marker.value },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // In the same turn as the spawn: there is no moment at which this process could die and leave the
    // group unguarded, but the spawn itself, and the marker in the group's environment covers that.
    if (child.pid !== undefined) watchdog.guard(child.pid);
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } catch (error) {
      if (child.pid !== undefined) watchdog.release(child.pid);
      throw error;
    }
    return new ProcessGroup(child, watchdog);
  }

  private constructor(child: ChildProcessByStdio<null, Readable, Readable>, watchdog: TaskWatchdog) {
    if (child.pid === undefined) throw new Error('a spawned process has no pid');
    this.pid = child.pid;
    this.stdout = child.stdout;
    this.stderr = child.stderr;
    // Signalling is done through process.kill; the child's own errors after the start carry nothing more.
    child.on('error', () => {});
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        clearTimeout(this.#killTimer);
        this.#signal('SIGKILL');
        watchdog.release(this.pid);
        const forceClose = setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
        }, PIPE_GRACE_MS);
        child.once('close', () => {
          clearTimeout(forceClose);
          resolve(signal === null ? { exitCode: code ?? 0 } : { signal });
        });
      });
    });
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
