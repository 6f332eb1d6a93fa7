// The process spawner: task processes started from a small helper process, their output and ends
// forwarded to the worker. Real processes; the group and death checks read /proc (Linux).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import type { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessSpawner } from '../../../src/engine/executor/local/spawner/process-spawner.ts';

const options = { cwd: os.tmpdir(), env: { PATH: process.env.PATH ?? '' } };

async function text(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/** Whether a process is gone: no such pid, or a zombie nobody reaped (as in a container without init). */
async function isGone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const status = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return status === '' || / Z /.test(status);
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** The spawner processes this process started. */
async function spawnerPids(): Promise<number[]> {
  const found: number[] = [];
  for (const name of (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry))) {
    const status = await readFile(`/proc/${name}/status`, 'utf8').catch(() => '');
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (status.includes(`\nPPid:\t${process.pid}\n`) && cmdline.includes('spawner-main.ts')) {
      if (!(await isGone(Number(name)))) found.push(Number(name));
    }
  }
  return found;
}

describe('process spawner', { skip: existsSync('/proc/self/stat') ? undefined : 'needs /proc' }, () => {
  test('forwards both outputs, then the exit code', async () => {
    const spawner = new ProcessSpawner();
    const spawned = await spawner.spawn('sh', ['-c', 'printf out; printf err >&2; exit 3'], options);
    const [out, err] = await Promise.all([text(spawned.stdout), text(spawned.stderr)]);
    assert.deepEqual([out, err], ['out', 'err']);
    assert.deepEqual(await spawned.exit, { exitCode: 3 });
    await spawned.closed;
  });

  test('reports the signal that ended the leader', async () => {
    const spawner = new ProcessSpawner();
    const spawned = await spawner.spawn('sh', ['-c', 'kill -TERM $$'], options);
    spawned.stdout.resume();
    spawned.stderr.resume();
    assert.deepEqual(await spawned.exit, { signal: 'SIGTERM' });
  });

  test('a command that cannot start is refused with the error of its start', async () => {
    const spawner = new ProcessSpawner();
    await assert.rejects(spawner.spawn('no-such-program-cairn', [], options), (error: Error) => {
      assert.equal((error as NodeJS.ErrnoException).code, 'ENOENT');
      assert.match(error.message, /no-such-program-cairn/);
      return true;
    });
  });

  test('the rest of the group is killed when the leader exits', async () => {
    const spawner = new ProcessSpawner();
    const spawned = await spawner.spawn('sh', ['-c', 'sleep 30 & echo $!'], options);
    const [out] = await Promise.all([text(spawned.stdout), text(spawned.stderr)]);
    await spawned.closed;
    const child = Number(out.trim());
    assert.ok(child > 1, out);
    await waitUntil('the leader’s child is gone', () => isGone(child));
  });

  test('a reader that falls behind holds the process up instead of the output piling up here', async () => {
    const spawner = new ProcessSpawner();
    const bytes = 16 * 1024 * 1024;
    const spawned = await spawner.spawn('head', ['-c', String(bytes), '/dev/zero'], options);
    spawned.stderr.resume();
    let exited = false;
    void spawned.exit.then(() => {
      exited = true;
    });
    await sleep(500);
    assert.equal(exited, false, 'the process waits for its reader');
    assert.ok(
      spawned.stdout.readableLength < 2 * 1024 * 1024,
      `${spawned.stdout.readableLength} bytes buffered`,
    );
    let read = 0;
    for await (const part of spawned.stdout) read += (part as Buffer).byteLength;
    assert.equal(read, bytes);
    assert.deepEqual(await spawned.exit, { exitCode: 0 });
  });

  test('a spawner that dies takes its processes with it, and the next start starts it again', async () => {
    const spawner = new ProcessSpawner();
    const before = await spawnerPids();
    const spawned = await spawner.spawn('sleep', ['30'], options);
    const [helper] = (await spawnerPids()).filter((pid) => !before.includes(pid));
    assert.ok(helper, 'the spawner runs as a child of this process');
    process.kill(helper, 'SIGKILL');
    await assert.rejects(spawned.exit, /the process spawner of this worker exited \(SIGKILL\)/);
    await assert.rejects(spawned.closed, /the process spawner of this worker exited/);
    await waitUntil('its process is gone', () => isGone(spawned.pid));
    const again = await spawner.spawn('sh', ['-c', 'echo again'], options);
    assert.equal(await text(again.stdout), 'again\n');
    assert.deepEqual(await again.exit, { exitCode: 0 });
  });
});
