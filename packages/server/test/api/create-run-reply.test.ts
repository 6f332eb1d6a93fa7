// CreateRun answers with the run it made, built from what its transaction wrote rather than read back:
// the answer must be exactly what GetRun then reads, whatever the run. No worker runs, so nothing moves the
// run on between the two. On every dialect.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compile, containerComponent, Dataset, If, importer, Parameter, pipeline } from '@cairn/sdk';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { dialectTargets } from '../support/test-databases.ts';
import { startApi, type TestApi } from './support/api-harness.ts';

const RUNS = '/apis/v2beta1/runs';

const echo = containerComponent({
  name: 'echo',
  image: 'busybox',
  inputs: { word: Parameter.String },
  command: ({ inputs }) => ['echo', inputs.word],
});

function specOf(compiled: string): Record<string, unknown> {
  return parseYaml(compiled) as Record<string, unknown>;
}

const ECHO = specOf(
  compile(
    pipeline({ name: 'echo', inputs: { word: Parameter.String } }, ({ word }) => {
      echo({ word });
    }),
  ),
);

/** Its only task imports an artifact, which ends at once: the run ends in the transaction that made it. */
const IMPORT_ONLY = specOf(
  compile(
    pipeline({ name: 'import-only' }, () => {
      importer({ artifactUri: 'gs://bucket/data.csv', artifactClass: Dataset, metadata: { key: 'value' } });
    }),
  ),
);

const named = (name: string) => containerComponent({ name, image: 'busybox', command: () => ['true'] });

/** Three tasks that start at once, whose paths a linguistic collation would order ab, a-c, b. */
const SIBLINGS = specOf(
  compile(
    pipeline({ name: 'siblings' }, () => {
      named('b')({});
      named('ab')({});
      named('a-c')({});
    }),
  ),
);

/** An import that ends in the first pass, and a task that then waits for a worker. */
const IMPORT_THEN_ECHO = specOf(
  compile(
    pipeline({ name: 'import-then-echo' }, () => {
      importer({ artifactUri: 'gs://bucket/data.csv', artifactClass: Dataset });
      echo({ word: 'after' });
    }),
  ),
);

/** Its only task is skipped: the run ends at once too, with nothing to run. */
const NEVER = specOf(
  compile(
    pipeline({ name: 'never', inputs: { word: Parameter.String } }, ({ word }) => {
      If(word.eq('never'), () => {
        echo({ word });
      });
    }),
  ),
);

/** KFP's form of a spec with its PlatformSpec, stored as two YAML documents. */
const WITH_PLATFORM = (() => {
  const text = readFileSync(
    fileURLToPath(
      new URL('../../../../fixtures/kfp/ir/critical/pipeline_with_secret_as_env.yaml', import.meta.url),
    ),
    'utf8',
  );
  const [pipelineSpec, platformSpec] = parseAllDocuments(text).map((document) => document.toJS());
  return { pipeline_spec: pipelineSpec, platform_spec: platformSpec };
})();

for (const { dialect, skip } of await dialectTargets()) {
  describe(`CreateRun's answer on ${dialect}`, { skip }, () => {
    let api: TestApi;
    before(async () => {
      api = await startApi(dialect);
    });
    after(() => api.close());

    async function createdAsRead(body: Record<string, unknown>) {
      const created = await api.call('POST', RUNS, body);
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const read = await api.call('GET', `${RUNS}/${created.body.run_id}`);
      assert.deepEqual(created.body, read.body);
      return created.body;
    }

    test('a run waiting for its task, in the Default experiment', async () => {
      const run = await createdAsRead({
        display_name: 'echo',
        description: 'says a word',
        pipeline_spec: ECHO,
        runtime_config: { parameters: { word: 'hello' } },
      });
      assert.equal(run.state, 'RUNNING');
      assert.deepEqual(
        run.state_history.map((entry: { state: string }) => entry.state),
        ['PENDING', 'RUNNING'],
      );
      assert.deepEqual(
        run.run_details.task_details.map((task: { pod_name: string; state: string }) => [
          task.pod_name,
          task.state,
        ]),
        [
          ['root', 'RUNNING'],
          ['root/echo', 'PENDING'],
        ],
      );
    });

    test('a run of a pipeline version, in a named experiment', async () => {
      const made = await api.call('POST', '/apis/v2beta1/pipelines/create', {
        pipeline: { name: `echo-${randomUUID()}` },
        pipeline_version: { name: 'v1', pipeline_spec: ECHO },
      });
      const experiment = await api.call('POST', '/apis/v2beta1/experiments', {
        display_name: `exp-${randomUUID()}`,
      });
      const run = await createdAsRead({
        display_name: 'from a version',
        experiment_id: experiment.body.experiment_id,
        pipeline_version_reference: { pipeline_id: made.body.pipeline_id },
        runtime_config: { parameters: { word: 'v' }, pipeline_root: 'file:///tmp/root' },
      });
      assert.equal(run.experiment_id, experiment.body.experiment_id);
      assert.equal(run.pipeline_spec, undefined);
    });

    test('a run that ends in the transaction that made it, with the artifact it imported', async () => {
      const run = await createdAsRead({ display_name: 'imports', pipeline_spec: IMPORT_ONLY });
      assert.equal(run.state, 'SUCCEEDED');
      assert.deepEqual(
        run.state_history.map((entry: { state: string }) => entry.state),
        ['PENDING', 'RUNNING', 'SUCCEEDED'],
      );
      const imported = run.run_details.task_details.find(
        (task: { pod_name: string }) => task.pod_name !== 'root',
      );
      assert.ok(imported.execution_id);
      assert.equal(imported.outputs.artifact.artifact_ids.length, 1);
    });

    test('a run whose only task is skipped at once', async () => {
      const run = await createdAsRead({
        display_name: 'skips',
        pipeline_spec: NEVER,
        runtime_config: { parameters: { word: 'always' } },
      });
      assert.equal(run.state, 'SUCCEEDED');
    });

    test('tasks that start together, in code point order of their paths whatever the collation', async () => {
      const run = await createdAsRead({ display_name: 'siblings', pipeline_spec: SIBLINGS });
      assert.deepEqual(
        run.run_details.task_details.map((task: { pod_name: string }) => task.pod_name),
        ['root', 'root/a-c', 'root/ab', 'root/b'],
      );
    });

    test('a run still going whose first pass imported an artifact', async () => {
      const run = await createdAsRead({
        display_name: 'imports, then echoes',
        pipeline_spec: IMPORT_THEN_ECHO,
      });
      assert.equal(run.state, 'RUNNING');
      const states = run.run_details.task_details.map(
        (task: { pod_name: string; state: string }) => task.state,
      );
      assert.deepEqual(states.toSorted(), ['PENDING', 'RUNNING', 'SUCCEEDED']);
    });

    test('names with unpaired surrogates, which the databases do not store as sent', async () => {
      await createdAsRead({
        display_name: 'half \ud800 a pair',
        description: '\udc00 the other half',
        pipeline_spec: ECHO,
        runtime_config: { parameters: { word: '\ud800' } },
      });
    });

    test('a spec sent with its platform spec', async () => {
      const run = await createdAsRead({ display_name: 'with a platform', pipeline_spec: WITH_PLATFORM });
      assert.deepEqual(run.pipeline_spec, WITH_PLATFORM);
    });

    test("the experiment keeps its newest run's creation time, to the second as KFP does", async () => {
      const experiment = await api.call('POST', '/apis/v2beta1/experiments', {
        display_name: `exp-${randomUUID()}`,
      });
      const runs = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          api.call('POST', RUNS, {
            display_name: `concurrent ${index}`,
            experiment_id: experiment.body.experiment_id,
            pipeline_spec: ECHO,
            runtime_config: { parameters: { word: String(index) } },
          }),
        ),
      );
      const newest = runs
        .map((run) => Date.parse(run.body.created_at as string))
        .sort()
        .at(-1);
      assert.ok(newest !== undefined);
      const read = await api.call('GET', `/apis/v2beta1/experiments/${experiment.body.experiment_id}`);
      const second = new Date(newest - (newest % 1000)).toISOString().replace('.000Z', 'Z');
      assert.equal(read.body.last_run_created_at, second);
    });
  });
}
