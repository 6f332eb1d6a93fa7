/**
 * The `cairn` CLI run as a user runs it: `node packages/server/bin/cairn.js ARGS --server URL` as a
 * child process, in a directory of the user's, with its exit code and both output streams kept.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CAIRN = fileURLToPath(new URL('../../../bin/cairn.js', import.meta.url));
const NODE_BIN = fileURLToPath(new URL('../../../../../node_modules/.bin', import.meta.url));

/** Longer than any one command of a test should take; a hung command fails the test instead of stalling it. */
const COMMAND_TIMEOUT_MS = 60_000;

export interface CliProcessResult {
  /** The exit code, or the signal that ended it. */
  code: number | string;
  out: string;
  err: string;
}

export type CairnCommand = (...argv: string[]) => Promise<CliProcessResult>;

/** A `cairn` that talks to `server` and runs in `cwd`, so relative file arguments are the user's files. */
export function cairnCommand(server: string, cwd: string): CairnCommand {
  return (...argv) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CAIRN, ...argv, '--server', server], {
        cwd,
        // The project's Node first on PATH, as `npm run cairn` has it.
        env: { ...process.env, PATH: `${NODE_BIN}${path.delimiter}${process.env.PATH ?? ''}` },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: COMMAND_TIMEOUT_MS,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.once('error', reject);
      child.once('close', (code, signal) =>
        resolve({
          code: code ?? signal ?? 'unknown',
          out: Buffer.concat(out).toString('utf8'),
          err: Buffer.concat(err).toString('utf8'),
        }),
      );
    });
}

/** A command's outcome as a failure message shows it. */
export function describeResult(argv: readonly string[], result: CliProcessResult): string {
  return `cairn ${argv.join(' ')} exited ${result.code}\n--- stdout:\n${result.out}--- stderr:\n${result.err}`;
}
