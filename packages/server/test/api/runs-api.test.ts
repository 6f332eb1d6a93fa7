// The runs API: KFP's RunService over the engine. Runs created here execute on a real worker, so
// terminate, retry and task details are checked against what actually ran. On every dialect.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { compile, containerComponent, Parameter, pipeline } from '@cairn/sdk';
import { parse as parseYaml } from 'yaml';
import { dialectTargets } from '../support/test-databases.ts';
import { startApi, type TestApi } from './support/api-harness.ts';

const RUNS = '/apis/v2beta1/runs';
const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED'];

/** A one-task pipeline whose task runs `script` in sh, with `word` as $0. */
function shellPipeline(name: string, script: string) {
  const step = containerComponent({
    name: 'step',
    image: 'busybox',
    inputs: { word: Parameter.String },
    command: ({ inputs }) => ['sh', '-c', script, inputs.word],
  });
  return parseYaml(
    compile(
      pipeline({ name, inputs: { word: Parameter.String } }, ({ word }) => {
        step({ word });
      }),
    ),
  ) as Record<string, unknown>;
}

const ECHO = shellPipeline('echo-word', 'echo "$0"');

async function waitFinal(api: TestApi, runId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await api.call('GET', `${RUNS}/${runId}`);
    assert.equal(status, 200, JSON.stringify(body));
    if (FINAL.includes(body.state)) return body;
    assert.ok(Date.now() < deadline, `run ${runId} still ${body.state}`);
    await sleep(50);
  }
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`runs API on ${dialect}`, { skip }, () => {
    let api: TestApi;
    before(async () => {
      api = await startApi(dialect, 1024 * 1024, { worker: true });
    });
    after(() => api.close());

    test('a run from an inline spec executes, in the Default experiment, with its task details', async () => {
      const created = await api.call('POST', RUNS, {
        display_name: ' echo ',
        description: 'says a word',
        pipeline_spec: ECHO,
        runtime_config: { parameters: { word: 'hello' } },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const runId = created.body.run_id;
      assert.match(runId, /^[0-9a-f-]{36}$/);
      assert.equal(created.body.display_name, 'echo');
      assert.deepEqual(created.body.runtime_config, { parameters: { word: 'hello' } });
      assert.equal(created.body.storage_state, 'AVAILABLE');
      assert.ok(created.body.pipeline_spec.pipelineInfo, 'the inline spec comes back as an object');

      const run = await waitFinal(api, runId);
      assert.equal(run.state, 'SUCCEEDED', JSON.stringify(run.error));
      assert.deepEqual(
        run.state_history.map((entry: { state: string }) => entry.state),
        ['PENDING', 'RUNNING', 'SUCCEEDED'],
      );
      assert.ok(run.finished_at >= run.created_at);
      const tasks = run.run_details.task_details;
      const root = tasks.find((task: { pod_name: string }) => task.pod_name === 'root');
      const step = tasks.find((task: { pod_name: string }) => task.pod_name === 'root/step');
      assert.equal(root.state, 'SUCCEEDED');
      assert.equal(root.executor_detail, undefined, 'a DAG runs no executor');
      assert.deepEqual(root.child_tasks, [{ task_id: step.task_id }]);
      assert.equal(step.display_name, 'step');
      assert.equal(step.parent_task_id, root.task_id);
      assert.deepEqual(step.executor_detail, { main_job: 'root/step' });
      assert.equal(step.state, 'SUCCEEDED');
      assert.ok(step.start_time && step.end_time);

      const experiment = await api.call('GET', `/apis/v2beta1/experiments/${run.experiment_id}`);
      assert.equal(experiment.body.display_name, 'Default');
      assert.ok(experiment.body.last_run_created_at);
      const second = await api.call('POST', RUNS, {
        display_name: 'again',
        pipeline_spec: ECHO,
        runtime_config: { parameters: { word: 'again' } },
      });
      assert.equal(second.body.experiment_id, run.experiment_id, 'one Default experiment');
      await waitFinal(api, second.body.run_id);
    });

    test('a run from a pipeline version reference; a pipeline alone means its newest version', async () => {
      const made = await api.call('POST', '/apis/v2beta1/pipelines/create', {
        pipeline: { name: `echo-${randomUUID()}` },
        pipeline_version: { name: 'v1', pipeline_spec: ECHO },
      });
      assert.equal(made.status, 200, JSON.stringify(made.body));
      const pipelineId = made.body.pipeline_id;
      await sleep(5); // versions are ordered by their creation time, in milliseconds
      const v2 = await api.call('POST', `/apis/v2beta1/pipelines/${pipelineId}/versions`, {
        name: 'v2',
        pipeline_spec: ECHO,
      });
      const experiment = await api.call('POST', '/apis/v2beta1/experiments', {
        display_name: `exp-${randomUUID()}`,
      });
      const latest = await api.call('POST', RUNS, {
        display_name: 'latest',
        experiment_id: experiment.body.experiment_id,
        pipeline_version_reference: { pipeline_id: pipelineId },
        runtime_config: { parameters: { word: 'v' } },
      });
      assert.equal(latest.status, 200, JSON.stringify(latest.body));
      assert.deepEqual(latest.body.pipeline_version_reference, {
        pipeline_id: pipelineId,
        pipeline_version_id: v2.body.pipeline_version_id,
      });
      assert.equal(latest.body.pipeline_spec, undefined);
      assert.equal(latest.body.experiment_id, experiment.body.experiment_id);

      const deprecated = await api.call('POST', RUNS, {
        display_name: 'by version id',
        pipeline_version_id: v2.body.pipeline_version_id,
        runtime_config: { parameters: { word: 'w' } },
      });
      assert.equal(deprecated.status, 200, JSON.stringify(deprecated.body));
      assert.equal(deprecated.body.pipeline_version_reference.pipeline_id, pipelineId);
      assert.equal((await waitFinal(api, latest.body.run_id)).state, 'SUCCEEDED');
      await waitFinal(api, deprecated.body.run_id);
    });

    test('bad runs are refused with the field, the value and what was expected', async () => {
      const archived = await api.call('POST', '/apis/v2beta1/experiments', {
        display_name: `archived-${randomUUID()}`,
      });
      await api.call('POST', `/apis/v2beta1/experiments/${archived.body.experiment_id}:archive`);
      const missing = randomUUID();
      const cases: [string, unknown, number, number, RegExp][] = [
        ['no name', { pipeline_spec: ECHO }, 400, 3, /display_name is empty; a run needs a name/],
        ['no pipeline', { display_name: 'x' }, 400, 3, /a run has no pipeline/],
        [
          'both pipelines',
          { display_name: 'x', pipeline_spec: ECHO, pipeline_version_reference: { pipeline_id: missing } },
          400,
          3,
          /sets both pipeline_spec and pipeline_version_reference/,
        ],
        [
          'unknown parameter',
          { display_name: 'x', pipeline_spec: ECHO, runtime_config: { parameters: { word: 'a', nope: 1 } } },
          400,
          3,
          /parameter "nope" is not an input of the pipeline; its inputs: word/,
        ],
        [
          'wrong parameter type',
          { display_name: 'x', pipeline_spec: ECHO, runtime_config: { parameters: { word: 3 } } },
          400,
          3,
          /parameter "word" is 3, which is not a STRING value/,
        ],
        [
          'missing parameter',
          { display_name: 'x', pipeline_spec: ECHO },
          400,
          3,
          /parameter "word" \(STRING\) is required and has no default/,
        ],
        [
          'unknown runtime_config field',
          { display_name: 'x', pipeline_spec: ECHO, runtime_config: { params: {} } },
          400,
          3,
          /runtime_config/,
        ],
        [
          'spec that does not validate',
          { display_name: 'x', pipeline_spec: { pipelineInfo: { name: 'p' } } },
          400,
          3,
          /./,
        ],
        [
          'nonexistent pipeline',
          { display_name: 'x', pipeline_version_reference: { pipeline_id: missing } },
          404,
          5,
          new RegExp(`pipeline ${missing}`),
        ],
        [
          'nonexistent version',
          { display_name: 'x', pipeline_version_reference: { pipeline_version_id: missing } },
          404,
          5,
          new RegExp(`pipeline version ${missing} does not exist`),
        ],
        [
          'malformed pipeline id',
          { display_name: 'x', pipeline_version_reference: { pipeline_id: 'nope' } },
          400,
          3,
          /^body\.pipeline_version_reference\.pipeline_id is "nope"; expected a UUID, or empty for none$/,
        ],
        [
          'nonexistent experiment',
          {
            display_name: 'x',
            experiment_id: missing,
            pipeline_spec: ECHO,
            runtime_config: { parameters: { word: 'a' } },
          },
          404,
          5,
          new RegExp(`experiment ${missing} does not exist`),
        ],
        [
          'archived experiment',
          {
            display_name: 'x',
            experiment_id: archived.body.experiment_id,
            pipeline_spec: ECHO,
            runtime_config: { parameters: { word: 'a' } },
          },
          400,
          9,
          /is archived; unarchive it before adding a run to it/,
        ],
      ];
      const before = await api.db.selectFrom('runs').select('id').execute();
      for (const [name, body, status, code, message] of cases) {
        const answer = await api.call('POST', RUNS, body);
        assert.equal(answer.status, status, `${name}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.code, code, name);
        assert.match(answer.body.message, message, name);
      }
      const malformed = await api.call('GET', `${RUNS}/nope`);
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.message, 'params.run_id is "nope"; expected a UUID');
      const afterwards = await api.db.selectFrom('runs').select('id').execute();
      assert.equal(afterwards.length, before.length, 'a refused run leaves nothing behind');
      for (const [method, url] of [
        ['GET', `${RUNS}/${missing}`],
        ['DELETE', `${RUNS}/${missing}`],
        ['POST', `${RUNS}/${missing}:archive`],
        ['POST', `${RUNS}/${missing}:terminate`],
        ['POST', `${RUNS}/${missing}:retry`],
      ] as const) {
        const answer = await api.call(method, url);
        assert.equal(answer.status, 404, `${method} ${url}`);
        assert.equal(answer.body.message, `run ${missing} does not exist`);
      }
    });

    test('list: scoped to an experiment, filtered, sorted and paged, without the heavy parts', async () => {
      const experiment = await api.call('POST', '/apis/v2beta1/experiments', {
        display_name: `list-${randomUUID()}`,
      });
      const experimentId = experiment.body.experiment_id;
      const ids: string[] = [];
      for (const word of ['a', 'b', 'c']) {
        const run = await api.call('POST', RUNS, {
          display_name: `list-${word}`,
          experiment_id: experimentId,
          pipeline_spec: ECHO,
          runtime_config: { parameters: { word } },
        });
        ids.push(run.body.run_id);
      }
      for (const id of ids) await waitFinal(api, id);
      const first = await api.call(
        'GET',
        `${RUNS}?experiment_id=${experimentId}&page_size=2&sort_by=${encodeURIComponent('display_name desc')}`,
      );
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.total_size, 3);
      assert.deepEqual(
        first.body.runs.map((run: { display_name: string }) => run.display_name),
        ['list-c', 'list-b'],
      );
      assert.equal(first.body.runs[0].run_details, undefined);
      assert.equal(first.body.runs[0].pipeline_spec, undefined);
      const second = await api.call(
        'GET',
        `${RUNS}?experiment_id=${experimentId}&page_size=2&page_token=${first.body.next_page_token}`,
      );
      assert.deepEqual(
        second.body.runs.map((run: { display_name: string }) => run.display_name),
        ['list-a'],
      );
      assert.equal(second.body.next_page_token, '');
      const filter = encodeURIComponent(
        JSON.stringify({
          predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: 'list-b' }],
        }),
      );
      const filtered = await api.call('GET', `${RUNS}?experiment_id=${experimentId}&filter=${filter}`);
      assert.deepEqual(
        filtered.body.runs.map((run: { run_id: string }) => run.run_id),
        [ids[1]],
      );
      const missing = randomUUID();
      const unknown = await api.call('GET', `${RUNS}?experiment_id=${missing}`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.message, `experiment ${missing} does not exist`);
      const badSort = await api.call('GET', `${RUNS}?sort_by=colour`);
      assert.equal(badSort.status, 400);
      assert.match(badSort.body.message, /colour/);
    });

    test('terminate a long run; a run in flight cannot be deleted, an ended one can', async () => {
      const nap = shellPipeline('nap', 'sleep 30');
      const created = await api.call('POST', RUNS, {
        display_name: 'nap',
        pipeline_spec: nap,
        runtime_config: { parameters: { word: 'zz' } },
      });
      const runId = created.body.run_id;
      const deadline = Date.now() + 20_000;
      for (;;) {
        const { body } = await api.call('GET', `${RUNS}/${runId}`);
        const step = body.run_details.task_details.find(
          (task: { pod_name: string }) => task.pod_name === 'root/step',
        );
        if (step?.state === 'RUNNING') break;
        assert.ok(Date.now() < deadline, 'the task never started');
        await sleep(50);
      }
      const refused = await api.call('DELETE', `${RUNS}/${runId}`);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 9);
      assert.match(refused.body.message, /is RUNNING; terminate it/);
      const terminated = await api.call('POST', `${RUNS}/${runId}:terminate`);
      assert.equal(terminated.status, 200);
      assert.deepEqual(terminated.body, {});
      const run = await waitFinal(api, runId);
      assert.equal(run.state, 'CANCELED');
      const step = run.run_details.task_details.find(
        (task: { pod_name: string }) => task.pod_name === 'root/step',
      );
      assert.equal(step.state, 'CANCELED');
      assert.equal(step.error.code, 1);
      const deleted = await api.call('DELETE', `${RUNS}/${runId}`);
      assert.equal(deleted.status, 200);
      assert.equal((await api.call('GET', `${RUNS}/${runId}`)).status, 404);
      const tasks = await api.db.selectFrom('tasks').select('id').where('run_id', '=', runId).execute();
      assert.deepEqual(tasks, [], 'its tasks went with it');
    });

    test('retry a failed run: it runs again and succeeds', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-api-retry-'));
      const gate = path.join(dir, 'gate');
      const gated = shellPipeline('gated', 'test -e "$0" || { echo "no gate at $0" >&2; exit 3; }');
      const created = await api.call('POST', RUNS, {
        display_name: 'gated',
        pipeline_spec: gated,
        runtime_config: { parameters: { word: gate } },
      });
      const failed = await waitFinal(api, created.body.run_id);
      assert.equal(failed.state, 'FAILED');
      assert.equal(failed.error.code, 2);
      const notAgain = await api.call('POST', `${RUNS}/${created.body.run_id}:retry`);
      assert.equal(notAgain.status, 200);
      const busy = await api.call('POST', `${RUNS}/${created.body.run_id}:retry`);
      if (busy.status !== 200) {
        assert.equal(busy.status, 400);
        assert.match(busy.body.message, /only a FAILED or CANCELED run can be retried/);
      }
      await waitFinal(api, created.body.run_id);
      writeFileSync(gate, '');
      assert.ok(existsSync(gate));
      assert.equal((await api.call('POST', `${RUNS}/${created.body.run_id}:retry`)).status, 200);
      const retried = await waitFinal(api, created.body.run_id);
      assert.equal(retried.state, 'SUCCEEDED', JSON.stringify(retried.error));
      const succeeded = await api.call('POST', `${RUNS}/${created.body.run_id}:retry`);
      assert.equal(succeeded.status, 400);
      assert.match(succeeded.body.message, /is SUCCEEDED; only a FAILED or CANCELED run can be retried/);
      rmSync(dir, { recursive: true, force: true });
    });

    test('archive and unarchive; not while the experiment is archived', async () => {
      const experiment = await api.call('POST', '/apis/v2beta1/experiments', {
        display_name: `arch-${randomUUID()}`,
      });
      const experimentId = experiment.body.experiment_id;
      const created = await api.call('POST', RUNS, {
        display_name: 'to archive',
        experiment_id: experimentId,
        pipeline_spec: ECHO,
        runtime_config: { parameters: { word: 'x' } },
      });
      const runId = created.body.run_id;
      await waitFinal(api, runId);
      assert.equal((await api.call('POST', `${RUNS}/${runId}:archive`)).status, 200);
      assert.equal((await api.call('GET', `${RUNS}/${runId}`)).body.storage_state, 'ARCHIVED');
      const filter = encodeURIComponent(
        JSON.stringify({
          predicates: [{ key: 'storage_state', operation: 'EQUALS', string_value: 'ARCHIVED' }],
        }),
      );
      const archived = await api.call('GET', `${RUNS}?experiment_id=${experimentId}&filter=${filter}`);
      assert.deepEqual(
        archived.body.runs.map((run: { run_id: string }) => run.run_id),
        [runId],
      );
      assert.equal((await api.call('POST', `${RUNS}/${runId}:unarchive`)).status, 200);
      assert.equal((await api.call('GET', `${RUNS}/${runId}`)).body.storage_state, 'AVAILABLE');
      await api.call('POST', `/apis/v2beta1/experiments/${experimentId}:archive`);
      const refused = await api.call('POST', `${RUNS}/${runId}:unarchive`);
      assert.equal(refused.status, 400);
      assert.match(refused.body.message, /which is archived; unarchive the experiment first/);
    });
  });
}
