// The CLI driven as a user drives it, against `cairn up` started as a child process, on every dialect:
// upload a fixture; submit with parameters and watch; list and filter; read logs and download an
// artifact; see a recurring run fire; terminate a long run; retry a failed one. Every command is a
// `node packages/server/bin/cairn.js ... --server URL` process, judged by its exit code and output.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { compile, containerComponent, Parameter, pipeline } from '@cairn/sdk';
import type { Artifact, Pipeline, RecurringRun, Run } from '@cairn/sdk/api';
import { WorkerProcess } from '../engine/crash/worker-process.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../support/migrated-database.ts';
import { dialectTargets } from '../support/test-databases.ts';
import { GREETING_PIPELINE, SLEEPY_PIPELINE } from './support/cli-pipelines.ts';
import { type CairnCommand, cairnCommand, describeResult } from './support/cli-process.ts';

/** A pipeline the KFP SDK compiled: one `echo hello world` task. */
const KFP_FIXTURE = fileURLToPath(new URL('../../../../fixtures/kfp/ir/hello_world.yaml', import.meta.url));

const guard = containerComponent({
  name: 'guard',
  image: 'busybox',
  inputs: { gate: Parameter.String },
  command: ({ inputs }) => [
    'sh',
    '-c',
    'if [ -e "$0" ]; then echo "gate open"; else echo "no gate at $0"; exit 4; fi',
    inputs.gate,
  ],
});

/** One task that fails until the file its `gate` parameter names exists: a failure a retry can fix. */
const GATED_PIPELINE = compile(
  pipeline({ name: 'gated', inputs: { gate: Parameter.String } }, ({ gate }) => {
    guard({ gate }).setCachingOptions(false);
  }),
);

const WATCH = ['--watch', '--interval', '100'];
const RUN_ID = /[0-9a-f-]{36}/;

for (const { dialect, skip } of await dialectTargets()) {
  describe(`cairn end to end on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    let home: string;
    let server: WorkerProcess;
    let cairn: CairnCommand;
    /** The run submitted and watched in step 2, read in steps 3 and 4. */
    let greetedId: string;

    before(async () => {
      store = await createMigratedDatabase(dialect);
      home = mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-'));
      writeFileSync(path.join(home, 'greeting.yaml'), GREETING_PIPELINE);
      writeFileSync(path.join(home, 'sleepy.yaml'), SLEEPY_PIPELINE);
      writeFileSync(path.join(home, 'gated.yaml'), GATED_PIPELINE);
      server = new WorkerProcess({
        command: 'up',
        db: store.database.url,
        artifacts: `file://${path.join(home, 'artifacts')}`,
        home,
        name: 'e2e-server',
        // A worker hears at once of a run terminated through its own process's API; its heartbeat, a
        // third of the lease (20 s here), would tell it far later. Step 6 holds it to the former.
        args: ['--port', '0', '--poll-ms', '50', '--lease-seconds', '60', '--concurrency', '4'],
      });
      await server.waitForLine(/^ {2}worker /, 30_000);
      const url = server.lines.find((line) => line.includes(' is up at '))?.split(' is up at ')[1];
      assert.ok(url, server.tail());
      cairn = cairnCommand(url, home);
    });
    after(async () => {
      server.child.kill('SIGKILL');
      await store.close();
      rmSync(home, { recursive: true, force: true });
    });

    /** Runs a command that must succeed; returns its standard output. */
    async function ok(...argv: string[]): Promise<string> {
      const result = await cairn(...argv);
      assert.equal(result.code, 0, `${describeResult(argv, result)}\n${server.tail()}`);
      return result.out;
    }

    /** Runs a command that must succeed with `-o json`; returns what it printed, parsed. */
    async function json<T>(...argv: string[]): Promise<T> {
      return JSON.parse(await ok(...argv, '-o', 'json')) as T;
    }

    /** Repeats `check` (a few CLI commands) until it returns something. */
    async function until<T>(
      what: string,
      check: () => Promise<T | undefined>,
      timeoutMs = 20_000,
    ): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        assert.ok(Date.now() < deadline, `${what}: not within ${timeoutMs} ms\n${server.tail()}`);
        await sleep(200);
      }
    }

    test('1. upload a fixture', async () => {
      const fixture = await json<Pipeline>('pipeline', 'upload', KFP_FIXTURE, '--name', 'hello');
      assert.equal(fixture.name, 'hello');
      // A user's own pipeline, compiled with the SDK, from a relative path.
      const table = await ok('pipeline', 'upload', 'greeting.yaml', '--name', 'greeting');
      assert.match(
        table,
        /^PIPELINE ID +NAME +DISPLAY NAME +CREATED +DESCRIPTION\n\S+ +greeting +greeting +/,
      );
      const listed = await json<Pipeline[]>('pipeline', 'list', '--sort', 'name');
      assert.deepEqual(
        listed.map((p) => p.name),
        ['greeting', 'hello'],
      );
    });

    test('2. submit it with parameters and watch it', async () => {
      assert.match(await ok('experiment', 'create', 'e2e'), /\n\S+ +e2e +AVAILABLE /);
      const argv = [
        'run',
        'submit',
        '--pipeline',
        'greeting',
        '--param',
        'who=world',
        '--experiment',
        'e2e',
        '--name',
        'greet-world',
        ...WATCH,
      ];
      const watched = await cairn(...argv);
      assert.equal(watched.code, 0, describeResult(argv, watched));
      assert.equal(watched.err, '');
      assert.match(watched.out, /^run greet-world \([0-9a-f-]{36}\) submitted\n/);
      assert.match(watched.out, /^\+\d+s {2}greet {2}SUCCEEDED$/m);
      assert.match(watched.out, /^\+\d+s {2}shout {2}SUCCEEDED$/m);
      assert.match(watched.out, /\nrun [0-9a-f-]{36} SUCCEEDED after \S+ \(2\/2 tasks done\)\n$/);
      greetedId = watched.out.match(RUN_ID)?.[0] ?? '';

      // The file itself this time, into the Default experiment, left to run on its own.
      const moon = await ok('run', 'submit', 'greeting.yaml', '--param', 'who=moon', '--name', 'greet-moon');
      assert.match(
        moon,
        /^RUN ID +NAME +STATE +CREATED +DURATION\n\S+ +greet-moon +(PENDING|RUNNING|SUCCEEDED) /,
      );
    });

    test('3. list and filter', async () => {
      const byName = JSON.stringify({
        predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: 'greet-moon' }],
      });
      const [all, inExperiment, named, failed] = await Promise.all([
        json<Run[]>('run', 'list'),
        json<Run[]>('run', 'list', '--experiment', 'e2e'),
        json<Run[]>('run', 'list', '--filter', byName),
        json<Run[]>('run', 'list', '--state', 'FAILED'),
      ]);
      assert.deepEqual(
        all.map((run) => run.display_name),
        ['greet-moon', 'greet-world'],
        'newest first',
      );
      assert.deepEqual(
        inExperiment.map((run) => [run.run_id, run.state, run.runtime_config?.parameters]),
        [[greetedId, 'SUCCEEDED', { who: 'world' }]],
      );
      assert.deepEqual(
        named.map((run) => [run.display_name, run.runtime_config?.parameters]),
        [['greet-moon', { who: 'moon' }]],
      );
      assert.deepEqual(failed, []);
    });

    test('4. read logs and download an artifact', async () => {
      const [greetLog, allLogs, artifacts] = await Promise.all([
        ok('run', 'logs', greetedId, 'greet'),
        ok('run', 'logs', greetedId),
        json<Artifact[]>('artifact', 'ls', greetedId),
      ]);
      assert.equal(greetLog, 'hello world\nsecond line\n');
      assert.equal(allLogs, 'greet | hello world\ngreet | second line\nshout | LOUD\n');
      assert.deepEqual(
        artifacts.map((a) => [a.name, a.artifact_type, String(a.artifact_size)]),
        [['greeting', 'system.Dataset', '11']],
      );

      const artifactId = artifacts[0]?.artifact_id ?? '';
      const argv = ['artifact', 'get', artifactId, '-O', 'greeting.txt'];
      const saved = await cairn(...argv);
      assert.equal(saved.code, 0, describeResult(argv, saved));
      // The content goes to the file only; the note that it did, to standard error.
      assert.equal(saved.out, '');
      assert.equal(saved.err, `saved artifact ${artifactId} to greeting.txt\n`);
      assert.equal(readFileSync(path.join(home, 'greeting.txt'), 'utf8'), 'hello world');
    });

    test('5. create a recurring run and see it fire', async () => {
      const recurring = await json<RecurringRun>(
        'recurring',
        'create',
        '--pipeline',
        'hello',
        '--name',
        'every-second',
        '--every',
        '1s',
        '--experiment',
        'e2e',
      );
      assert.equal(recurring.status, 'ENABLED');
      assert.equal(String(recurring.trigger.periodic_schedule?.interval_second), '1');
      const id = recurring.recurring_run_id;

      const filter = JSON.stringify({
        predicates: [{ key: 'recurring_run_id', operation: 'EQUALS', string_value: id }],
      });
      const fired = await until('a run fired by the recurring run', async () => {
        const runs = await json<Run[]>('run', 'list', '--filter', filter);
        return runs.at(-1);
      });
      assert.equal(fired.recurring_run_id, id);
      assert.match(fired.display_name, /^every-second /);
      const watched = await cairn('run', 'watch', fired.run_id, '--interval', '100');
      assert.equal(watched.code, 0, describeResult(['run', 'watch', fired.run_id], watched));
      assert.match(watched.out, new RegExp(`\\nrun ${fired.run_id} SUCCEEDED after `));
      assert.ok(
        server.lines.some((line) => line.includes(`recurring run ${id} fired run ${fired.run_id}`)),
        server.tail(),
      );

      assert.equal(await ok('recurring', 'disable', id), `recurring run ${id} disabled\n`);
      assert.equal(await ok('recurring', 'delete', id), `recurring run ${id} deleted\n`);
      assert.deepEqual(await json<RecurringRun[]>('recurring', 'list'), []);
    });

    test('6. terminate a long run', async () => {
      const run = await json<Run>('run', 'submit', 'sleepy.yaml', '--name', 'long-nap');
      await until('the 30 s task to start', async () => {
        const current = await json<Run>('run', 'get', run.run_id);
        const nap = current.run_details?.task_details.find((task) => task.display_name === 'nap');
        return nap?.state === 'RUNNING' ? true : undefined;
      });
      const asked = Date.now();
      assert.equal(await ok('run', 'terminate', run.run_id), `run ${run.run_id} terminating\n`);

      const watched = await cairn('run', 'watch', run.run_id, '--interval', '100');
      assert.equal(watched.code, 1, describeResult(['run', 'watch', run.run_id], watched));
      assert.match(watched.out, /^\+\d+s {2}nap {2}CANCELED$/m);
      assert.equal(watched.err, `cairn: error: run ${run.run_id} CANCELED: the run was terminated\n`);
      const ended = await json<Run>('run', 'get', run.run_id);
      assert.equal(ended.state, 'CANCELED');
      const stoppingMs = Date.parse(ended.finished_at ?? '') - asked;
      assert.ok(stoppingMs < 8_000, `stopped ${stoppingMs} ms after the terminate, not at a heartbeat`);
    });

    test('7. retry a failed one', async () => {
      const gate = path.join(home, 'gate');
      const argv = ['run', 'submit', 'gated.yaml', '--param', `gate=${gate}`, '--name', 'gated', ...WATCH];
      const failed = await cairn(...argv);
      assert.equal(failed.code, 1, describeResult(argv, failed));
      assert.match(failed.out, /\n\+\d+s {2}guard {2}FAILED: the command exited with code 4\n/);
      const runId = failed.out.match(RUN_ID)?.[0] ?? '';
      assert.equal(
        failed.err,
        `cairn: error: run ${runId} FAILED: task guard: the command exited with code 4\n`,
      );
      assert.equal(
        await ok('run', 'logs', runId, 'guard'),
        `no gate at ${gate}\n[cairn] the command exited with code 4\n`,
      );

      writeFileSync(gate, '');
      assert.equal(await ok('run', 'retry', runId), `run ${runId} retrying\n`);
      const watched = await cairn('run', 'watch', runId, '--interval', '100');
      assert.equal(watched.code, 0, describeResult(['run', 'watch', runId], watched));
      assert.match(watched.out, new RegExp(`\\nrun ${runId} SUCCEEDED after \\S+ \\(1/1 tasks done\\)\\n$`));
      assert.equal(await ok('run', 'logs', runId, 'guard'), 'gate open\n');
    });

    test('SIGTERM stops the server: exit 0', async () => {
      assert.equal(await server.kill('SIGTERM'), 0, server.tail());
      assert.ok(server.lines.includes('Cairn stopped'), server.tail());
    });
  });
}
