import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { Readable, type Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { typeScriptFlags } from '../typescript-flags.ts';
import {
  type FlowRequest,
  FrameReader,
  OUTPUT,
  type OutputKind,
  type SpawnerEvent,
  type SpawnRequest,
} from './spawner-protocol.ts';

const SPAWNER_SCRIPT = fileURLToPath(new URL('./spawner-main.ts', import.meta.url));

type SpawnerChild = ChildProcessByStdio<Writable, Readable, null>;

/** How a process's leader ended. */
export interface ProcessExit {
  readonly exitCode?: number;
  readonly signal?: NodeJS.Signals;
}

/** A process the spawner started, in a process group (and session) of its own. */
export interface SpawnedProcess {
  /** The leader's pid, which is also the group's id. */
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves when the leader has exited and the rest of its group is killed. */
  readonly exit: Promise<ProcessExit>;
  /**
   * Resolves once the output is all read and both streams have ended; rejects when the spawner died
   * first (the group is killed then, since its end could no longer be seen).
   */
  readonly closed: Promise<void>;
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  const { promise, resolve, reject } = Promise.withResolvers<T>();
  // Settled for whoever awaits it later; a rejection nobody awaits is not an error of the process.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** One output of a process: the stream its reader gets, and how the spawner's bytes go into it. */
interface Output {
  readonly stream: Readable;
  push(bytes: Buffer): void;
}

/** A process from its request on: waiting for its start, then running. */
interface Tracked {
  readonly started: Deferred<SpawnedProcess>;
  readonly exit: Deferred<ProcessExit>;
  readonly closed: Deferred<void>;
  readonly outputs: Map<OutputKind, Output>;
  pid?: number;
}

/**
 * Starts the task processes of this process from a small helper process, the spawner (see
 * `spawner-main.ts`). Starting a process forks the process that starts it, and the fork copies its memory
 * map: from a worker of a few hundred megabytes that took milliseconds, on the worker's one thread, for
 * every task. The spawner is a bare Node process that does it on its own thread, and forwards the
 * processes' output and ends.
 *
 * The spawner is started on first use, shared by every task of this process, and started again if it
 * died; the processes it was running then are killed, and their ends reported as errors. It does not
 * keep this process alive while no process runs.
 *
 * @example
 * const spawned = await ProcessSpawner.forThisProcess().spawn('sh', ['-c', 'echo hi'], { cwd, env });
 * spawned.stdout.pipe(process.stdout);
 * const { exitCode, signal } = await spawned.exit;
 */
export class ProcessSpawner {
  static #shared: ProcessSpawner | undefined;

  readonly #tracked = new Map<number, Tracked>();
  #child: SpawnerChild | undefined;
  #nextId = 1;

  /** The spawner of this process. */
  static forThisProcess(): ProcessSpawner {
    ProcessSpawner.#shared ??= new ProcessSpawner();
    return ProcessSpawner.#shared;
  }

  /**
   * Starts `file` (looked up in `env.PATH`) with `args` in a process group of its own; rejects with the
   * start's error (its `code`, such as ENOENT, included) when it cannot be started.
   */
  spawn(
    file: string,
    args: readonly string[],
    options: { readonly cwd: string; readonly env: Readonly<Record<string, string>> },
  ): Promise<SpawnedProcess> {
    const id = this.#nextId++;
    const tracked: Tracked = {
      started: deferred(),
      exit: deferred(),
      closed: deferred(),
      outputs: new Map(),
    };
    for (const kind of [OUTPUT.stdout, OUTPUT.stderr]) tracked.outputs.set(kind, this.#output(id, kind));
    this.#tracked.set(id, tracked);
    this.#keepAlive();
    const request: SpawnRequest = { op: 'spawn', id, file, args, cwd: options.cwd, env: options.env };
    this.#start().stdin.write(`${JSON.stringify(request)}\n`);
    return tracked.started.promise;
  }

  /**
   * A process's output. While its reader is behind (the stream's buffer is full), the spawner is asked to
   * stop reading it, so the process waits instead of this process buffering without bound.
   */
  #output(id: number, kind: OutputKind): Output {
    let paused = false;
    const stream = new Readable({
      read: () => {
        if (!paused) return;
        paused = false;
        this.#flow({ op: 'resume', id, stream: kind });
      },
    });
    return {
      stream,
      push: (bytes) => {
        if (stream.push(bytes) || paused) return;
        paused = true;
        this.#flow({ op: 'pause', id, stream: kind });
      },
    };
  }

  /** Only to the spawner that runs the process: a new one would know nothing of it. */
  #flow(request: FlowRequest): void {
    this.#child?.stdin.write(`${JSON.stringify(request)}\n`);
  }

  #start(): SpawnerChild {
    if (this.#child !== undefined) return this.#child;
    const child = spawn(process.execPath, [...typeScriptFlags(), SPAWNER_SCRIPT], {
      // Its own session: a Ctrl-C meant for the worker, or a signal to the worker's group, leaves it be.
      detached: true,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.#child = child;
    // A spawner that died is noticed when it closes; a write to it must not crash the worker meanwhile.
    child.stdin.on('error', () => {});
    child.on('error', () => {});
    const frames = new FrameReader({
      event: (id, event) => this.#event(id, event),
      output: (id, kind, bytes) => this.#tracked.get(id)?.outputs.get(kind)?.push(bytes),
    });
    child.stdout.on('data', (chunk: Buffer) => frames.push(chunk));
    // On close, not exit: what it sent before it died is read first.
    child.once('close', (code, signal) => this.#lost(child, signal ?? `code ${code}`));
    child.unref();
    (child.stdin as Writable as Socket).unref();
    this.#keepAlive();
    return child;
  }

  #event(id: number, event: SpawnerEvent): void {
    const tracked = this.#tracked.get(id);
    if (tracked === undefined) return;
    if ('spawned' in event) {
      tracked.pid = event.spawned;
      tracked.started.resolve({
        pid: event.spawned,
        stdout: (tracked.outputs.get(OUTPUT.stdout) as Output).stream,
        stderr: (tracked.outputs.get(OUTPUT.stderr) as Output).stream,
        exit: tracked.exit.promise,
        closed: tracked.closed.promise,
      });
    } else if ('failed' in event) {
      this.#forget(id);
      tracked.started.reject(Object.assign(new Error(event.failed.message), { code: event.failed.code }));
    } else if ('exited' in event) {
      const { code, signal } = event.exited;
      tracked.exit.resolve(signal === null ? { exitCode: code ?? 0 } : { signal });
    } else {
      this.#forget(id);
      for (const { stream } of tracked.outputs.values()) stream.push(null);
      tracked.closed.resolve();
    }
  }

  /** The spawner died: whatever it ran can no longer be followed, so it is killed and reported as lost. */
  #lost(child: SpawnerChild, how: string): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    const error = new Error(`the process spawner of this worker exited (${how})`);
    for (const [id, tracked] of this.#tracked) {
      this.#forget(id);
      if (tracked.pid !== undefined && tracked.pid > 1) {
        try {
          process.kill(-tracked.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      tracked.started.reject(error);
      tracked.exit.reject(error);
      tracked.closed.reject(error);
      for (const { stream } of tracked.outputs.values()) stream.destroy();
    }
  }

  #forget(id: number): void {
    this.#tracked.delete(id);
    this.#keepAlive();
  }

  /** While a process runs, this process waits for its end; otherwise the spawner must not keep it alive. */
  #keepAlive(): void {
    const stdout = this.#child?.stdout as Readable as Socket | undefined;
    if (this.#tracked.size > 0) stdout?.ref();
    else stdout?.unref();
  }
}
