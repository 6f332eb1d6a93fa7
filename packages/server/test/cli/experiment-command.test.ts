// `cairn experiment ...` against a real server, on every dialect.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { dialectTargets } from '../support/test-databases.ts';
import { type CliServer, startCliServer } from './support/cli-harness.ts';

for (const { dialect, skip } of await dialectTargets()) {
  describe(`cairn experiment on ${dialect}`, { skip }, () => {
    let server: CliServer;
    before(async () => {
      server = await startCliServer(dialect);
    });
    after(() => server.close());

    test('create prints the experiment; get finds it by name or id in every format', async () => {
      const created = await server.cli([
        'experiment',
        'create',
        'training',
        '--description',
        'models',
        '-o',
        'json',
      ]);
      assert.equal(created.code, 0, created.err);
      const experiment = JSON.parse(created.out);
      assert.equal(experiment.display_name, 'training');
      assert.equal(experiment.description, 'models');

      const byName = await server.cli(['experiment', 'get', 'training', '-o', 'yaml']);
      assert.deepEqual(parseYaml(byName.out), experiment);
      const table = await server.cli(['experiment', 'get', experiment.experiment_id]);
      const [header, row, ...rest] = table.out.trimEnd().split('\n');
      assert.deepEqual(rest, []);
      assert.match(header ?? '', /^EXPERIMENT ID +NAME +STATE +CREATED +LAST RUN +DESCRIPTION$/);
      assert.match(
        row ?? '',
        new RegExp(
          `^${experiment.experiment_id} +training +AVAILABLE +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +models$`,
        ),
      );
    });

    test('list: available by default, --archived, --sort and --limit', async () => {
      for (const name of ['list-a', 'list-b', 'list-c']) {
        assert.equal((await server.cli(['experiment', 'create', name])).code, 0);
      }
      const archived = await server.cli(['experiment', 'archive', 'list-b']);
      assert.equal(archived.code, 0, archived.err);
      assert.match(archived.out, /^experiment list-b \([0-9a-f-]{36}\) archived\n$/);

      const names = async (...argv: string[]) =>
        JSON.parse((await server.cli(['experiment', 'list', '-o', 'json', ...argv])).out).map(
          (e: { display_name: string }) => e.display_name,
        );
      const filter = JSON.stringify({
        predicates: [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'list-' }],
      });
      assert.deepEqual(await names('--filter', filter), ['list-a', 'list-c']);
      assert.deepEqual(await names('--filter', filter, '--archived'), ['list-b']);
      assert.deepEqual(await names('--filter', filter, '--sort', 'display_name desc', '--limit', '1'), [
        'list-c',
      ]);

      assert.equal((await server.cli(['experiment', 'unarchive', 'list-b'])).code, 0);
      assert.deepEqual(await names('--filter', filter), ['list-a', 'list-b', 'list-c']);
    });

    test('delete, then it is gone; unknown names and server errors are one line, exit 1', async () => {
      assert.equal((await server.cli(['experiment', 'create', 'doomed'])).code, 0);
      const deleted = await server.cli(['experiment', 'delete', 'doomed']);
      assert.equal(deleted.code, 0, deleted.err);
      assert.match(deleted.out, /experiment doomed \(.+\) deleted/);

      assert.deepEqual(await server.cli(['experiment', 'get', 'doomed']), {
        code: 1,
        out: '',
        err: 'cairn: error: no experiment has the id or the name "doomed"\n',
      });
      const taken = await server.cli(['experiment', 'create', 'training']);
      assert.equal(taken.code, 1);
      assert.match(taken.err, /^cairn: error: .*training.*\n$/);
    });

    test('a --filter that is not JSON is a usage error (exit 2)', async () => {
      const result = await server.cli(['experiment', 'list', '--filter', '{nope']);
      assert.equal(result.code, 2);
      assert.match(result.err, /option '--filter <json>' argument '\{nope' is invalid\. not JSON/);
    });
  });
}
