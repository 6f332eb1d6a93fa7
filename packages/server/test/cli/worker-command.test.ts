// `cairn worker`: its options, its refusal of a database that is not migrated, and, as a real process,
// what it prints and how it stops: SIGTERM or SIGINT lets running tasks finish; a second signal kills
// them and leaves them to be taken over once their leases expire.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { compile, containerComponent, Parameter, pipeline } from '@cairn/sdk';
import type { Kysely } from 'kysely';
import { runCli } from '../../src/cli/main.ts';
import { createRun } from '../../src/engine/runs/create-run.ts';
import { connectDatabase } from '../../src/store/connect-database.ts';
import { parseDatabaseUrl } from '../../src/store/database-url.ts';
import type { DatabaseHandle } from '../../src/store/open-database.ts';
import type { CairnDatabase } from '../../src/store/tables.ts';
import { WorkerProcess } from '../engine/crash/worker-process.ts';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** One task that runs the run's `script` parameter with sh. */
const SCRIPT_PIPELINE = compile(
  pipeline({ name: 'script', inputs: { script: Parameter.String } }, ({ script }) => {
    const runScript = containerComponent({
      name: 'run-script',
      image: 'alpine:3.20',
      inputs: { script: Parameter.String },
      command: ({ inputs }) => ['sh', '-c', inputs.script],
    });
    runScript({ script }).setCachingOptions(false);
  }),
);

/** The running processes of group `pgid`; zombies nobody reaped (no init in a container) do not count. */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state !== 'Z' && Number(pgrp) === pgid) members.push(Number(name));
  }
  return members;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

describe('cairn worker', () => {
  test('--help documents every option and how it stops', async () => {
    const help = await cli('worker', '--help');
    assert.equal(help.code, 0);
    for (const option of [
      '--concurrency',
      '--lease-seconds',
      '--poll-ms',
      '--work-dir',
      '--name',
      '--quiet',
      '--db',
      '--artifacts',
      '--home',
      '--config',
    ]) {
      assert.match(help.out, new RegExp(`${option} `));
    }
    assert.match(help.out, /the number of CPUs, \d+/);
    assert.match(help.out, /SIGINT or SIGTERM/);
    assert.match(help.out, /second\s+signal kills the running tasks/);
    assert.match(help.out, /cairn admin upgrade/);
  });

  test('bad option values exit 2 and say what was expected', async () => {
    const zero = await cli('worker', '--concurrency', '0');
    assert.equal(zero.code, 2);
    assert.match(zero.err, /--concurrency.*expected a whole number of at least 1, got "0"/);
    assert.equal((await cli('worker', '--lease-seconds', '0.5')).code, 2);
    assert.equal((await cli('worker', '--poll-ms', 'often')).code, 2);
  });

  test('a database that is not migrated is refused, with what to run', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'cairn-worker-cli-'));
    try {
      const result = await cli('worker', '--home', home);
      assert.equal(result.code, 1);
      assert.match(result.err, /schema is at version 0 .* run 'cairn admin upgrade'/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  describe('as a process', () => {
    let home: string;
    let handle: DatabaseHandle;
    let db: Kysely<CairnDatabase>;
    const workers: WorkerProcess[] = [];
    const settings = () => ({
      db: `sqlite://${path.join(home, 'metadata.sqlite')}`,
      artifacts: `file://${path.join(home, 'artifacts')}`,
      home,
    });
    const startWorker = (name: string, args: string[] = []) => {
      const worker = new WorkerProcess({ ...settings(), name, args: ['--poll-ms', '50', ...args] });
      workers.push(worker);
      return worker;
    };
    const submit = (script: string) =>
      createRun(db, handle.dialect, {
        displayName: 'cli',
        pipelineSpec: SCRIPT_PIPELINE,
        parameters: { script },
      });
    const run = (runId: string) =>
      db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
    const task = (runId: string) =>
      db
        .selectFrom('tasks')
        .selectAll()
        .where('run_id', '=', runId)
        .where('path', '=', 'root/run-script')
        .executeTakeFirstOrThrow();

    before(async () => {
      home = mkdtempSync(path.join(os.tmpdir(), 'cairn-worker-cli-'));
      const migrate = await cli('admin', 'migrate', '--home', home);
      assert.equal(migrate.code, 0, migrate.err);
      handle = await connectDatabase(parseDatabaseUrl(settings().db));
      db = handle.db as Kysely<CairnDatabase>;
    });
    after(async () => {
      for (const worker of workers) worker.child.kill('SIGKILL');
      await handle.close();
      rmSync(home, { recursive: true, force: true });
    });

    test('prints its start, each task start and end; SIGTERM lets a running task finish, then exits 0', async () => {
      const quick = await submit('echo quick');
      const worker = startWorker('cli-1');
      await until('the quick run succeeded', async () => (await run(quick)).state === 'SUCCEEDED');
      const [banner] = worker.lines;
      assert.match(
        banner ?? '',
        /^cairn worker cli-1 started: database sqlite .*metadata\.sqlite, artifacts file:\/\//,
      );
      assert.ok(worker.lines.some((line) => line.endsWith(` start ${quick} root/run-script attempt 1`)));
      await until('the end line', () =>
        worker.lines.some((line) =>
          new RegExp(` end ${quick} root/run-script attempt 1 succeeded \\(`).test(line),
        ),
      );

      const slow = await submit('sleep 1.5; echo slow');
      await worker.waitForLine(new RegExp(` start ${slow} `), 10_000);
      assert.equal(await worker.kill('SIGTERM'), 0, worker.tail());
      assert.equal((await run(slow)).state, 'SUCCEEDED', 'the running task was let finish');
      const signalled = worker.lines.findIndex((line) => line.startsWith('SIGTERM: claiming no more tasks'));
      const ended = worker.lines.findIndex((line) => line.includes(` end ${slow} `));
      assert.ok(signalled > 0 && ended > signalled, worker.tail());
      assert.equal(worker.lines.at(-1), 'cairn worker cli-1 stopped');
    });

    test('a second SIGINT kills the running task and leaves its lease to expire; the worker exits 0', async () => {
      const pidFile = path.join(home, 'task.pid');
      const stuck = await submit(`echo $$ > ${pidFile}; exec sleep 300`);
      const worker = startWorker('cli-2', ['--lease-seconds', '60']);
      await worker.waitForLine(new RegExp(` start ${stuck} `), 10_000);
      await until('the task wrote its pid', () => {
        try {
          return readFileSync(pidFile, 'utf8').trim() !== '';
        } catch {
          return false;
        }
      });
      const taskPid = Number(readFileSync(pidFile, 'utf8'));
      assert.deepEqual(groupMembers(taskPid), [taskPid]);
      worker.child.kill('SIGINT');
      await worker.waitForLine(/^SIGINT: claiming no more tasks; waiting for 1 running task/, 5000);
      worker.child.kill('SIGINT');
      assert.equal(await worker.exited, 0, worker.tail());
      assert.match(
        worker.lines.join('\n'),
        /SIGINT again: killed 1 running task\(s\), left to be taken over/,
      );
      await until('the task group is gone', () => groupMembers(taskPid).length === 0, 2000);
      const row = await task(stuck);
      assert.deepEqual(
        [row.state, row.lease_owner, row.attempt],
        ['RUNNING', 'cli-2', 1],
        'nothing was recorded: the lease is left to expire and the task to be taken over',
      );
    });

    test('--quiet prints the start and failed tasks only', async () => {
      const fine = await submit('true');
      const broken = await submit('exit 3');
      const worker = startWorker('cli-3', ['--quiet']);
      await until(
        'both runs ended',
        async () => (await run(fine)).state === 'SUCCEEDED' && (await run(broken)).state === 'FAILED',
      );
      assert.equal(await worker.kill('SIGTERM'), 0);
      const output = worker.lines.join('\n');
      assert.doesNotMatch(output, / start /);
      assert.doesNotMatch(output, new RegExp(fine));
      assert.match(
        output,
        new RegExp(` end ${broken} root/run-script attempt 1 failed: the command exited with code 3`),
      );
    });
  });
});
