// `cairn pipeline ...` against a real server, on every dialect, with KFP's compiled fixtures.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT } from '../engine/support/engine-harness.ts';
import { dialectTargets } from '../support/test-databases.ts';
import { type CliServer, startCliServer } from './support/cli-harness.ts';

const HELLO = path.join(REPO_ROOT, 'fixtures/kfp/ir/hello_world.yaml');
const AFTER = path.join(REPO_ROOT, 'fixtures/kfp/ir/essential/pipeline_with_after.yaml');

for (const { dialect, skip } of await dialectTargets()) {
  describe(`cairn pipeline on ${dialect}`, { skip }, () => {
    let server: CliServer;
    before(async () => {
      server = await startCliServer(dialect);
    });
    after(() => server.close());

    test('upload names the pipeline after its file unless --name; get shows it and its versions', async () => {
      const uploaded = await server.cli(['pipeline', 'upload', HELLO, '-o', 'json']);
      assert.equal(uploaded.code, 0, uploaded.err);
      const hello = JSON.parse(uploaded.out);
      assert.equal(hello.name, 'hello_world');

      const named = await server.cli([
        'pipeline',
        'upload',
        AFTER,
        '--name',
        'after',
        '--description',
        'ordering',
      ]);
      assert.equal(named.code, 0, named.err);
      assert.match(
        named.out,
        /^PIPELINE ID +NAME +DISPLAY NAME +CREATED +DESCRIPTION\n[0-9a-f-]{36} +after +after +\S+ \S+ +ordering\n$/,
      );

      const version = await server.cli([
        'pipeline',
        'upload',
        AFTER,
        '--version-of',
        'hello_world',
        '--name',
        'v2',
        '-o',
        'json',
      ]);
      assert.equal(version.code, 0, version.err);
      assert.equal(JSON.parse(version.out).pipeline_id, hello.pipeline_id);

      const shown = await server.cli(['pipeline', 'get', 'hello_world']);
      assert.equal(shown.code, 0, shown.err);
      const [pipelineBlock, versionBlock] = shown.out.split('\n\n');
      assert.match(pipelineBlock ?? '', new RegExp(`${hello.pipeline_id} +hello_world`));
      const versionRows = (versionBlock ?? '').trimEnd().split('\n');
      assert.match(versionRows[0] ?? '', /^VERSION ID +NAME +CREATED/);
      // Newest first.
      assert.deepEqual(
        versionRows.slice(1).map((row) => row.split(/ +/)[1]),
        ['v2', 'hello_world'],
      );
      const byId = await server.cli(['pipeline', 'get', hello.pipeline_id, '-o', 'json']);
      assert.deepEqual(JSON.parse(byId.out), hello);
    });

    test('list in every format', async () => {
      const json = JSON.parse((await server.cli(['pipeline', 'list', '-o', 'json', '--sort', 'name'])).out);
      assert.deepEqual(
        json.map((p: { name: string }) => p.name),
        ['after', 'hello_world'],
      );
      const yaml = await server.cli(['pipeline', 'ls', '-o', 'yaml', '--limit', '1', '--sort', 'name desc']);
      assert.match(yaml.out, /^- pipeline_id: \S+\n {2}display_name: hello_world\n/);
      const table = await server.cli(['pipeline', 'list']);
      assert.equal(table.out.trimEnd().split('\n').length, 3);
    });

    test('delete refuses a pipeline with versions unless --cascade', async () => {
      const refused = await server.cli(['pipeline', 'delete', 'after']);
      assert.equal(refused.code, 1);
      assert.match(refused.err, /^cairn: error: .+\n$/);
      const deleted = await server.cli(['pipeline', 'delete', 'after', '--cascade']);
      assert.equal(deleted.code, 0, deleted.err);
      assert.match(deleted.out, /^pipeline after \([0-9a-f-]{36}\) deleted\n$/);
      assert.deepEqual(await server.cli(['pipeline', 'get', 'after']), {
        code: 1,
        out: '',
        err: 'cairn: error: no pipeline has the id or the name "after"\n',
      });
    });

    test("an invalid pipeline is refused with the server's reason; a missing file is a usage error", async () => {
      const invalid = await server.cli(['pipeline', 'upload', path.join(REPO_ROOT, 'package.json')]);
      assert.equal(invalid.code, 1);
      // The server's message as it wrote it: the error, then one indented line per problem.
      assert.match(invalid.err, /^cairn: error: the pipeline spec does not validate:\n( {2}.+\n)+$/);
      const missing = await server.cli(['pipeline', 'upload', '/nonexistent/pipeline.yaml']);
      assert.equal(missing.code, 2);
      assert.match(
        missing.err,
        /^cairn: error: cannot read the pipeline file \/nonexistent\/pipeline\.yaml: ENOENT/,
      );
    });

    test('upload --tag tags the pipeline (the version with --version-of); list --filter finds it by tag', async () => {
      const json = async (...args: string[]) => {
        const result = await server.cli(args);
        assert.equal(result.code, 0, result.err);
        return JSON.parse(result.out);
      };
      const tagged = await json(
        'pipeline',
        'upload',
        HELLO,
        '--name',
        'tagged',
        '--tag',
        'team=ml',
        '--tag',
        'note=a=b',
        '-o',
        'json',
      );
      assert.deepEqual(tagged.tags, { team: 'ml', note: 'a=b' });
      const version = await json(
        'pipeline',
        'upload',
        AFTER,
        '--version-of',
        'tagged',
        '--name',
        'v2',
        '--tag',
        'stage=prod',
        '-o',
        'json',
      );
      assert.deepEqual(version.tags, { stage: 'prod' });
      const sourced = await json(
        'pipeline',
        'upload',
        AFTER,
        '--version-of',
        'tagged',
        '--name',
        'v3',
        '--code-source-url',
        'https://example.com/train.py',
        '-o',
        'json',
      );
      assert.equal(sourced.code_source_url, 'https://example.com/train.py');
      const filter = JSON.stringify({
        predicates: [{ key: 'tags.team', operation: 'EQUALS', string_value: 'ml' }],
      });
      const found = await json('pipeline', 'list', '--filter', filter, '-o', 'json');
      assert.deepEqual(
        found.map((pipeline: { name: string }) => pipeline.name),
        ['tagged'],
      );

      const noValue = await server.cli(['pipeline', 'upload', HELLO, '--tag', 'team']);
      assert.notEqual(noValue.code, 0);
      assert.match(noValue.err, /--tag <key=value>.*expected key=value, got "team"/);
      const dotted = await server.cli(['pipeline', 'upload', HELLO, '--name', 'dotted', '--tag', 'a.b=x']);
      assert.equal(dotted.code, 1);
      assert.match(dotted.err, /querystring\.tags has the key "a\.b"/);
    });
  });
}
