// The experiments API and what every operation shares: KFP's wire format, errors shaped
// {code, message, details} with the right status, unknown fields refused. On every dialect.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dialectTargets } from '../support/test-databases.ts';
import { startApi, type TestApi } from './support/api-harness.ts';

const EXPERIMENTS = '/apis/v2beta1/experiments';

for (const { dialect, skip } of await dialectTargets()) {
  describe(`experiments API on ${dialect}`, { skip }, () => {
    let api: TestApi;
    before(async () => {
      api = await startApi(dialect);
    });
    after(() => api.close());

    test('healthz reports the version and the schema version', async () => {
      const { status, body } = await api.call('GET', '/apis/v2beta1/healthz');
      assert.equal(status, 200);
      assert.equal(body.pipeline_store, 'database');
      assert.equal(body.multi_user, false);
      assert.match(body.version, /^\d+\.\d+\.\d+/);
      assert.ok(Number.isInteger(body.schema_version) && body.schema_version > 0);
    });

    test('create, get, archive, unarchive and delete an experiment', async () => {
      const created = await api.call('POST', EXPERIMENTS, {
        display_name: ' training ',
        description: 'models',
      });
      assert.equal(created.status, 200);
      const id = created.body.experiment_id;
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(
        { ...created.body, experiment_id: undefined, created_at: undefined },
        {
          display_name: 'training',
          description: 'models',
          storage_state: 'AVAILABLE',
          experiment_id: undefined,
          created_at: undefined,
        },
      );
      assert.ok(!Number.isNaN(Date.parse(created.body.created_at)));

      const fetched = await api.call('GET', `${EXPERIMENTS}/${id}`);
      assert.deepEqual(fetched, { status: 200, body: created.body });

      assert.deepEqual(await api.call('POST', `${EXPERIMENTS}/${id}:archive`), { status: 200, body: {} });
      assert.equal((await api.call('GET', `${EXPERIMENTS}/${id}`)).body.storage_state, 'ARCHIVED');
      assert.deepEqual(await api.call('POST', `${EXPERIMENTS}/${id}:unarchive`), { status: 200, body: {} });
      assert.equal((await api.call('GET', `${EXPERIMENTS}/${id}`)).body.storage_state, 'AVAILABLE');

      assert.deepEqual(await api.call('DELETE', `${EXPERIMENTS}/${id}`), { status: 200, body: {} });
      const gone = await api.call('GET', `${EXPERIMENTS}/${id}`);
      assert.deepEqual(gone, {
        status: 404,
        body: { code: 5, message: `experiment ${id} does not exist`, details: [] },
      });
    });

    test('archiving an experiment archives its runs and disables its recurring runs', async () => {
      const { body } = await api.call('POST', EXPERIMENTS, { display_name: `holder-${randomUUID()}` });
      const now = Date.now();
      const runId = randomUUID();
      await api.db
        .insertInto('runs')
        .values({
          id: runId,
          experiment_id: body.experiment_id,
          display_name: 'r',
          description: null,
          pipeline_id: null,
          pipeline_version_id: null,
          pipeline_spec: null,
          runtime_config: '{}',
          service_account: null,
          recurring_run_id: null,
          state: 'SUCCEEDED',
          error: null,
          created_at: now,
          scheduled_at: now,
          started_at: now,
          finished_at: now,
          updated_at: now,
        })
        .execute();
      await api.call('POST', `${EXPERIMENTS}/${body.experiment_id}:archive`);
      const run = await api.db
        .selectFrom('runs')
        .select('storage_state')
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      assert.equal(run.storage_state, 'ARCHIVED');

      const refused = await api.call('DELETE', `${EXPERIMENTS}/${body.experiment_id}`);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 9);
      assert.match(
        refused.body.message,
        /still holds 1 run\(s\) and 0 recurring run\(s\); archive it instead/,
      );
    });

    test('bad requests get a 4xx that names the field, the value and what was expected', async () => {
      await api.call('POST', EXPERIMENTS, { display_name: 'taken' });
      const cases: [unknown, number, number, RegExp][] = [
        [
          { display_name: 'taken' },
          409,
          6,
          /an experiment named "taken" already exists \(experiment_id [0-9a-f-]{36}\)/,
        ],
        [{ display_name: 5 }, 400, 3, /^body\.display_name is 5; expected a string$/],
        [
          { display_name: 'x', colour: 'red' },
          400,
          3,
          /^body has an unknown field "colour"; the known fields: experiment_id, display_name/,
        ],
        [
          { display_name: 'x', storage_state: 'GONE' },
          400,
          3,
          /^body\.storage_state is "GONE"; expected one of "STORAGE_STATE_UNSPECIFIED", "AVAILABLE", "ARCHIVED"$/,
        ],
        [{}, 400, 3, /^display_name is empty; an experiment needs a name$/],
        [{ display_name: '   ' }, 400, 3, /^display_name is empty/],
        [
          { display_name: 'x'.repeat(256) },
          400,
          3,
          /^display_name is 256 characters long; an experiment's name has at most 255$/,
        ],
        ['{"display_name": ', 400, 3, /^the request body is not valid JSON/],
        ['[]', 400, 3, /^body is \[\]; expected an object$/],
      ];
      for (const [body, status, code, message] of cases) {
        const answer = await api.call('POST', EXPERIMENTS, body);
        assert.equal(answer.status, status, JSON.stringify({ body, answer }));
        assert.equal(answer.body.code, code, JSON.stringify(answer.body));
        assert.match(answer.body.message, message);
        assert.deepEqual(answer.body.details, []);
      }
      for (const [method, url] of [
        ['GET', `${EXPERIMENTS}/${randomUUID()}`],
        ['DELETE', `${EXPERIMENTS}/${randomUUID()}`],
        ['POST', `${EXPERIMENTS}/${randomUUID()}:archive`],
        ['POST', `${EXPERIMENTS}/${randomUUID()}:unarchive`],
      ] as const) {
        const answer = await api.call(method, url);
        assert.equal(answer.status, 404, `${method} ${url}`);
        assert.match(answer.body.message, /^experiment [0-9a-f-]{36} does not exist$/);
      }
      const unknown = await api.call('POST', `${EXPERIMENTS}/${randomUUID()}:explode`);
      assert.equal(unknown.status, 404);
      assert.match(
        unknown.body.message,
        /^no operation POST .*:explode; the operations are listed at \/apis\/v2beta1\/openapi\.json$/,
      );
    });

    test('list: pages, sort, filter, and refusals that name the valid keys', async () => {
      const prefix = `listed-${randomUUID().slice(0, 8)}`;
      for (const name of ['b', 'a', 'c'])
        await api.call('POST', EXPERIMENTS, { display_name: `${prefix}-${name}` });
      const filter = encodeURIComponent(
        JSON.stringify({
          predicates: [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: prefix }],
        }),
      );
      const first = await api.call(
        'GET',
        `${EXPERIMENTS}?page_size=2&sort_by=display_name%20desc&filter=${filter}`,
      );
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(
        first.body.experiments.map((experiment: { display_name: string }) => experiment.display_name),
        [`${prefix}-c`, `${prefix}-b`],
      );
      assert.equal(first.body.total_size, 3);
      assert.notEqual(first.body.next_page_token, '');
      const second = await api.call(
        'GET',
        `${EXPERIMENTS}?page_token=${encodeURIComponent(first.body.next_page_token)}`,
      );
      assert.deepEqual(
        second.body.experiments.map((experiment: { display_name: string }) => experiment.display_name),
        [`${prefix}-a`],
      );
      assert.equal(second.body.next_page_token, '');

      const badSort = await api.call('GET', `${EXPERIMENTS}?sort_by=colour`);
      assert.equal(badSort.status, 400);
      assert.match(badSort.body.message, /colour/);
      assert.match(badSort.body.message, /display_name/);
      const badSize = await api.call('GET', `${EXPERIMENTS}?page_size=ten`);
      assert.equal(badSize.status, 400);
      assert.match(badSize.body.message, /^querystring\.page_size is "ten"; expected an integer$/);
    });

    test('a body over the limit is refused with 413 before it is read', async () => {
      const small = await startApi(dialect, 1024);
      try {
        const answer = await small.call('POST', EXPERIMENTS, {
          display_name: 'x',
          description: 'y'.repeat(2048),
        });
        assert.equal(answer.status, 413);
        assert.equal(answer.body.code, 8);
        assert.match(answer.body.message, /larger than the server's limit of 1024 bytes/);
      } finally {
        await small.close();
      }
    });

    test('the OpenAPI document lists the operations served', async () => {
      const { status, body } = await api.call('GET', '/apis/v2beta1/openapi.json');
      assert.equal(status, 200);
      assert.match(body.openapi, /^3\./);
      assert.deepEqual(Object.keys(body.paths['/apis/v2beta1/experiments/{experiment_id}:archive']), [
        'post',
      ]);
      assert.equal(
        body.paths['/apis/v2beta1/experiments'].post.operationId,
        'ExperimentService_CreateExperiment',
      );
    });
  });
}
