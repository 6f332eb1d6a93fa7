/**
 * A `cairn worker` (or `cairn up`, which embeds one) started as a real process (node
 * packages/server/bin/cairn.js worker ...), as an operator starts one, with its output kept for the
 * test's diagnostics.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const CAIRN = fileURLToPath(new URL('../../../bin/cairn.js', import.meta.url));

export interface WorkerSettings {
  readonly db: string;
  readonly artifacts: string;
  readonly home: string;
  /** Its lease owner: `--name`. */
  readonly name: string;
  readonly args?: readonly string[];
  /** `worker` unless said otherwise. */
  readonly command?: 'worker' | 'up';
}

export class WorkerProcess {
  readonly name: string;
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Every line it printed, stdout and stderr, in order. */
  readonly lines: string[] = [];
  /** Resolves with the exit code, or the name of the signal that ended it. */
  readonly exited: Promise<number | string>;
  readonly #waiters = new Set<{ pattern: RegExp; resolve: () => void }>();

  constructor(settings: WorkerSettings) {
    this.name = settings.name;
    this.child = spawn(
      process.execPath,
      [
        CAIRN,
        settings.command ?? 'worker',
        '--db',
        settings.db,
        '--artifacts',
        settings.artifacts,
        '--home',
        settings.home,
        '--name',
        settings.name,
        ...(settings.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [this.child.stdout, this.child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        this.lines.push(line);
        for (const waiter of this.#waiters) {
          if (waiter.pattern.test(line)) {
            this.#waiters.delete(waiter);
            waiter.resolve();
          }
        }
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    });
  }

  /** Resolves once it prints a line matching `pattern` (from now on); rejects if it exits or time runs out. */
  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<void> {
    let waiter: { pattern: RegExp; resolve: () => void } | undefined;
    const seen = new Promise<void>((resolve) => {
      waiter = { pattern, resolve };
      this.#waiters.add(waiter);
    });
    const timeout = new AbortController();
    try {
      await Promise.race([
        seen,
        this.exited.then((how) => {
          throw new Error(`worker ${this.name} exited (${how}) before printing ${pattern}\n${this.tail()}`);
        }),
        sleep(timeoutMs, undefined, { signal: timeout.signal }).then(() => {
          throw new Error(`worker ${this.name} printed no ${pattern} within ${timeoutMs} ms\n${this.tail()}`);
        }),
      ]);
    } finally {
      timeout.abort();
      if (waiter) this.#waiters.delete(waiter);
    }
  }

  /** Sends `signal` and waits for the process to end. */
  async kill(signal: NodeJS.Signals): Promise<number | string> {
    this.child.kill(signal);
    return this.exited;
  }

  /** Its last lines, for a failure's message. */
  tail(count = 40): string {
    return [`--- last lines of worker ${this.name}:`, ...this.lines.slice(-count)].join('\n');
  }
}
