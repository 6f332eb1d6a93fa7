// The SDK's typed client against a real server on a local port, on every dialect: each group of
// operations, paging with listAll, filters sent as JSON, and the two kinds of failure.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiRequestError, CairnClient, ServerUnreachableError } from '@cairn/sdk/api';
import { parse as parseYaml } from 'yaml';
import { type CliServer, closedPort, startCliServer } from '../cli/support/cli-harness.ts';
import { REPO_ROOT } from '../engine/support/engine-harness.ts';
import { dialectTargets } from '../support/test-databases.ts';

const HELLO = readFileSync(path.join(REPO_ROOT, 'fixtures/kfp/ir/hello_world.yaml'));

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

test('no server: ServerUnreachableError names the URL and the system error', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const error = await new CairnClient({ baseUrl: `${url}/` }).healthz().then(
    () => assert.fail('expected a failure'),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ServerUnreachableError);
  assert.equal(error.url, url);
  assert.match(error.message, new RegExp(`cannot reach the Cairn server at ${url} \\(ECONNREFUSED\\)`));
});

for (const { dialect, skip } of await dialectTargets()) {
  describe(`API client on ${dialect}`, { skip }, () => {
    let server: CliServer;
    let client: CairnClient;
    before(async () => {
      server = await startCliServer(dialect);
      client = new CairnClient({ baseUrl: server.url });
    });
    after(() => server.close());

    test('healthz', async () => {
      const health = await client.healthz();
      assert.equal(health.pipeline_store, 'database');
      assert.ok(health.schema_version > 0);
    });

    test('experiments: create, get, list, archive, unarchive, delete', async () => {
      const created = await client.experiments.create({ display_name: 'client-e1', description: 'd' });
      assert.deepEqual(await client.experiments.get(created.experiment_id), created);
      await client.experiments.archive(created.experiment_id);
      assert.equal((await client.experiments.get(created.experiment_id)).storage_state, 'ARCHIVED');
      await client.experiments.unarchive(created.experiment_id);
      const page = await client.experiments.list({
        filter: { predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: 'client-e1' }] },
      });
      assert.deepEqual(
        page.experiments.map((e) => e.experiment_id),
        [created.experiment_id],
      );
      await client.experiments.delete(created.experiment_id);
      const error = await client.experiments.get(created.experiment_id).catch((failure: unknown) => failure);
      assert.ok(error instanceof ApiRequestError);
      assert.equal(error.status, 404);
      assert.equal(error.code, 5);
      assert.equal(error.message, `experiment ${created.experiment_id} does not exist`);
      assert.equal(error.request, `GET /apis/v2beta1/experiments/${created.experiment_id}`);
    });

    test('listAll follows next_page_token through every page', async () => {
      const names = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'];
      for (const name of names) await client.experiments.create({ display_name: name });
      const all = await collect(
        client.experiments.listAll({
          page_size: 2,
          sort_by: 'display_name desc',
          filter: { predicates: [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: 'page-' }] },
        }),
      );
      assert.deepEqual(
        all.map((e) => e.display_name),
        [...names].reverse(),
      );
    });

    test('pipelines: upload, get by id and by name, versions, upload a version, delete', async () => {
      const pipeline = await client.pipelines.upload(HELLO, { file_name: 'hello.yaml', description: 'hi' });
      assert.equal(pipeline.name, 'hello');
      assert.equal(pipeline.description, 'hi');
      assert.deepEqual(await client.pipelines.get(pipeline.pipeline_id), pipeline);
      assert.deepEqual(await client.pipelines.getByName('hello'), pipeline);

      const second = await client.pipelines.uploadVersion(pipeline.pipeline_id, new Blob([HELLO]), {
        name: 'v2',
      });
      assert.equal(second.name, 'v2');
      const versions = await collect(
        client.pipelines.versions.listAll(pipeline.pipeline_id, { page_size: 1 }),
      );
      assert.deepEqual(versions.map((v) => v.name).sort(), ['hello', 'v2']);
      const fetched = await client.pipelines.versions.get(pipeline.pipeline_id, second.pipeline_version_id);
      assert.equal(fetched.pipeline_version_id, second.pipeline_version_id);
      assert.equal(typeof fetched.pipeline_spec, 'object');

      const refused = await client.pipelines
        .delete(pipeline.pipeline_id)
        .catch((failure: unknown) => failure);
      assert.ok(refused instanceof ApiRequestError);
      assert.equal(refused.code, 9);
      await client.pipelines.versions.delete(pipeline.pipeline_id, second.pipeline_version_id);
      await client.pipelines.delete(pipeline.pipeline_id, { cascade: true });
      const gone = await client.pipelines.getByName('hello').catch((failure: unknown) => failure);
      assert.ok(gone instanceof ApiRequestError && gone.code === 5);
    });

    test('pipelines: create, createWithVersion and versions.create from an inline spec', async () => {
      const spec = JSON.parse(JSON.stringify(parseYaml(HELLO.toString('utf8'))));
      const empty = await client.pipelines.create({ name: 'inline-empty' });
      const version = await client.pipelines.versions.create(empty.pipeline_id, {
        name: 'first',
        pipeline_spec: spec,
      });
      assert.equal(version.pipeline_id, empty.pipeline_id);
      const both = await client.pipelines.createWithVersion({
        pipeline: { name: 'inline-both' },
        pipeline_version: { name: 'first', pipeline_spec: spec },
      });
      const page = await client.pipelines.versions.list(both.pipeline_id);
      assert.equal(page.pipeline_versions.length, 1);
      const listed = await client.pipelines.list({
        sort_by: 'name',
        filter: { predicates: [{ key: 'name', operation: 'IS_SUBSTRING', string_value: 'inline-' }] },
      });
      assert.deepEqual(
        listed.pipelines.map((p) => p.name),
        ['inline-both', 'inline-empty'],
      );
    });

    test('runs: create from an inline spec, get, list, archive, unarchive, delete', async () => {
      const spec = parseYaml(HELLO.toString('utf8')) as Record<string, unknown>;
      const run = await client.runs.create({ display_name: 'client-run', pipeline_spec: spec });
      assert.equal(run.display_name, 'client-run');
      assert.equal((await client.runs.get(run.run_id)).run_id, run.run_id);
      const listed = await collect(client.runs.listAll({ experiment_id: run.experiment_id ?? '' }));
      assert.ok(listed.some((r) => r.run_id === run.run_id));
      await client.runs.archive(run.run_id);
      assert.equal((await client.runs.get(run.run_id)).storage_state, 'ARCHIVED');
      await client.runs.unarchive(run.run_id);
      await client.runs.terminate(run.run_id);
      await client.runs.delete(run.run_id);
      const gone = await client.runs.get(run.run_id).catch((failure: unknown) => failure);
      assert.ok(gone instanceof ApiRequestError && gone.code === 5);
    });

    test('recurring runs: create, get, list, disable, enable, delete', async () => {
      const pipeline = await client.pipelines.upload(HELLO, { name: 'recurring-hello' });
      const created = await client.recurringRuns.create({
        display_name: 'hourly',
        pipeline_version_reference: { pipeline_id: pipeline.pipeline_id },
        trigger: { periodic_schedule: { interval_second: '3600' } },
        max_concurrency: '1',
        mode: 'DISABLE',
      });
      assert.equal(created.status, 'DISABLED');
      await client.recurringRuns.enable(created.recurring_run_id);
      assert.equal((await client.recurringRuns.get(created.recurring_run_id)).status, 'ENABLED');
      await client.recurringRuns.disable(created.recurring_run_id);
      const all = await collect(client.recurringRuns.listAll({ page_size: 1 }));
      assert.deepEqual(
        all.map((r) => [r.recurring_run_id, r.status]),
        [[created.recurring_run_id, 'DISABLED']],
      );
      await client.recurringRuns.delete(created.recurring_run_id);
      const gone = await client.recurringRuns
        .get(created.recurring_run_id)
        .catch((failure: unknown) => failure);
      assert.ok(gone instanceof ApiRequestError && gone.code === 5);
    });

    test("an error body that is not KFP's still becomes an ApiRequestError", async () => {
      const proxied = new CairnClient({
        baseUrl: server.url,
        fetch: async () =>
          new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
      });
      const error = await proxied.healthz().catch((failure: unknown) => failure);
      assert.ok(error instanceof ApiRequestError);
      assert.equal(error.status, 502);
      assert.equal(error.code, 13);
      assert.equal(
        error.message,
        'GET /apis/v2beta1/healthz answered HTTP 502 Bad Gateway: <html>Bad Gateway</html>',
      );
    });
  });
}
