// The recurring runs API: created from an inline spec or a pipeline version, on a cron or a periodic
// trigger, with KFP's defaults; refused with a 4xx naming the field; listed, enabled, disabled, deleted;
// and fired by the engine into runs that point back to it. Every answer fits KFP's swagger. On every
// dialect.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { fireDueRecurringRuns } from '../../src/engine/recurring/fire-recurring-runs.ts';
import { REPO_ROOT } from '../engine/support/engine-harness.ts';
import { dialectTargets } from '../support/test-databases.ts';
import { startApi, type TestApi } from './support/api-harness.ts';
import { loadKfpSwagger } from './support/kfp-swagger.ts';

const RECURRING = '/apis/v2beta1/recurringruns';
const PIPELINES = '/apis/v2beta1/pipelines';
const EXPERIMENTS = '/apis/v2beta1/experiments';
/** One required integer input, `num_epochs`. */
const EPOCHS = parseYaml(
  readFileSync(path.join(REPO_ROOT, 'fixtures/kfp/ir/container_with_artifact_output.yaml'), 'utf8'),
) as Record<string, unknown>;
const HOURLY = { cron_schedule: { cron: '0 0 * * * *' } };
const swagger = loadKfpSwagger();

for (const { dialect, skip } of await dialectTargets()) {
  describe(`recurring runs API on ${dialect}`, { skip }, () => {
    let api: TestApi;
    before(async () => {
      api = await startApi(dialect);
    });
    after(() => api.close());

    /** Calls an operation and checks that its answer, whatever the status, fits KFP's swagger. */
    async function call(operationId: string, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) {
      const answer = await api.call(method, url, body);
      assert.deepEqual(swagger.check(operationId, answer.status, answer.body), [], JSON.stringify(answer));
      return answer;
    }
    const create = (body: unknown) => call('RecurringRunService_CreateRecurringRun', 'POST', RECURRING, body);
    const get = (id: string) => call('RecurringRunService_GetRecurringRun', 'GET', `${RECURRING}/${id}`);
    const list = (query: string) =>
      call('RecurringRunService_ListRecurringRuns', 'GET', `${RECURRING}?${query}`);

    async function newExperiment(): Promise<string> {
      const { body } = await api.call('POST', EXPERIMENTS, { display_name: `exp-${randomUUID()}` });
      return body.experiment_id;
    }

    /** A pipeline of two versions of the EPOCHS spec; returns the ids. */
    async function twoVersions() {
      const created = await api.call('POST', `${PIPELINES}/create`, {
        pipeline: { name: `epochs-${randomUUID().slice(0, 8)}` },
        pipeline_version: { pipeline_spec: EPOCHS },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const pipelineId: string = created.body.pipeline_id;
      const second = await api.call('POST', `${PIPELINES}/${pipelineId}/versions`, {
        name: `v2-${randomUUID().slice(0, 8)}`,
        pipeline_spec: EPOCHS,
      });
      assert.equal(second.status, 200, JSON.stringify(second.body));
      const versions = await api.call('GET', `${PIPELINES}/${pipelineId}/versions?sort_by=created_at`);
      const [first] = versions.body.pipeline_versions.filter(
        (version: { pipeline_version_id: string }) =>
          version.pipeline_version_id !== second.body.pipeline_version_id,
      );
      return {
        pipelineId,
        firstVersionId: first.pipeline_version_id as string,
        latestVersionId: second.body.pipeline_version_id as string,
      };
    }

    test('create from an inline spec on a cron trigger, with KFP defaults, and get it back', async () => {
      const created = await create({
        display_name: ' hourly ',
        description: 'trains every hour',
        pipeline_spec: EPOCHS,
        runtime_config: { parameters: { num_epochs: 3 } },
        trigger: {
          cron_schedule: {
            cron: '0 0 * * * *',
            start_time: '2030-01-01T00:00:00.250+01:00',
            end_time: '2031-01-01T00:00:00Z',
          },
        },
        // Output fields are ignored, as in KFP.
        recurring_run_id: 'mine',
        status: 'DISABLED',
        created_at: '2000-01-01T00:00:00Z',
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const { recurring_run_id: id, experiment_id, created_at, updated_at, ...rest } = created.body;
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.equal(created_at, updated_at);
      assert.ok(Date.parse(created_at) > Date.parse('2020-01-01T00:00:00Z'));
      assert.deepEqual(rest, {
        display_name: 'hourly',
        description: 'trains every hour',
        pipeline_spec: EPOCHS,
        runtime_config: { parameters: { num_epochs: 3 } },
        max_concurrency: '1',
        // Whole seconds, in UTC, as KFP keeps them.
        trigger: {
          cron_schedule: {
            cron: '0 0 * * * *',
            start_time: '2029-12-31T23:00:00Z',
            end_time: '2031-01-01T00:00:00Z',
          },
        },
        mode: 'ENABLE',
        status: 'ENABLED',
        no_catchup: false,
      });
      const experiment = await api.call('GET', `${EXPERIMENTS}/${experiment_id}`);
      assert.equal(experiment.body.display_name, 'Default');

      assert.deepEqual(await get(id), { status: 200, body: created.body });
    });

    test('create from a pipeline version on a periodic trigger, with every field set', async () => {
      const { pipelineId, firstVersionId, latestVersionId } = await twoVersions();
      const experimentId = await newExperiment();
      const created = await create({
        display_name: 'every hour, paused',
        pipeline_version_reference: { pipeline_id: pipelineId, pipeline_version_id: firstVersionId },
        runtime_config: { parameters: { num_epochs: 5 }, pipeline_root: 'file:///tmp/roots' },
        trigger: { periodic_schedule: { interval_second: 3600, start_time: '2099-01-01T00:00:00Z' } },
        max_concurrency: 5,
        mode: 'DISABLE',
        no_catchup: true,
        experiment_id: experimentId,
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.deepEqual(
        { ...created.body, recurring_run_id: undefined, created_at: undefined, updated_at: undefined },
        {
          display_name: 'every hour, paused',
          pipeline_version_reference: { pipeline_id: pipelineId, pipeline_version_id: firstVersionId },
          runtime_config: { parameters: { num_epochs: 5 }, pipeline_root: 'file:///tmp/roots' },
          max_concurrency: '5',
          trigger: { periodic_schedule: { interval_second: '3600', start_time: '2099-01-01T00:00:00Z' } },
          mode: 'DISABLE',
          status: 'DISABLED',
          no_catchup: true,
          experiment_id: experimentId,
          recurring_run_id: undefined,
          created_at: undefined,
          updated_at: undefined,
        },
      );

      // A pipeline alone means its latest version, resolved now; int64 fields may come as strings; the
      // deprecated top-level pipeline_version_id still names a version.
      const latest = await create({
        display_name: 'latest',
        pipeline_version_reference: { pipeline_id: pipelineId },
        runtime_config: { parameters: { num_epochs: 1 } },
        trigger: { periodic_schedule: { interval_second: '60', start_time: '2099-01-01T00:00:00Z' } },
        max_concurrency: '2',
      });
      assert.equal(latest.status, 200, JSON.stringify(latest.body));
      assert.deepEqual(latest.body.pipeline_version_reference, {
        pipeline_id: pipelineId,
        pipeline_version_id: latestVersionId,
      });
      assert.equal(latest.body.max_concurrency, '2');
      const deprecated = await create({
        display_name: 'deprecated field',
        pipeline_version_id: firstVersionId,
        runtime_config: { parameters: { num_epochs: 1 } },
        trigger: HOURLY,
      });
      assert.equal(deprecated.status, 200, JSON.stringify(deprecated.body));
      assert.deepEqual(deprecated.body.pipeline_version_reference, {
        pipeline_id: pipelineId,
        pipeline_version_id: firstVersionId,
      });
    });

    test('bad requests get a 4xx naming the field, and leave nothing behind', async () => {
      const { pipelineId } = await twoVersions();
      const archived = await newExperiment();
      await api.call('POST', `${EXPERIMENTS}/${archived}:archive`);
      const missingExperiment = randomUUID();
      const missingVersion = randomUUID();
      const missingPipeline = randomUUID();
      const valid = {
        display_name: 'refused',
        pipeline_spec: EPOCHS,
        runtime_config: { parameters: { num_epochs: 3 } },
        trigger: HOURLY,
      };
      const cases: [Record<string, unknown>, number, number, RegExp][] = [
        [
          { ...valid, display_name: undefined },
          400,
          3,
          /^display_name is empty; a recurring run needs a name$/,
        ],
        [{ ...valid, display_name: '  ' }, 400, 3, /^display_name is empty/],
        [
          { ...valid, trigger: undefined },
          400,
          3,
          /^trigger is missing; expected an object with cron_schedule/,
        ],
        [{ ...valid, trigger: {} }, 400, 3, /^trigger sets neither cron_schedule nor periodic_schedule/],
        [
          { ...valid, trigger: { ...HOURLY, periodic_schedule: { interval_second: '60' } } },
          400,
          3,
          /^trigger sets both cron_schedule and periodic_schedule/,
        ],
        [
          { ...valid, trigger: { cron_schedule: { cron: '0 0 61 * * *' } } },
          400,
          3,
          /^trigger\.cron_schedule\.cron "0 0 61 \* \* \*" has an invalid hours field "61": 61 is above the maximum 23$/,
        ],
        [
          { ...valid, trigger: { periodic_schedule: { interval_second: '0' } } },
          400,
          3,
          /^trigger\.periodic_schedule\.interval_second is "0"; expected a whole number of seconds, at least 1$/,
        ],
        [
          {
            ...valid,
            trigger: {
              cron_schedule: {
                cron: '0 0 * * * *',
                start_time: '2030-01-02T00:00:00Z',
                end_time: '2030-01-01T00:00:00Z',
              },
            },
          },
          400,
          3,
          /^trigger\.cron_schedule\.end_time \(2030-01-01T00:00:00Z\) is not after trigger\.cron_schedule\.start_time/,
        ],
        [
          { ...valid, trigger: { cron_schedule: { cron: '0 0 * * * *', timezone: 'UTC' } } },
          400,
          3,
          /^body\.trigger\.cron_schedule has an unknown field "timezone"; the known fields: cron, start_time, end_time$/,
        ],
        [
          { ...valid, trigger: { cron_schedule: { start_time: '2030-01-01T00:00:00Z' } } },
          400,
          3,
          /^body\.trigger\.cron_schedule is missing the field "cron"$/,
        ],
        [
          { ...valid, max_concurrency: '11' },
          400,
          3,
          /^max_concurrency is "11"; expected a whole number from 1 to 10$/,
        ],
        [
          { ...valid, max_concurrency: 0 },
          400,
          3,
          /^max_concurrency is 0; expected a whole number from 1 to 10$/,
        ],
        [{ ...valid, max_concurrency: 'ten' }, 400, 3, /^body\.max_concurrency is "ten"; expected /],
        [
          { ...valid, mode: 'SOMETIMES' },
          400,
          3,
          /^body\.mode is "SOMETIMES"; expected one of "MODE_UNSPECIFIED", "ENABLE", "DISABLE"$/,
        ],
        [{ ...valid, colour: 'red' }, 400, 3, /^body has an unknown field "colour"/],
        [
          { ...valid, pipeline_spec: undefined },
          400,
          3,
          /^a recurring run has no pipeline: send pipeline_version_reference\.pipeline_id/,
        ],
        [
          { ...valid, pipeline_version_reference: { pipeline_id: pipelineId } },
          400,
          3,
          /^a recurring run sets both pipeline_spec and pipeline_version_reference; send one$/,
        ],
        [
          { ...valid, runtime_config: { parameters: { num_epochs: 'three' } } },
          400,
          3,
          /^parameter "num_epochs" is "three", which is not a NUMBER_INTEGER value$/,
        ],
        [
          { ...valid, runtime_config: {} },
          400,
          3,
          /^parameter "num_epochs" \(NUMBER_INTEGER\) is required and has no default$/,
        ],
        [
          { ...valid, runtime_config: { parameters: { num_epochs: 3, epochs: 3 } } },
          400,
          3,
          /^parameter "epochs" is not an input of the pipeline; its inputs: num_epochs$/,
        ],
        [
          { ...valid, pipeline_spec: { pipelineInfo: { name: 'x' } } },
          400,
          3,
          /^the pipeline spec does not validate:/,
        ],
        [
          { ...valid, experiment_id: missingExperiment },
          404,
          5,
          new RegExp(`^experiment ${missingExperiment} does not exist$`),
        ],
        [
          { ...valid, experiment_id: 'nope' },
          400,
          3,
          /^body\.experiment_id is "nope"; expected a UUID, or empty for none$/,
        ],
        [
          { ...valid, experiment_id: archived },
          400,
          9,
          new RegExp(
            `^experiment ${archived} is archived; unarchive it before adding a recurring run to it$`,
          ),
        ],
        [
          {
            ...valid,
            pipeline_spec: undefined,
            pipeline_version_reference: { pipeline_id: pipelineId, pipeline_version_id: missingVersion },
          },
          404,
          5,
          new RegExp(missingVersion),
        ],
        [
          {
            ...valid,
            pipeline_spec: undefined,
            pipeline_version_reference: { pipeline_version_id: missingVersion },
          },
          404,
          5,
          new RegExp(`^pipeline version ${missingVersion} does not exist$`),
        ],
        [
          {
            ...valid,
            pipeline_spec: undefined,
            pipeline_version_reference: { pipeline_id: missingPipeline },
          },
          404,
          5,
          new RegExp(missingPipeline),
        ],
      ];
      const before = await list('page_size=1');
      for (const [body, status, code, message] of cases) {
        const answer = await create(body);
        assert.equal(answer.status, status, JSON.stringify({ body, answer }));
        assert.equal(answer.body.code, code, JSON.stringify(answer.body));
        assert.match(answer.body.message, message);
        assert.deepEqual(answer.body.details, []);
      }
      assert.equal((await list('page_size=1')).body.total_size, before.body.total_size);
    });

    test('list: experiment scope, pages, sort and filter', async () => {
      const experimentId = await newExperiment();
      const prefix = `listed-${randomUUID().slice(0, 8)}`;
      for (const name of ['b', 'a', 'c']) {
        const created = await create({
          display_name: `${prefix}-${name}`,
          pipeline_spec: EPOCHS,
          runtime_config: { parameters: { num_epochs: 1 } },
          trigger: HOURLY,
          experiment_id: experimentId,
        });
        assert.equal(created.status, 200, JSON.stringify(created.body));
      }
      const names = (answer: { body: { recurringRuns: { display_name: string }[] } }) =>
        answer.body.recurringRuns.map((recurring) => recurring.display_name);

      const first = await list(`experiment_id=${experimentId}&page_size=2&sort_by=display_name%20desc`);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(names(first), [`${prefix}-c`, `${prefix}-b`]);
      assert.equal(first.body.total_size, 3);
      const token = encodeURIComponent(first.body.next_page_token);
      const second = await list(`experiment_id=${experimentId}&page_token=${token}`);
      assert.deepEqual(names(second), [`${prefix}-a`]);
      assert.equal(second.body.next_page_token, '');
      const elsewhere = await list(`experiment_id=${await newExperiment()}&page_token=${token}`);
      assert.equal(elsewhere.status, 400);
      assert.match(elsewhere.body.message, /^page_token: issued for another list of recurring runs/);

      const filter = encodeURIComponent(
        JSON.stringify({
          predicates: [{ key: 'display_name', operation: 'IS_SUBSTRING', string_value: prefix }],
        }),
      );
      const filtered = await list(`filter=${filter}&sort_by=created_at%20desc`);
      assert.equal(filtered.body.total_size, 3);
      assert.deepEqual(names(filtered), [`${prefix}-c`, `${prefix}-a`, `${prefix}-b`]);
      const empty = await list(`experiment_id=${await newExperiment()}`);
      assert.deepEqual(empty.body, { recurringRuns: [], total_size: 0, next_page_token: '' });

      const badSort = await list('sort_by=status');
      assert.equal(badSort.status, 400);
      assert.match(badSort.body.message, /status/);
      assert.match(badSort.body.message, /display_name/);
      const missing = randomUUID();
      const unknown = await list(`experiment_id=${missing}`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.message, `experiment ${missing} does not exist`);
      const malformed = await list('experiment_id=nope');
      assert.equal(malformed.status, 400);
      assert.equal(
        malformed.body.message,
        'querystring.experiment_id is "nope"; expected a UUID, or empty for none',
      );
    });

    test('disable and enable show in status and mode; unknown ids are 404, malformed ones 400', async () => {
      const { body } = await create({
        display_name: 'toggled',
        pipeline_spec: EPOCHS,
        runtime_config: { parameters: { num_epochs: 1 } },
        trigger: HOURLY,
      });
      const id = body.recurring_run_id;
      const disable = await call(
        'RecurringRunService_DisableRecurringRun',
        'POST',
        `${RECURRING}/${id}:disable`,
      );
      assert.deepEqual(disable, { status: 200, body: {} });
      const disabled = (await get(id)).body;
      assert.equal(disabled.status, 'DISABLED');
      assert.equal(disabled.mode, 'DISABLE');
      assert.ok(Date.parse(disabled.updated_at) >= Date.parse(body.updated_at));
      const enable = await call(
        'RecurringRunService_EnableRecurringRun',
        'POST',
        `${RECURRING}/${id}:enable`,
      );
      assert.deepEqual(enable, { status: 200, body: {} });
      const enabled = (await get(id)).body;
      assert.deepEqual([enabled.status, enabled.mode], ['ENABLED', 'ENABLE']);

      for (const missing of [randomUUID(), 'nope']) {
        const status = missing === 'nope' ? 400 : 404;
        for (const [operationId, method, url] of [
          ['RecurringRunService_GetRecurringRun', 'GET', `${RECURRING}/${missing}`],
          ['RecurringRunService_DeleteRecurringRun', 'DELETE', `${RECURRING}/${missing}`],
          ['RecurringRunService_EnableRecurringRun', 'POST', `${RECURRING}/${missing}:enable`],
          ['RecurringRunService_DisableRecurringRun', 'POST', `${RECURRING}/${missing}:disable`],
        ] as const) {
          const answer = await call(operationId, method, url);
          assert.equal(answer.status, status, `${method} ${url}`);
          assert.deepEqual(answer.body, {
            code: status === 400 ? 3 : 5,
            message:
              status === 400
                ? 'params.recurring_run_id is "nope"; expected a UUID'
                : `recurring run ${missing} does not exist`,
            details: [],
          });
        }
      }
    });

    test('an enabled recurring run fires runs that name it; deleting it keeps them', async () => {
      const { body } = await create({
        display_name: 'catching up',
        pipeline_spec: EPOCHS,
        runtime_config: { parameters: { num_epochs: 2 } },
        // Three slots long past, all due: 00:01, 00:02 and 00:03.
        trigger: {
          periodic_schedule: {
            interval_second: '60',
            start_time: '2020-01-01T00:00:00Z',
            end_time: '2020-01-01T00:03:00Z',
          },
        },
        max_concurrency: '3',
      });
      assert.equal(body.status, 'ENABLED');
      const id: string = body.recurring_run_id;
      const report = await fireDueRecurringRuns(api.db, api.dialect, { catchupCap: 10 });
      const fired = report.fired.filter((slot) => slot.recurringRunId === id);
      assert.deepEqual(
        fired.map((slot) => [new Date(slot.slot).toISOString(), slot.error]),
        [
          ['2020-01-01T00:01:00.000Z', undefined],
          ['2020-01-01T00:02:00.000Z', undefined],
          ['2020-01-01T00:03:00.000Z', undefined],
        ],
      );
      const [firstRun] = fired;
      assert.ok(firstRun);
      const run = await api.call('GET', `/apis/v2beta1/runs/${firstRun.runId}`);
      assert.equal(run.status, 200, JSON.stringify(run.body));
      assert.equal(run.body.recurring_run_id, id);
      assert.equal(run.body.experiment_id, body.experiment_id);
      assert.equal(run.body.display_name, 'catching up 2020-01-01T00:01:00Z');
      assert.equal(run.body.scheduled_at, '2020-01-01T00:01:00Z');
      assert.deepEqual(run.body.runtime_config, { parameters: { num_epochs: 2 } });

      const deleted = await call('RecurringRunService_DeleteRecurringRun', 'DELETE', `${RECURRING}/${id}`);
      assert.deepEqual(deleted, { status: 200, body: {} });
      assert.equal((await get(id)).status, 404);
      const kept = await api.call('GET', `/apis/v2beta1/runs/${firstRun.runId}`);
      assert.equal(kept.status, 200);
      assert.equal(kept.body.recurring_run_id, undefined);
    });

    test('the OpenAPI document lists the operations', async () => {
      const { body } = await api.call('GET', '/apis/v2beta1/openapi.json');
      assert.equal(body.paths[RECURRING].post.operationId, 'RecurringRunService_CreateRecurringRun');
      assert.equal(body.paths[RECURRING].get.operationId, 'RecurringRunService_ListRecurringRuns');
      assert.deepEqual(Object.keys(body.paths[`${RECURRING}/{recurring_run_id}`]).sort(), ['delete', 'get']);
      for (const verb of ['enable', 'disable']) {
        assert.deepEqual(Object.keys(body.paths[`${RECURRING}/{recurring_run_id}:${verb}`]), ['post']);
      }
    });
  });
}
