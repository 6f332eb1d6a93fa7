// Pipelines run end to end through the engine: runs created in the database, tasks claimed by a worker
// through leases and run as local processes, outcomes and their consequences recorded in one
// transaction each. On every dialect, with a real filesystem artifact store.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  compile,
  containerComponent,
  loadPipelineModule,
  ParallelFor,
  Parameter,
  pipeline,
} from '@cairn/sdk';
import { queryArtifactConsumers } from '../../src/engine/lineage/queries/artifact-consumers.ts';
import { queryRunArtifacts } from '../../src/engine/lineage/queries/run-artifacts.ts';
import { createRun } from '../../src/engine/runs/create-run.ts';
import { retryRun } from '../../src/engine/runs/retry-run.ts';
import { terminateRun } from '../../src/engine/runs/terminate-run.ts';
import { dialectTargets } from '../support/test-databases.ts';
import {
  REPO_ROOT,
  runHistory,
  startEngine,
  type TestEngine,
  tasksOf,
  waitForRun,
} from './support/engine-harness.ts';

async function exampleSpec(file: string): Promise<string> {
  const { target } = await loadPipelineModule(path.join(REPO_ROOT, 'examples', file));
  return compile(target);
}

function fixtureSpec(file: string): string {
  return readFileSync(path.join(REPO_ROOT, 'fixtures/kfp/ir', file), 'utf8');
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`engine on ${dialect}`, { skip }, () => {
    let engine: TestEngine;
    before(async () => {
      engine = await startEngine(dialect);
    });
    after(() => engine.close());

    test('a container pipeline from KFP runs to SUCCEEDED', async () => {
      const runId = await createRun(engine.db, engine.dialect, {
        displayName: 'hello',
        pipelineSpec: fixtureSpec('hello_world.yaml'),
      });
      const run = await waitForRun(engine, runId);
      assert.equal(run.state, 'SUCCEEDED', run.error ?? '');
      const tasks = await tasksOf(engine, runId);
      assert.equal(tasks.get('root/echo')?.state, 'SUCCEEDED');
      assert.deepEqual(await runHistory(engine, runId), ['PENDING', 'RUNNING', 'SUCCEEDED']);
    });

    test('train-evaluate-deploy: artifacts flow, the condition picks the deploy branch', async () => {
      const runId = await createRun(engine.db, engine.dialect, {
        displayName: 'train',
        pipelineSpec: await exampleSpec('train-evaluate-deploy.ts'),
        parameters: { rows: 200, max_rmse: 0.5 },
      });
      const run = await waitForRun(engine, runId);
      assert.equal(run.state, 'SUCCEEDED', run.error ?? '');
      const tasks = await tasksOf(engine, runId);
      const states = Object.fromEntries([...tasks].map(([taskPath, row]) => [taskPath, row.state]));
      assert.equal(states['root/condition-branches-1/condition-2/deploy-model'], 'SUCCEEDED');
      assert.equal(states['root/condition-branches-1/condition-3'], 'SKIPPED');
      const root = JSON.parse(tasks.get('root')?.outputs ?? '{}');
      assert.ok(root.parameters.test_rmse > 0 && root.parameters.test_rmse < 0.5, JSON.stringify(root));
      const deploy = JSON.parse(
        tasks.get('root/condition-branches-1/condition-2/deploy-model')?.outputs ?? '{}',
      );
      const card = deploy.artifacts.card[0];
      const text = await readFile(path.join(engine.artifactsDir, card.storageKey), 'utf8');
      assert.match(text, /# Model card/);
    });

    test('sharded-word-count: a loop with a parallelism limit fans out and its outputs fan back in', async () => {
      const runId = await createRun(engine.db, engine.dialect, {
        displayName: 'words',
        pipelineSpec: await exampleSpec('sharded-word-count.ts'),
        parameters: { copies: 10, lines_per_shard: 7 },
      });
      const run = await waitForRun(engine, runId);
      assert.equal(run.state, 'SUCCEEDED', run.error ?? '');
      const tasks = await tasksOf(engine, runId);
      const iterations = [...tasks.keys()].filter((key) => /^root\/for-loop-1\/\d+$/.test(key));
      assert.equal(iterations.length, 5, 'ceil(30 lines / 7) shards');
      const root = JSON.parse(tasks.get('root')?.outputs ?? '{}');
      assert.equal(root.parameters.distinct_words, 9);
    });

    test('exit-handler-report: a failing step fails the run, the exit task still reports it', async () => {
      const runId = await createRun(engine.db, engine.dialect, {
        displayName: 'exit',
        pipelineSpec: await exampleSpec('exit-handler-report.ts'),
        parameters: { fail_on_purpose: true, failures_before_success: 0 },
      });
      const run = await waitForRun(engine, runId);
      assert.equal(run.state, 'FAILED');
      const tasks = await tasksOf(engine, runId);
      assert.equal(tasks.get('root/exit-handler-1/process-batch')?.state, 'FAILED');
      const report = tasks.get('root/report-status');
      assert.equal(report?.state, 'SUCCEEDED', report?.error ?? '');
      const status = JSON.parse(report?.inputs ?? '{}').parameters.status;
      assert.equal(status.state, 'FAILED');
      assert.match(status.error.message, /task process-batch: the command exited with code 1/);
    });

    test('exit-handler-report: a task that fails once succeeds on retry, after its backoff', async () => {
      const runId = await createRun(engine.db, engine.dialect, {
        displayName: 'retry',
        pipelineSpec: await exampleSpec('exit-handler-report.ts'),
        parameters: { fail_on_purpose: false, failures_before_success: 1 },
      });
      const run = await waitForRun(engine, runId);
      assert.equal(run.state, 'SUCCEEDED', run.error ?? '');
      const tasks = await tasksOf(engine, runId);
      const fetch = tasks.get('root/exit-handler-1/fetch-batch');
      assert.equal(fetch?.attempt, 2);
      assert.equal(JSON.parse(fetch?.outputs ?? '{}').parameters.batch_id, 'batch-2');
      assert.ok((fetch?.finished_at ?? 0) - (fetch?.created_at ?? 0) >= 1000, 'the 1 s backoff was kept');
      const status = JSON.parse(tasks.get('root/report-status')?.inputs ?? '{}').parameters.status;
      assert.equal(status.state, 'COMPLETE', 'KFP reports success as its metadata store does');
      assert.equal(status.pipelineTaskName, 'exit-handler-1');
      assert.match(status.pipelineJobResourceName, /^exit-handler-report-/);
    });

    test('a second identical run is served from the cache, unless the run turns caching off', async () => {
      const spec = await exampleSpec('sharded-word-count.ts');
      const parameters = { copies: 3, lines_per_shard: 4 };
      const first = await createRun(engine.db, engine.dialect, {
        displayName: 'c1',
        pipelineSpec: spec,
        parameters,
      });
      assert.equal((await waitForRun(engine, first)).state, 'SUCCEEDED');
      const second = await createRun(engine.db, engine.dialect, {
        displayName: 'c2',
        pipelineSpec: spec,
        parameters,
      });
      assert.equal((await waitForRun(engine, second)).state, 'SUCCEEDED');
      const executorTasks = async (runId: string) =>
        [...(await tasksOf(engine, runId)).values()].filter((row) => row.kind === 'container');
      const firstTasks = await executorTasks(first);
      const secondTasks = await executorTasks(second);
      assert.equal(secondTasks.length, firstTasks.length);
      assert.ok(firstTasks.every((row) => row.cached_from_task_id === null));
      const origins = new Set(firstTasks.map((row) => row.id));
      for (const row of secondTasks) {
        assert.ok(
          row.cached_from_task_id && origins.has(row.cached_from_task_id),
          `${row.path} was not cached`,
        );
      }
      const rootOf = async (runId: string) =>
        JSON.parse((await tasksOf(engine, runId)).get('root')?.outputs ?? '{}');
      assert.deepEqual(await rootOf(second), await rootOf(first));
      const third = await createRun(engine.db, engine.dialect, {
        displayName: 'c3',
        pipelineSpec: spec,
        parameters,
        enableCaching: false,
      });
      assert.equal((await waitForRun(engine, third)).state, 'SUCCEEDED');
      assert.ok((await executorTasks(third)).every((row) => row.cached_from_task_id === null));
    });

    test('lineage records what each task consumed and produced', async () => {
      const runId = await createRun(engine.db, engine.dialect, {
        displayName: 'lineage',
        pipelineSpec: await exampleSpec('train-evaluate-deploy.ts'),
        parameters: { rows: 120, seed: 11 },
      });
      assert.equal((await waitForRun(engine, runId)).state, 'SUCCEEDED');
      const produced = await queryRunArtifacts(engine.db, runId);
      const byTask = new Map(produced?.executions.map((entry) => [entry.task?.name, entry]));
      const train = byTask.get('train-model');
      assert.ok(train, 'train-model has an execution');
      assert.deepEqual(Object.keys(train.outputs).sort(), ['metrics', 'model']);
      const model = train.outputs.model?.[0];
      assert.ok(model);
      const consumers = await queryArtifactConsumers(engine.db, model.id);
      assert.deepEqual(consumers?.consumers.map((consumer) => consumer.task?.name).sort(), [
        'deploy-model',
        'evaluate-model',
      ]);
    });

    test('terminating a run stops its running task, cancels what has not started, and ends it CANCELED', async () => {
      const marker = path.join(os.tmpdir(), `cairn-terminate-${Date.now()}-${Math.random()}`);
      const nap = containerComponent({
        name: 'nap',
        image: 'busybox',
        inputs: { marker: Parameter.String },
        command: ({ inputs }) => ['sh', '-c', 'echo $$ > "$0"; sleep 30', inputs.marker],
      });
      const after = containerComponent({ name: 'after-nap', image: 'busybox', command: ['true'] });
      const napping = pipeline({ name: `terminate-${dialect}` }, () => {
        after().after(nap({ marker }));
      });
      const runId = await createRun(engine.db, engine.dialect, {
        displayName: 'nap',
        pipelineSpec: compile(napping),
      });
      const deadline = Date.now() + 20_000;
      while (!existsSync(marker) || readFileSync(marker, 'utf8').trim() === '') {
        assert.ok(Date.now() < deadline, 'the task never started');
        await sleep(50);
      }
      const pid = Number(readFileSync(marker, 'utf8'));
      assert.equal(await terminateRun(engine.db, engine.dialect, runId), 'CANCELING');
      const run = await waitForRun(engine, runId, 30_000);
      assert.equal(run.state, 'CANCELED');
      const tasks = await tasksOf(engine, runId);
      assert.equal(tasks.get('root/nap')?.state, 'CANCELED');
      assert.equal(tasks.get('root/after-nap'), undefined, 'nothing starts after termination');
      assert.throws(() => process.kill(pid, 0), 'the task process is gone');
      assert.equal(
        await terminateRun(engine.db, engine.dialect, runId),
        'CANCELED',
        'terminating again is a no-op',
      );
      rmSync(marker, { force: true });
    });

    test('retrying a failed run re-runs only what did not succeed', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-retry-'));
      const gate = path.join(dir, 'gate');
      const count = containerComponent({
        name: 'count-runs',
        image: 'busybox',
        inputs: { log: Parameter.String },
        outputs: { greeting: Parameter.String },
        command: ({ inputs, outputs }) => [
          'sh',
          '-c',
          'echo ran >> "$0"; mkdir -p "$(dirname "$1")"; printf hello > "$1"',
          inputs.log,
          outputs.greeting,
        ],
      });
      const gated = containerComponent({
        name: 'gated',
        image: 'busybox',
        inputs: { gate: Parameter.String, greeting: Parameter.String },
        command: ({ inputs }) => ['sh', '-c', 'test -f "$0"', inputs.gate, inputs.greeting],
      });
      const flaky = pipeline({ name: `retry-${dialect}` }, () => {
        const first = count({ log: path.join(dir, 'count.log') });
        ParallelFor([1, 2], () => {
          gated({ gate, greeting: first.outputs.greeting });
        });
      });
      const runId = await createRun(engine.db, engine.dialect, {
        displayName: 'retry',
        pipelineSpec: compile(flaky),
      });
      assert.equal((await waitForRun(engine, runId)).state, 'FAILED');
      const before = await tasksOf(engine, runId);
      writeFileSync(gate, '');
      assert.equal(await retryRun(engine.db, engine.dialect, runId), 'RUNNING');
      const run = await waitForRun(engine, runId);
      assert.equal(run.state, 'SUCCEEDED', run.error ?? '');
      const tasks = await tasksOf(engine, runId);
      assert.equal(
        tasks.get('root/count-runs')?.id,
        before.get('root/count-runs')?.id,
        'the succeeded task was kept',
      );
      assert.equal(readFileSync(path.join(dir, 'count.log'), 'utf8'), 'ran\n', 'and did not run again');
      assert.equal(tasks.get('root/for-loop-2/1/gated')?.state, 'SUCCEEDED');
      assert.deepEqual(await runHistory(engine, runId), [
        'PENDING',
        'RUNNING',
        'FAILED',
        'RUNNING',
        'SUCCEEDED',
      ]);
      await assert.rejects(
        retryRun(engine.db, engine.dialect, runId),
        /is SUCCEEDED; only a FAILED or CANCELED run/,
      );
      rmSync(dir, { recursive: true, force: true });
    });

    test("constants that are KFP's system placeholders are resolved, as KFP's driver does", async () => {
      const spec = {
        pipelineInfo: { name: 'system-values' },
        schemaVersion: '2.1.0',
        components: {
          'comp-echo': {
            executorLabel: 'exec-echo',
            inputDefinitions: {
              parameters: { job: { parameterType: 'STRING' }, task: { parameterType: 'STRING' } },
            },
            outputDefinitions: { parameters: { out: { parameterType: 'STRING' } } },
          },
        },
        deploymentSpec: {
          executors: {
            'exec-echo': {
              container: {
                image: 'busybox',
                command: [
                  'sh',
                  '-c',
                  'mkdir -p "$(dirname "$2")"; printf "%s|%s" "$0" "$1" > "$2"',
                  "{{$.inputs.parameters['job']}}",
                  "{{$.inputs.parameters['task']}}",
                  "{{$.outputs.parameters['out'].output_file}}",
                ],
              },
            },
          },
        },
        root: {
          dag: {
            tasks: {
              echo: {
                componentRef: { name: 'comp-echo' },
                taskInfo: { name: 'echo' },
                inputs: {
                  parameters: {
                    job: { runtimeValue: { constant: '{{$.pipeline_job_name}}' } },
                    task: { runtimeValue: { constant: '{{$.pipeline_task_uuid}}' } },
                  },
                },
              },
            },
          },
        },
      };
      const runId = await createRun(engine.db, engine.dialect, {
        displayName: 'nightly report',
        pipelineSpec: JSON.stringify(spec),
      });
      assert.equal((await waitForRun(engine, runId)).state, 'SUCCEEDED');
      const echo = (await tasksOf(engine, runId)).get('root/echo');
      assert.equal(JSON.parse(echo?.outputs ?? '{}').parameters.out, `nightly report|${echo?.id}`);
    });

    test("a task's timeout (kfp-kubernetes' activeDeadlineSeconds) kills it and fails it", async () => {
      const nap = containerComponent({ name: 'long-nap', image: 'busybox', command: ['sleep', '30'] });
      const napping = pipeline({ name: `timeout-${dialect}` }, () => {
        nap().setCachingOptions(false);
      });
      const platform =
        'platforms:\n  kubernetes:\n    deploymentSpec:\n      executors:\n        exec-long-nap:\n          activeDeadlineSeconds: 1\n';
      const started = Date.now();
      const runId = await createRun(engine.db, engine.dialect, {
        displayName: 'timeout',
        pipelineSpec: `${compile(napping)}---\n${platform}`,
      });
      const run = await waitForRun(engine, runId, 30_000);
      assert.equal(run.state, 'FAILED');
      assert.ok(Date.now() - started < 20_000, 'killed long before the 30 s sleep ended');
      assert.match((await tasksOf(engine, runId)).get('root/long-nap')?.error ?? '', /time/i);
    });

    test('bad parameters are refused before anything is written', async () => {
      const spec = await exampleSpec('train-evaluate-deploy.ts');
      await assert.rejects(
        createRun(engine.db, engine.dialect, {
          displayName: 'x',
          pipelineSpec: spec,
          parameters: { rowz: 1 },
        }),
        /parameter "rowz" is not an input of the pipeline; its inputs: max_rmse, rows, seed/,
      );
      await assert.rejects(
        createRun(engine.db, engine.dialect, {
          displayName: 'x',
          pipelineSpec: spec,
          parameters: { rows: 'many' },
        }),
        /parameter "rows" is "many", which is not a NUMBER_INTEGER value/,
      );
      const runs = await engine.db.selectFrom('runs').select('id').where('display_name', '=', 'x').execute();
      assert.deepEqual(runs, []);
    });
  });
}
