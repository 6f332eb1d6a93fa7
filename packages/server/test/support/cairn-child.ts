/** `cairn` run as a child process, as an operator runs it, so that a test can SIGKILL it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CAIRN = fileURLToPath(new URL('../../bin/cairn.js', import.meta.url));

export interface CairnChild {
  readonly child: ChildProcess;
  /** Resolves with the exit code, or the signal's name. */
  readonly exited: Promise<number | string>;
  output(): { out: string; err: string };
  /** Resolves once stdout has a line matching `pattern`; rejects if the process ends first. */
  waitForLine(pattern: RegExp): Promise<void>;
  /** Kills it with SIGKILL and waits for it to be gone. */
  kill(): Promise<number | string>;
}

export function spawnCairn(argv: string[], cwd: string, env: Record<string, string> = {}): CairnChild {
  const child = spawn(process.execPath, [CAIRN, ...argv], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    exited,
    output: () => ({ out, err }),
    waitForLine: (pattern) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) resolve();
        };
        listeners.push(check);
        check();
        void exited.then((code) => reject(new Error(`cairn exited ${code} first:\n${out}\n${err}`)));
      }),
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}
