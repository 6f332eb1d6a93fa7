// Lineage through the API, over what real runs recorded: an artifact traced back to its inputs, what read
// an artifact, and what a run produced, cache hits included. On every dialect.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dialectTargets } from '../support/test-databases.ts';
import { artifactPipelineSpec } from './support/artifact-pipeline.ts';
import { type EngineApi, startEngineApi } from './support/engine-api.ts';

const ARTIFACTS = '/apis/v2beta1/artifacts';

interface Step {
  execution: { execution_id: string; name: string; task_id: string };
  task: { name: string };
  inputs: { name: string; artifact_id: string }[];
  outputs: { name: string; artifact_id: string }[];
  depth: number;
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`lineage API on ${dialect}`, { skip }, () => {
    let api: EngineApi;
    let runId: string;
    let cachedRunId: string;
    /** The first run's artifacts by output name. */
    const artifactIds = new Map<string, string>();
    /** The first run's task ids by task name. */
    const taskIds = new Map<string, string>();

    const json = async (url: string) => {
      const answer = await api.app.inject({ method: 'GET', url });
      return { status: answer.statusCode, body: JSON.parse(answer.body) };
    };
    const id = (name: string) => artifactIds.get(name) ?? '';

    before(async () => {
      api = await startEngineApi(dialect);
      const spec = artifactPipelineSpec(`lineage-${dialect}`);
      runId = await api.run(spec, 'first');
      assert.equal(await api.waitForRun(runId), 'SUCCEEDED');
      // The same pipeline again: every task is a cache hit on the first run's.
      cachedRunId = await api.run(spec, 'second');
      assert.equal(await api.waitForRun(cachedRunId), 'SUCCEEDED');
      const { body } = await json(`${ARTIFACTS}?run_id=${runId}`);
      for (const artifact of body.artifacts) artifactIds.set(artifact.name, artifact.artifact_id);
      for (const [taskPath, task] of await api.tasks(runId))
        taskIds.set(taskPath.replace(/^root\/?/, ''), task.id);
    });
    after(() => api.close());

    test('the lineage of an artifact: its producer, the inputs it read, and their producers', async () => {
      const { status, body } = await json(`${ARTIFACTS}/${id('page')}/lineage`);
      assert.equal(status, 200);
      assert.equal(body.artifact_id, id('page'));
      assert.equal(body.truncated, false);
      assert.deepEqual(
        body.artifacts.map((artifact: { name: string }) => artifact.name),
        ['page', 'data', 'model'],
      );
      assert.equal(body.artifacts[0].artifact_type, 'system.HTML');
      const steps = (body.steps as Step[]).map((step) => ({
        task: step.task.name,
        depth: step.depth,
        inputs: step.inputs.map((end) => [end.name, end.artifact_id]),
        outputs: step.outputs.map((end) => [end.name, end.artifact_id]),
      }));
      assert.deepEqual(steps, [
        {
          task: 'report',
          depth: 1,
          inputs: [
            ['data', id('data')],
            ['model', id('model')],
          ],
          outputs: [['page', id('page')]],
        },
        { task: 'make-data', depth: 2, inputs: [], outputs: [['data', id('data')]] },
        { task: 'train', depth: 2, inputs: [['data', id('data')]], outputs: [['model', id('model')]] },
      ]);
      const [report] = body.steps;
      assert.equal(report.execution.execution_type, 'system.ContainerExecution');
      assert.equal(report.execution.state, 'COMPLETE');
      assert.equal(report.execution.run_id, runId);
      assert.equal(report.execution.task_id, taskIds.get('report'));
      assert.equal(report.execution.properties.exit_code, 0);
      assert.deepEqual(report.task, {
        task_id: taskIds.get('report'),
        name: 'report',
        display_name: 'report',
        path: 'root/report',
        state: 'SUCCEEDED',
      });
      assert.deepEqual(report.run, { run_id: runId, display_name: 'first', state: 'SUCCEEDED' });

      const shallow = (await json(`${ARTIFACTS}/${id('page')}/lineage?max_depth=1`)).body;
      assert.deepEqual(
        shallow.steps.map((step: Step) => step.task.name),
        ['report'],
      );
      assert.equal(shallow.truncated, true);
      const none = (await json(`${ARTIFACTS}/${id('page')}/lineage?max_depth=0`)).body;
      assert.deepEqual([none.artifacts.length, none.steps, none.truncated], [1, [], true]);
    });

    test('the consumers of an artifact, newest first, cache hits that read it included', async () => {
      const { status, body } = await json(`${ARTIFACTS}/${id('data')}/consumers`);
      assert.equal(status, 200);
      assert.equal(body.artifact.artifact_id, id('data'));
      assert.equal(body.truncated, false);
      const readings = body.consumers.map(
        (consumer: {
          input_name: string;
          list_index: number;
          task: { name: string };
          run: { run_id: string };
        }) => [
          consumer.run.run_id === runId ? 'first' : 'second',
          consumer.task.name,
          consumer.input_name,
          consumer.list_index,
        ],
      );
      assert.deepEqual(readings.slice().sort(), [
        ['first', 'report', 'data', 0],
        ['first', 'train', 'data', 0],
        ['second', 'report', 'data', 0],
        ['second', 'train', 'data', 0],
      ]);
      assert.deepEqual(
        readings.slice(0, 2).map((reading: string[]) => reading[0]),
        ['second', 'second'],
      );
      const one = (await json(`${ARTIFACTS}/${id('data')}/consumers?limit=1`)).body;
      assert.deepEqual([one.consumers.length, one.truncated], [1, true]);
      assert.deepEqual((await json(`${ARTIFACTS}/${id('page')}/consumers`)).body.consumers, []);
    });

    test('what a run produced, execution by execution; a cached run outputs the original artifacts', async () => {
      const { status, body } = await json(`/apis/v2beta1/runs/${runId}/artifacts`);
      assert.equal(status, 200);
      assert.equal(body.run_id, runId);
      const produced = Object.fromEntries(
        body.executions.map(
          (entry: { task: { name: string }; outputs: Record<string, { artifact_id: string }[]> }) => [
            entry.task.name,
            Object.fromEntries(
              Object.entries(entry.outputs).map(([name, list]) => [
                name,
                list.map((artifact) => artifact.artifact_id),
              ]),
            ),
          ],
        ),
      );
      assert.deepEqual(produced, {
        'make-data': { data: [id('data')], files: [id('files')] },
        train: { metrics: [id('metrics')], model: [id('model')] },
        report: { page: [id('page')] },
      });

      const cached = (await json(`/apis/v2beta1/runs/${cachedRunId}/artifacts`)).body;
      const train = cached.executions.find(
        (entry: { task: { name: string } }) => entry.task.name === 'train',
      );
      assert.equal(train.execution.state, 'CACHED');
      assert.equal(train.execution.cached_from.task_id, taskIds.get('train'));
      assert.deepEqual(
        train.outputs.model.map((artifact: { artifact_id: string }) => artifact.artifact_id),
        [id('model')],
      );
      const listed = (await json(`${ARTIFACTS}?run_id=${cachedRunId}`)).body.artifacts;
      assert.deepEqual(
        listed.map((artifact: { artifact_id: string }) => artifact.artifact_id).sort(),
        [...artifactIds.values()].sort(),
        "ListArtifacts's run_id lists the same artifacts",
      );
    });

    test('unknown artifacts and runs are 404s that name the id; bounds are checked', async () => {
      const missing = randomUUID();
      for (const url of [`${ARTIFACTS}/${missing}/lineage`, `${ARTIFACTS}/${missing}/consumers`]) {
        assert.deepEqual(await json(url), {
          status: 404,
          body: { code: 5, message: `artifact ${missing} does not exist`, details: [] },
        });
      }
      assert.deepEqual((await json(`${ARTIFACTS}/nope/lineage`)).status, 400);
      assert.deepEqual(await json(`/apis/v2beta1/runs/${missing}/artifacts`), {
        status: 404,
        body: { code: 5, message: `run ${missing} does not exist`, details: [] },
      });
      const deep = await json(`${ARTIFACTS}/${id('page')}/lineage?max_depth=-1`);
      assert.deepEqual(
        [deep.status, deep.body.message],
        [400, 'querystring.max_depth is -1; it must be >= 0'],
      );
      const none = await json(`${ARTIFACTS}/${id('page')}/consumers?limit=0`);
      assert.deepEqual([none.status, none.body.message], [400, 'querystring.limit is 0; it must be >= 1']);
    });

    test('the OpenAPI document lists the lineage operations', async () => {
      const { paths } = (await json('/apis/v2beta1/openapi.json')).body;
      assert.equal(
        paths[`${ARTIFACTS}/{artifact_id}/lineage`].get.operationId,
        'ArtifactService_GetArtifactLineage',
      );
      assert.equal(
        paths[`${ARTIFACTS}/{artifact_id}/consumers`].get.operationId,
        'ArtifactService_ListArtifactConsumers',
      );
      assert.equal(
        paths['/apis/v2beta1/runs/{run_id}/artifacts'].get.operationId,
        'RunService_ListRunArtifacts',
      );
    });
  });
}
