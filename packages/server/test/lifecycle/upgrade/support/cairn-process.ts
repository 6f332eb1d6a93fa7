/**
 * `cairn ARGS` as an operator runs it, a child process of its own (node packages/server/bin/cairn.js),
 * standard input not a terminal, with every line it prints kept and waitable.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const CAIRN = fileURLToPath(new URL('../../../../bin/cairn.js', import.meta.url));
const PAUSE_AT_STATEMENT = fileURLToPath(new URL('./pause-at-statement.ts', import.meta.url));

/** Longer than any one command of these tests takes: a hung command fails its test instead of stalling it. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** Stops the process before the nth SQLite statement whose SQL matches (see pause-at-statement.ts). */
export interface StatementPause {
  readonly sql: RegExp;
  readonly nth?: number;
  /** Goes on once this file exists; without it, the pause lasts until the process is killed. */
  readonly until?: string;
}

export interface CairnOptions {
  readonly pauses?: readonly StatementPause[];
}

export class CairnProcess {
  readonly argv: readonly string[];
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly out: string[] = [];
  readonly err: string[] = [];
  /** The exit code, or the name of the signal that ended it. */
  readonly exited: Promise<number | string>;
  readonly #waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();

  constructor(argv: readonly string[], options: CairnOptions = {}) {
    this.argv = argv;
    const pauses = options.pauses ?? [];
    this.child = spawn(
      process.execPath,
      [...(pauses.length > 0 ? ['--import', PAUSE_AT_STATEMENT] : []), CAIRN, ...argv],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          CAIRN_TEST_PAUSES: JSON.stringify(pauses.map((pause) => ({ ...pause, sql: pause.sql.source }))),
        },
      },
    );
    for (const [stream, lines] of [
      [this.child.stdout, this.out],
      [this.child.stderr, this.err],
    ] as const) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        for (const waiter of this.#waiters) {
          if (waiter.pattern.test(line)) {
            this.#waiters.delete(waiter);
            waiter.resolve(line);
          }
        }
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    });
  }

  /** The first line, on either stream, matching `pattern`; fails if the process ends first or time runs out. */
  async waitForLine(pattern: RegExp, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const seen = [...this.out, ...this.err].find((line) => pattern.test(line));
    if (seen !== undefined) return seen;
    let waiter: { pattern: RegExp; resolve: (line: string) => void } | undefined;
    const found = new Promise<string>((resolve) => {
      waiter = { pattern, resolve };
      this.#waiters.add(waiter);
    });
    const timeout = new AbortController();
    try {
      return await Promise.race([
        found,
        this.exited.then((how) => {
          throw new Error(`${this.describe(how)}\nit ended before printing ${pattern}`);
        }),
        sleep(timeoutMs, undefined, { signal: timeout.signal }).then(() => {
          throw new Error(`${this.describe('still running')}\nit printed no ${pattern} in ${timeoutMs} ms`);
        }),
      ]);
    } finally {
      timeout.abort();
      if (waiter) this.#waiters.delete(waiter);
    }
  }

  /** Its exit, failing the test if it takes longer than `timeoutMs`. */
  async finished(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<number | string> {
    const timeout = new AbortController();
    try {
      return await Promise.race([
        this.exited,
        sleep(timeoutMs, undefined, { signal: timeout.signal }).then(() => {
          this.child.kill('SIGKILL');
          throw new Error(`${this.describe('still running')}\nit did not end in ${timeoutMs} ms`);
        }),
      ]);
    } finally {
      timeout.abort();
    }
  }

  async kill(): Promise<number | string> {
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** The command and all it printed, for a failure's message. */
  describe(how: number | string): string {
    return [
      `cairn ${this.argv.join(' ')}: ${how}`,
      '--- stdout:',
      ...this.out,
      '--- stderr:',
      ...this.err,
    ].join('\n');
  }
}
