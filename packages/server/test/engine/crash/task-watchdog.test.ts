// Tasks do not outlive their worker: a worker SIGKILLed in the middle of a task takes the task's
// processes with it (the task's group, and even a process that left the group), as a pod's processes die
// with the pod. Real processes, killed for real; Linux only (it reads /proc).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { spawnJsonLines } from '../../support/child-process.ts';

const CHILD = fileURLToPath(new URL('./fixtures/task-in-child.ts', import.meta.url));
/** A task with a background child in its group and one that left the group; it writes both pids to $0. */
const TASK = 'sleep 300 & echo $! >> "$0"; setsid sleep 300 & echo $! >> "$0"; wait';

interface ProcessInfo {
  pid: number;
  state: string;
  pgrp: number;
}

async function processInfo(pid: number): Promise<ProcessInfo | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // The command name is in parentheses and may hold spaces: the fields that follow come after the last ')'.
  const [state = '', , pgrp = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return stat === '' ? undefined : { pid, state, pgrp: Number(pgrp) };
}

/** Running processes: zombies count as gone, since nobody may reap them (as in a container without init). */
async function liveProcesses(): Promise<ProcessInfo[]> {
  const names = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const infos = await Promise.all(names.map((name) => processInfo(Number(name))));
  return infos.filter((info): info is ProcessInfo => info !== undefined && info.state !== 'Z');
}

async function groupMembers(pgid: number): Promise<number[]> {
  return (await liveProcesses()).filter((info) => info.pgrp === pgid).map((info) => info.pid);
}

async function isLive(pid: number): Promise<boolean> {
  const info = await processInfo(pid);
  return info !== undefined && info.state !== 'Z';
}

/** The watchdog processes guarding the tasks of process `workerPid`. */
async function watchdogsOf(workerPid: number): Promise<number[]> {
  const found: number[] = [];
  for (const { pid } of await liveProcesses()) {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args.some((arg) => arg.endsWith('watchdog-main.ts')) && args.includes(String(workerPid))) {
      found.push(pid);
    }
  }
  return found;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

describe('tasks die with their worker', {
  skip: existsSync('/proc/self/stat') ? undefined : 'needs /proc',
}, () => {
  let scratch: string;
  const leftovers: number[] = [];

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'cairn-watchdog-'));
  });
  after(async () => {
    for (const pid of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone, as it should be.
      }
    }
    await rm(scratch, { recursive: true, force: true });
  });

  /** Starts a worker running TASK; resolves with the worker, the task's pid (its group) and its children. */
  async function workerWithTask(name: string) {
    const dir = path.join(scratch, name);
    const worker = spawnJsonLines(CHILD, [dir, TASK]);
    const started = Number((await worker.waitFor((line) => 'started' in line)).started);
    const pidFile = path.join(dir, 'pids');
    await waitUntil(
      'the task wrote its children',
      async () => (await readFile(pidFile, 'utf8').catch(() => '')).trim().split('\n').length === 2,
      5000,
    );
    const children = (await readFile(pidFile, 'utf8')).trim().split('\n').map(Number);
    leftovers.push(started, ...children);
    const workerPid = worker.child.pid ?? 0;
    return { worker, workerPid, taskPid: started, children };
  }

  async function killAndExpectTaskGone(run: Awaited<ReturnType<typeof workerWithTask>>): Promise<void> {
    const { worker, taskPid, children } = run;
    const [inGroup, leftGroup] = children;
    assert.deepEqual(
      await groupMembers(taskPid),
      [taskPid, inGroup].sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
    assert.notEqual((await processInfo(leftGroup ?? 0))?.pgrp, taskPid, 'setsid left the group');
    worker.child.kill('SIGKILL');
    assert.equal(await worker.exited, 'SIGKILL');
    const tookMs = await waitUntil(
      'the task group and the process that left it are gone',
      async () => (await groupMembers(taskPid)).length === 0 && !(await isLive(leftGroup ?? 0)),
      2000,
    );
    assert.ok(tookMs < 2000, `took ${tookMs} ms`);
    assert.equal(
      worker.lines.some((line) => 'ended' in line),
      false,
      'the worker never saw the task end',
    );
  }

  test('a worker SIGKILLed mid-task takes the task group and its escaped children with it', async () => {
    const run = await workerWithTask('killed');
    assert.equal((await watchdogsOf(run.workerPid)).length, 1, 'one watchdog guards the worker');
    await killAndExpectTaskGone(run);
    await waitUntil('the watchdog exited', async () => (await watchdogsOf(run.workerPid)).length === 0, 2000);
  });

  test('a watchdog that is killed is started again and still guards the running task', async () => {
    const run = await workerWithTask('watchdog-killed');
    const [first] = await watchdogsOf(run.workerPid);
    assert.ok(first);
    process.kill(first, 'SIGKILL');
    await waitUntil(
      'a new watchdog is running',
      async () => (await watchdogsOf(run.workerPid)).some((pid) => pid !== first),
      5000,
    );
    assert.equal(await isLive(run.taskPid), true, 'the task ran on meanwhile');
    await killAndExpectTaskGone(run);
  });

  test('a worker whose task ends normally leaves no watchdog behind when it exits', async () => {
    const dir = path.join(scratch, 'normal');
    const worker = spawnJsonLines(CHILD, [dir, 'echo done']);
    const ended = (await worker.waitFor((line) => 'ended' in line)).ended as { status: string };
    assert.equal(ended.status, 'succeeded');
    assert.equal(await worker.exited, 0, 'the watchdog does not keep the worker alive');
    const workerPid = worker.child.pid ?? 0;
    await waitUntil('the watchdog exited', async () => (await watchdogsOf(workerPid)).length === 0, 2000);
  });
});
