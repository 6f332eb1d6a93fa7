import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';

export interface JsonLineChild {
  child: ChildProcess;
  /** Every JSON line printed so far. */
  lines: Record<string, unknown>[];
  /** Resolves with the first line that satisfies `predicate` (rejects if the process exits first). */
  waitFor(predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves with the exit code, or the signal's name. */
  exited: Promise<number | string>;
}

/** Starts a TypeScript script under the same Node as the tests, reading its stdout as JSON lines. */
export function spawnJsonLines(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): JsonLineChild {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    predicate: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.predicate(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    child,
    lines,
    exited,
    waitFor: (predicate) =>
      new Promise((resolve, reject) => {
        const seen = lines.find(predicate);
        if (seen) return resolve(seen);
        waiters.push({ predicate, resolve });
        exited.then(
          (code) => reject(new Error(`child exited (${code}) before the expected line; stderr:\n${stderr}`)),
          reject,
        );
      }),
  };
}
