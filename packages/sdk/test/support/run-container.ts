import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const NODE_BIN = fileURLToPath(new URL('../../../../node_modules/.bin', import.meta.url));

export interface ContainerRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a container's command and args as a container runtime would, with `{{$}}` resolved to the
 * ExecutorInput and the project's Node 24 first on PATH. `scratch` becomes TMPDIR, where the launcher's
 * `mktemp` puts the program, so the caller's clean-up removes it too.
 */
export async function runContainer(
  container: { readonly command?: readonly string[]; readonly args?: readonly string[] },
  executorInput: unknown,
  scratch: string,
): Promise<ContainerRun> {
  const json = typeof executorInput === 'string' ? executorInput : JSON.stringify(executorInput);
  const [program, ...commandArgs] = container.command ?? [];
  assert.ok(program !== undefined, 'the container has no command');
  const args = (container.args ?? []).map((arg) => (arg === '{{$}}' ? json : arg));
  const child = spawn(program, [...commandArgs, ...args], {
    env: { ...process.env, PATH: `${NODE_BIN}:${process.env.PATH ?? ''}`, TMPDIR: scratch },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A task that does not end fails its test instead of hanging the suite.
    timeout: 30_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}
