// `cairn recurring ...` against a real server, on every dialect (no worker: only the schedules are tested).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RecurringRun } from '@cairn/sdk/api';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../engine/support/engine-harness.ts';
import { dialectTargets } from '../support/test-databases.ts';
import { type CliServer, startCliServer } from './support/cli-harness.ts';

const HELLO = path.join(REPO_ROOT, 'fixtures/kfp/ir/hello_world.yaml');

for (const { dialect, skip } of await dialectTargets()) {
  describe(`cairn recurring on ${dialect}`, { skip }, () => {
    let server: CliServer;
    before(async () => {
      server = await startCliServer(dialect);
      assert.equal((await server.cli(['pipeline', 'upload', HELLO, '--name', 'hello'])).code, 0);
      assert.equal((await server.cli(['experiment', 'create', 'scheduled'])).code, 0);
    });
    after(() => server.close());

    test('create on a cron from a stored pipeline, and every 1h30m from a file', async () => {
      const cron = await server.cli([
        'recurring',
        'create',
        '--name',
        'nightly',
        '--pipeline',
        'hello',
        '--cron',
        '0 0 2 * * *',
        '--max-concurrency',
        '2',
        '--no-catchup',
        '--experiment',
        'scheduled',
        '-o',
        'json',
      ]);
      assert.equal(cron.code, 0, cron.err);
      const nightly: RecurringRun = JSON.parse(cron.out);
      assert.equal(nightly.trigger.cron_schedule?.cron, '0 0 2 * * *');
      assert.equal(String(nightly.max_concurrency), '2');
      assert.equal(nightly.no_catchup, true);
      assert.equal(nightly.status, 'ENABLED');
      assert.ok(nightly.pipeline_version_reference?.pipeline_id);

      const every = await server.cli([
        'recurring',
        'create',
        HELLO,
        '--name',
        'often',
        '--every',
        '1h30m',
        '--disabled',
      ]);
      assert.equal(every.code, 0, every.err);
      assert.match(
        every.out,
        /^RECURRING RUN ID +NAME +STATUS +SCHEDULE +MAX CONCURRENCY +CATCHUP +CREATED\n\S+ +often +DISABLED +every 1h30m +1 +yes +\S+ \S+\n$/,
      );
    });

    test('list, get, disable, enable, delete', async () => {
      const listed: RecurringRun[] = JSON.parse(
        (await server.cli(['recurring', 'list', '--sort', 'display_name', '-o', 'json'])).out,
      );
      assert.deepEqual(
        listed.map((r) => [r.display_name, r.status]),
        [
          ['nightly', 'ENABLED'],
          ['often', 'DISABLED'],
        ],
      );
      const inExperiment = JSON.parse(
        (await server.cli(['recurring', 'list', '--experiment', 'scheduled', '-o', 'json'])).out,
      );
      assert.deepEqual(
        inExperiment.map((r: RecurringRun) => r.display_name),
        ['nightly'],
      );
      const [nightly, often] = listed;
      assert.ok(nightly && often);

      assert.equal(
        (await server.cli(['recurring', 'disable', nightly.recurring_run_id])).out,
        `recurring run ${nightly.recurring_run_id} disabled\n`,
      );
      assert.equal((await server.cli(['recurring', 'enable', often.recurring_run_id])).code, 0);
      const got = await server.cli(['recurring', 'get', nightly.recurring_run_id, '-o', 'yaml']);
      assert.equal(parseYaml(got.out).status, 'DISABLED');
      assert.equal(
        JSON.parse((await server.cli(['recurring', 'get', often.recurring_run_id, '-o', 'json'])).out).status,
        'ENABLED',
      );

      assert.equal((await server.cli(['recurring', 'delete', often.recurring_run_id])).code, 0);
      const gone = await server.cli(['recurring', 'get', often.recurring_run_id]);
      assert.equal(gone.code, 1);
      assert.match(gone.err, /^cairn: error: .+\n$/);
    });

    test('one schedule exactly; a cron the server refuses is its one-line message', async () => {
      const none = await server.cli(['recurring', 'create', '--name', 'x', '--pipeline', 'hello']);
      assert.equal(none.code, 2);
      assert.match(none.err, /give one schedule: --cron, --every or --interval-seconds \(none given\)/);
      const two = await server.cli([
        'recurring',
        'create',
        '--name',
        'x',
        '--pipeline',
        'hello',
        '--cron',
        '* * * * * *',
        '--interval-seconds',
        '60',
      ]);
      assert.equal(two.code, 2);
      const bad = await server.cli([
        'recurring',
        'create',
        '--name',
        'x',
        '--pipeline',
        'hello',
        '--cron',
        'not a cron',
      ]);
      assert.equal(bad.code, 1);
      assert.match(bad.err, /^cairn: error: .*cron.*\n$/i);
    });
  });
}
