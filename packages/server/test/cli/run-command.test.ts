// `cairn run ...` and `cairn artifact ...` against a real server with a worker, on every dialect:
// submit and --watch (terminal and plain), list, get, logs, the run actions, and artifacts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Run } from '@cairn/sdk/api';
import { dialectTargets } from '../support/test-databases.ts';
import { type CliServer, startCliServer } from './support/cli-harness.ts';
import { FAILING_PIPELINE, GREETING_PIPELINE, SLEEPY_PIPELINE } from './support/cli-pipelines.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-runs-'));
const files = {
  greeting: path.join(scratch, 'greeting.yaml'),
  failing: path.join(scratch, 'failing.yaml'),
  sleepy: path.join(scratch, 'sleepy.yaml'),
};
writeFileSync(files.greeting, GREETING_PIPELINE);
writeFileSync(files.failing, FAILING_PIPELINE);
writeFileSync(files.sleepy, SLEEPY_PIPELINE);

const WATCH = ['--watch', '--interval', '50'];
// biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequences are what is tested.
const ERASE = /\x1b\[\d+F\x1b\[J/g;

for (const { dialect, skip } of await dialectTargets()) {
  describe(`cairn run on ${dialect}`, { skip }, () => {
    let server: CliServer;
    let greeted: Run;
    before(async () => {
      server = await startCliServer(dialect, { worker: true });
    });
    after(() => server.close());

    async function runJson<T = Run>(...argv: string[]): Promise<T> {
      const result = await server.cli(argv);
      assert.equal(result.code, 0, result.err);
      return JSON.parse(result.out);
    }

    test('submit a file --watch, not on a terminal: a line per task change, exit 0', async () => {
      const result = await server.cli([
        'run',
        'submit',
        files.greeting,
        '--param',
        'who=world',
        '--name',
        'greet-1',
        ...WATCH,
      ]);
      assert.equal(result.code, 0, result.err);
      assert.equal(result.err, '');
      const lines = result.out.trimEnd().split('\n');
      assert.match(lines[0] ?? '', /^run greet-1 \([0-9a-f-]{36}\) submitted$/);
      assert.doesNotMatch(result.out, ERASE);
      for (const change of ['greet  SUCCEEDED', 'shout  SUCCEEDED']) {
        assert.equal(
          lines.filter((line) => line.endsWith(change)).length,
          1,
          `${change} once in:\n${result.out}`,
        );
      }
      assert.match(lines.at(-1) ?? '', /^run [0-9a-f-]{36} SUCCEEDED after \S+ \(2\/2 tasks done\)$/);
    });

    test('submit a stored pipeline --watch on a terminal: a redrawn block, running tasks, -o json at the end', async () => {
      const upload = await server.cli(['pipeline', 'upload', files.greeting, '--name', 'greeting']);
      assert.equal(upload.code, 0, upload.err);
      assert.equal((await server.cli(['experiment', 'create', 'cli-runs'])).code, 0);
      const result = await server.cli(
        [
          'run',
          'submit',
          '--pipeline',
          'greeting',
          '--param',
          'who=terminal',
          '--experiment',
          'cli-runs',
          ...WATCH,
          '-o',
          'json',
        ],
        { isTTY: true },
      );
      assert.equal(result.code, 0, result.err);
      // With -o json, standard output is the ended run alone; progress went to standard error.
      greeted = JSON.parse(result.out);
      assert.equal(greeted.state, 'SUCCEEDED');
      assert.equal(greeted.runtime_config?.parameters?.who, 'terminal');
      assert.match(result.err, /submitted/);

      const tty = await server.cli(
        ['run', 'submit', '--pipeline', 'greeting', '--param', 'who=again', ...WATCH],
        {
          isTTY: true,
        },
      );
      assert.equal(tty.code, 0, tty.err);
      assert.match(tty.out, ERASE, 'the block is redrawn in place');
      assert.match(tty.out, /\n {2}shout +RUNNING +\d+s\n/, 'a line per running task with its time');
      assert.match(tty.out, /RUNNING {2}\d\/2 tasks done {2}elapsed \d+s/);
      assert.match(tty.out, /run [0-9a-f-]{36} SUCCEEDED after \S+ \(2\/2 tasks done\)\n$/);
    });

    test('a run that fails: exit 1 and a one-line reason', async () => {
      const result = await server.cli(['run', 'submit', files.failing, ...WATCH]);
      assert.equal(result.code, 1);
      assert.match(result.out, /crash {2}FAILED: /);
      assert.match(result.err, /^cairn: error: run [0-9a-f-]{36} FAILED: .*crash.*exit.*3.*\n$/);
      const failed = await runJson<Run[]>('run', 'list', '--state', 'FAILED', '-o', 'json');
      assert.equal(failed.length, 1);

      const retried = await server.cli(['run', 'retry', failed[0]?.run_id ?? '']);
      assert.equal(retried.code, 0, retried.err);
      assert.equal(retried.out, `run ${failed[0]?.run_id} retrying\n`);
      const watched = await server.cli(['run', 'watch', failed[0]?.run_id ?? '', '--interval', '50']);
      assert.equal(watched.code, 1);
    });

    test('list: newest first, --experiment, --state, --limit, --filter; get shows the tasks', async () => {
      const all = await runJson<Run[]>('run', 'list', '-o', 'json');
      assert.ok(all.length >= 4);
      const created = all.map((run) => run.created_at);
      assert.deepEqual(created, [...created].sort().reverse());
      const inExperiment = await runJson<Run[]>('run', 'list', '--experiment', 'cli-runs', '-o', 'json');
      assert.deepEqual(
        inExperiment.map((run) => run.run_id),
        [greeted.run_id],
      );
      const limited = await runJson<Run[]>('run', 'list', '--limit', '2', '-o', 'json');
      assert.equal(limited.length, 2);
      const filter = JSON.stringify({
        predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: 'greet-1' }],
      });
      const named = await runJson<Run[]>('run', 'list', '--filter', filter, '-o', 'json');
      assert.deepEqual(
        named.map((run) => run.display_name),
        ['greet-1'],
      );

      const table = await server.cli(['run', 'list', '--experiment', 'cli-runs']);
      assert.match(
        table.out,
        new RegExp(`^RUN ID +NAME +STATE +CREATED +DURATION\\n${greeted.run_id} +greeting .+ SUCCEEDED `),
      );

      const shown = await server.cli(['run', 'get', greeted.run_id]);
      assert.equal(shown.code, 0, shown.err);
      assert.match(shown.out, new RegExp(`^run id: +${greeted.run_id}\\n`));
      assert.match(shown.out, /\nparameters: +\{"who":"terminal"\}\n/);
      assert.match(shown.out, /\nTASK ID +TASK +KIND +STATE +STARTED +DURATION +ERROR\n/);
      assert.match(shown.out, /\n\S+ +root +dag +SUCCEEDED /);
      assert.match(shown.out, /\n\S+ +greet +executor +SUCCEEDED /);
      const yaml = await server.cli(['run', 'get', greeted.run_id, '-o', 'yaml']);
      assert.match(yaml.out, /\nexperiment_id: /);
      assert.match(yaml.out, /\nrun_details:\n {2}task_details:\n/);
    });

    test('logs: one task by name, every task prefixed, and --follow while it runs', async () => {
      const one = await server.cli(['run', 'logs', greeted.run_id, 'greet']);
      assert.deepEqual(one, { code: 0, out: 'hello terminal\nsecond line\n', err: '' });
      const all = await server.cli(['run', 'logs', greeted.run_id]);
      assert.equal(all.code, 0, all.err);
      assert.match(all.out, /^greet \| hello terminal\ngreet \| second line\n/);

      const first = await server.cli(['run', 'logs', greeted.run_id, 'greet', '--attempt', '1']);
      assert.deepEqual(first, one, 'its one attempt is its latest');
      const beyond = await server.cli(['run', 'logs', greeted.run_id, 'greet', '--attempt', '2']);
      assert.equal(beyond.code, 1);
      assert.match(beyond.err, /^cairn: error: attempt 2: task \S+ has made 1 attempt \(1 to 1\)\n$/);
      const noTask = await server.cli(['run', 'logs', greeted.run_id, '--attempt', '1']);
      assert.equal(noTask.code, 1);
      assert.match(noTask.err, /--attempt reads one task's log: name the task too/);
      const notANumber = await server.cli(['run', 'logs', greeted.run_id, 'greet', '--attempt', 'x']);
      assert.notEqual(notANumber.code, 0);
      assert.match(notANumber.err, /--attempt <n>.*expected a whole number of at least 1, got "x"/);

      const unknown = await server.cli(['run', 'logs', greeted.run_id, 'nope']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.err, /^cairn: error: run \S+ has no task "nope"; its tasks: greet, shout\n$/);

      const submitted = await runJson(
        'run',
        'submit',
        files.greeting,
        '--param',
        'who=follower',
        '-o',
        'json',
      );
      const followed = await server.cli(['run', 'logs', submitted.run_id, '--follow', '--interval', '50']);
      assert.equal(followed.code, 0, followed.err);
      assert.match(followed.out, /greet \| hello follower\ngreet \| second line\n/);
    });

    test('artifact ls and get: to standard output and to a file', async () => {
      const listed = await server.cli(['artifact', 'ls', greeted.run_id, '-o', 'json']);
      assert.equal(listed.code, 0, listed.err);
      const [artifact] = JSON.parse(listed.out);
      assert.equal(artifact.name, 'greeting');
      assert.equal(artifact.artifact_type, 'system.Dataset');
      const table = await server.cli(['artifact', 'ls', greeted.run_id]);
      assert.match(
        table.out,
        new RegExp(
          `^ARTIFACT ID +NAME +TYPE +SIZE +CREATED +URI\\n${artifact.artifact_id} +greeting +system\\.Dataset +14 `,
        ),
      );

      assert.deepEqual(await server.cli(['artifact', 'get', artifact.artifact_id]), {
        code: 0,
        out: 'hello terminal',
        err: '',
      });
      const target = path.join(scratch, `${dialect}-greeting.txt`);
      const saved = await server.cli(['artifact', 'get', artifact.artifact_id, '-O', target]);
      assert.equal(saved.code, 0, saved.err);
      assert.equal(readFileSync(target, 'utf8'), 'hello terminal');
      const info = await server.cli(['artifact', 'info', artifact.artifact_id, '-o', 'json']);
      assert.equal(JSON.parse(info.out).artifact_id, artifact.artifact_id);
    });

    test('terminate a running run: a watch of it exits 1; archive, unarchive, delete', async () => {
      const run = await runJson('run', 'submit', files.sleepy, '-o', 'json');
      for (let tries = 0; ; tries++) {
        const current = await runJson('run', 'get', run.run_id, '-o', 'json');
        const nap = current.run_details?.task_details.find((task) => task.display_name === 'nap');
        if (nap?.state === 'RUNNING') break;
        assert.ok(tries < 400, 'the task never started');
        await sleep(50);
      }
      const terminated = await server.cli(['run', 'terminate', run.run_id]);
      assert.deepEqual(terminated, { code: 0, out: `run ${run.run_id} terminating\n`, err: '' });
      const watched = await server.cli(['run', 'watch', run.run_id, '--interval', '50']);
      assert.equal(watched.code, 1);
      assert.match(watched.err, new RegExp(`^cairn: error: run ${run.run_id} CANCELED: .+\\n$`));

      assert.equal((await server.cli(['run', 'archive', run.run_id])).out, `run ${run.run_id} archived\n`);
      const archived = await runJson<Run[]>('run', 'list', '--archived', '-o', 'json');
      assert.deepEqual(
        archived.map((r) => r.run_id),
        [run.run_id],
      );
      assert.equal((await server.cli(['run', 'unarchive', run.run_id])).code, 0);
      assert.equal((await server.cli(['run', 'delete', run.run_id])).out, `run ${run.run_id} deleted\n`);
      const gone = await server.cli(['run', 'get', run.run_id]);
      assert.equal(gone.code, 1);
      assert.match(gone.err, /^cairn: error: .+\n$/);
    });

    test('submit needs exactly one pipeline', async () => {
      const none = await server.cli(['run', 'submit']);
      assert.equal(none.code, 2);
      assert.match(none.err, /no pipeline: give a compiled pipeline file or --pipeline NAME/);
      const both = await server.cli(['run', 'submit', files.greeting, '--pipeline', 'greeting']);
      assert.equal(both.code, 2);
      const badParam = await server.cli(['run', 'submit', files.greeting, '--param', 'oops']);
      assert.equal(badParam.code, 2);
      assert.match(badParam.err, /expected name=value, got "oops"/);
    });
  });
}
