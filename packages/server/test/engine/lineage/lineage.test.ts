import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { databaseNow } from '../../../src/engine/leases/database-now.ts';
import { inWriteTransaction } from '../../../src/engine/leases/write-transaction.ts';
import {
  CONTEXT_TYPE,
  EXECUTION_STATE,
  EXECUTION_TYPE,
} from '../../../src/engine/lineage/lineage-vocabulary.ts';
import { queryArtifactConsumers } from '../../../src/engine/lineage/queries/artifact-consumers.ts';
import { traceArtifactLineage } from '../../../src/engine/lineage/queries/artifact-lineage.ts';
import { queryRunArtifacts } from '../../../src/engine/lineage/queries/run-artifacts.ts';
import { recordCachedExecution } from '../../../src/engine/lineage/record-cached-execution.ts';
import { recordTaskExecution } from '../../../src/engine/lineage/record-task-execution.ts';
import type { RecordedExecution } from '../../../src/engine/lineage/write-execution.ts';
import type { CairnDatabase } from '../../../src/store/tables.ts';
import { spawnJsonLines } from '../../support/child-process.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import type { RecordOrder } from './fixtures/record-in-child.ts';
import {
  claimAndComplete,
  createLineageDatabase,
  insertRun,
  insertTask,
  type LineageDatabase,
} from './lineage-database.ts';

const CHILD = fileURLToPath(new URL('./fixtures/record-in-child.ts', import.meta.url));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const LINEAGE_TABLES = [
  'executions',
  'artifacts',
  'events',
  'contexts',
  'context_executions',
  'context_artifacts',
] as const;

async function rowCounts(db: Kysely<CairnDatabase>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of LINEAGE_TABLES) {
    counts[table] = (await db.selectFrom(table).selectAll().execute()).length;
  }
  return counts;
}

/** The run's executions by task name. */
async function runOutputsByTask(db: Kysely<CairnDatabase>, runId: string) {
  const produced = await queryRunArtifacts(db, runId);
  assert.ok(produced);
  return new Map(produced.executions.map((entry) => [entry.task?.name, entry]));
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`lineage on ${dialect}`, { skip }, () => {
    let lineage: LineageDatabase;

    before(async () => {
      lineage = await createLineageDatabase(dialect);
    });
    after(async () => {
      await lineage?.close();
    });

    describe('a three-task chain', () => {
      const pipelineName = 'chain-pipeline';
      const root = 'file:///var/lib/cairn/artifacts/chain-pipeline';
      let runId: string;
      const tasks: Record<'ingest' | 'train' | 'evaluate', string> = { ingest: '', train: '', evaluate: '' };
      const recorded: Record<string, RecordedExecution> = {};
      let dataset = '';
      let model = '';
      let metrics = '';
      let report = '';

      /** Claims and completes `name`, recording its execution as the worker's completion would. */
      async function runTask(
        name: keyof typeof tasks,
        inputs: { name: string; artifactId: string; listIndex: number }[],
        outputs: Parameters<typeof recordTaskExecution>[2]['outputs'],
        parameters: { in: Record<string, number | string>; out: Record<string, number | string> },
      ) {
        await claimAndComplete(lineage, tasks[name], async (trx, { now }) => {
          recorded[name] = await recordTaskExecution(trx, lineage.dialect, {
            runId,
            taskId: tasks[name],
            pipelineName,
            type: EXECUTION_TYPE.CONTAINER,
            name,
            state: EXECUTION_STATE.COMPLETE,
            metadata: { image: 'python:3.12', attempt: 0 },
            inputParameters: parameters.in,
            outputParameters: parameters.out,
            inputs,
            outputs,
            now,
          });
        });
      }

      before(async () => {
        runId = await insertRun(lineage.db, 'chain run');
        // Inserted and so claimed one at a time, each as its upstream finishes.
        tasks.ingest = await insertTask(lineage.db, runId, 'ingest');
        // Chosen before completion, as an engine that writes it into the task's outputs does.
        const datasetId = randomUUID();
        await runTask(
          'ingest',
          [],
          [
            {
              name: 'dataset',
              id: datasetId,
              uri: `${root}/${runId}/ingest/dataset`,
              schemaTitle: 'system.Dataset',
              metadata: { rows: 100 },
              contentSha256: sha256('dataset'),
              sizeBytes: 7,
            },
          ],
          { in: { source: 'https://example.com/data.csv' }, out: { rows: 100 } },
        );
        assert.deepEqual(recorded.ingest?.outputArtifactIds, [datasetId]);
        dataset = datasetId;
        tasks.train = await insertTask(lineage.db, runId, 'train');
        await runTask(
          'train',
          [{ name: 'dataset', artifactId: dataset, listIndex: 0 }],
          [
            {
              name: 'model',
              uri: `${root}/${runId}/train/model`,
              schemaTitle: 'system.Model',
              displayName: 'the model',
              metadata: { framework: 'torch' },
              contentSha256: sha256('model'),
              sizeBytes: 5,
            },
            {
              name: 'metrics',
              uri: `${root}/${runId}/train/metrics`,
              schemaTitle: 'system.Metrics',
              metadata: { accuracy: 0.9 },
            },
          ],
          { in: { epochs: 3 }, out: {} },
        );
        [model = '', metrics = ''] = recorded.train?.outputArtifactIds ?? [];
        tasks.evaluate = await insertTask(lineage.db, runId, 'evaluate');
        await runTask(
          'evaluate',
          [
            { name: 'model', artifactId: model, listIndex: 0 },
            { name: 'dataset', artifactId: dataset, listIndex: 0 },
          ],
          [
            {
              name: 'report',
              uri: `${root}/${runId}/evaluate/report`,
              schemaTitle: 'system.HTML',
              metadata: {},
              contentSha256: sha256('report'),
              sizeBytes: 6,
            },
          ],
          { in: {}, out: { verdict: 'good' } },
        );
        report = recorded.evaluate?.outputArtifactIds[0] ?? '';
      });

      test('what the run produced: each task with its artifacts by output name', async () => {
        const byTask = await runOutputsByTask(lineage.db, runId);
        assert.deepEqual([...byTask.keys()].sort(), ['evaluate', 'ingest', 'train']);
        const train = byTask.get('train');
        assert.ok(train);
        assert.deepEqual(train.task, {
          id: tasks.train,
          name: 'train',
          displayName: null,
          path: 'root/train',
          state: 'SUCCEEDED',
        });
        assert.equal(train.execution.id, recorded.train?.executionId);
        assert.equal(train.execution.type, EXECUTION_TYPE.CONTAINER);
        assert.equal(train.execution.state, EXECUTION_STATE.COMPLETE);
        assert.equal(train.execution.runId, runId);
        assert.deepEqual(train.execution.inputParameters, { epochs: 3 });
        assert.deepEqual(train.execution.properties, { image: 'python:3.12', attempt: 0 });
        assert.equal(train.execution.cachedFrom, undefined);
        assert.deepEqual(Object.keys(train.outputs).sort(), ['metrics', 'model']);
        const [modelView] = train.outputs.model ?? [];
        assert.deepEqual(modelView && { ...modelView, createdAt: 0 }, {
          id: model,
          uri: `${root}/${runId}/train/model`,
          type: 'system.Model',
          name: 'the model',
          metadata: { framework: 'torch' },
          contentSha256: sha256('model'),
          sizeBytes: 5,
          state: 'LIVE',
          createdAt: 0,
        });
        const [metricsView] = train.outputs.metrics ?? [];
        assert.equal(metricsView?.name, 'metrics');
        assert.equal(metricsView?.contentSha256, null);
        assert.equal(metricsView?.sizeBytes, null);
        assert.deepEqual(metricsView?.metadata, { accuracy: 0.9 });
        assert.deepEqual(byTask.get('evaluate')?.execution.outputParameters, { verdict: 'good' });
        assert.deepEqual(
          byTask.get('evaluate')?.outputs.report?.map((artifact) => artifact.id),
          [report],
        );
      });

      test('output artifacts carry the digest of their URI, for exact lookups', async () => {
        const row = await lineage.db
          .selectFrom('artifacts')
          .select(['id'])
          .where('uri_sha256', '=', sha256(`${root}/${runId}/train/model`))
          .execute();
        assert.deepEqual(
          row.map((r) => r.id),
          [model],
        );
      });

      test('executions and output artifacts belong to the pipeline context and the run context', async () => {
        const contexts = await lineage.db.selectFrom('contexts').select(['id', 'type', 'name']).execute();
        const pipeline = contexts.find((c) => c.type === CONTEXT_TYPE.PIPELINE && c.name === pipelineName);
        const run = contexts.find((c) => c.type === CONTEXT_TYPE.RUN && c.name === runId);
        assert.ok(pipeline && run);
        for (const context of [pipeline, run]) {
          const executions = await lineage.db
            .selectFrom('context_executions')
            .select('execution_id')
            .where('context_id', '=', context.id)
            .execute();
          assert.deepEqual(
            executions.map((e) => e.execution_id).sort(),
            Object.values(recorded)
              .map((r) => r.executionId)
              .sort(),
          );
          const artifacts = await lineage.db
            .selectFrom('context_artifacts')
            .select('artifact_id')
            .where('context_id', '=', context.id)
            .execute();
          assert.deepEqual(
            artifacts.map((a) => a.artifact_id).sort(),
            [dataset, model, metrics, report].sort(),
          );
        }
      });

      test('what consumed an artifact: executions with their tasks and runs', async () => {
        const consumed = await queryArtifactConsumers(lineage.db, dataset);
        assert.ok(consumed);
        assert.equal(consumed.artifact.id, dataset);
        assert.equal(consumed.truncated, false);
        const consumers = [...consumed.consumers].sort((a, b) =>
          (a.task?.name ?? '').localeCompare(b.task?.name ?? ''),
        );
        assert.deepEqual(
          consumers.map((c) => [c.task?.name, c.inputName, c.listIndex, c.execution.id, c.run?.id]),
          [
            ['evaluate', 'dataset', 0, recorded.evaluate?.executionId, runId],
            ['train', 'dataset', 0, recorded.train?.executionId, runId],
          ],
        );
        assert.deepEqual(consumers[0]?.run, { id: runId, displayName: 'chain run', state: 'RUNNING' });

        const first = await queryArtifactConsumers(lineage.db, dataset, { limit: 1 });
        assert.equal(first?.consumers.length, 1);
        assert.equal(first?.truncated, true);
        assert.deepEqual((await queryArtifactConsumers(lineage.db, report))?.consumers, []);
      });

      test('the chain from an artifact back to its inputs, each execution once', async () => {
        const traced = await traceArtifactLineage(lineage.db, report);
        assert.ok(traced);
        assert.equal(traced.artifactId, report);
        assert.equal(traced.truncated, false);
        // Evaluate's inputs in name order: dataset, then model.
        assert.deepEqual(
          traced.artifacts.map((a) => a.id),
          [report, dataset, model],
        );
        const steps = traced.steps.map((step) => ({
          task: step.task?.name,
          depth: step.depth,
          inputs: step.inputs.map((end) => [end.name, end.artifactId]),
          outputs: step.outputs.map((end) => [end.name, end.artifactId]),
        }));
        assert.deepEqual(steps[0], {
          task: 'evaluate',
          depth: 1,
          inputs: [
            ['dataset', dataset],
            ['model', model],
          ],
          outputs: [['report', report]],
        });
        assert.deepEqual(
          steps.slice(1).sort((a, b) => (a.task ?? '').localeCompare(b.task ?? '')),
          [
            { task: 'ingest', depth: 2, inputs: [], outputs: [['dataset', dataset]] },
            { task: 'train', depth: 2, inputs: [['dataset', dataset]], outputs: [['model', model]] },
          ],
        );
        assert.equal(traced.steps[0]?.run?.id, runId);
      });

      test('a depth limit cuts the chain and says so', async () => {
        const one = await traceArtifactLineage(lineage.db, report, { maxDepth: 1 });
        assert.deepEqual(
          one?.steps.map((step) => step.task?.name),
          ['evaluate'],
        );
        assert.equal(one?.truncated, true);
        const none = await traceArtifactLineage(lineage.db, report, { maxDepth: 0 });
        assert.deepEqual(
          none?.artifacts.map((a) => a.id),
          [report],
        );
        assert.deepEqual(none?.steps, []);
        assert.equal(none?.truncated, true);
        // The dataset's producer read nothing: following it to the end is not a truncation.
        const source = await traceArtifactLineage(lineage.db, dataset, { maxDepth: 1 });
        assert.deepEqual(
          source?.steps.map((step) => step.task?.name),
          ['ingest'],
        );
        assert.equal(source?.truncated, false);
      });

      test('a cache hit links the new execution to the original artifacts and says where from', async () => {
        const before = await rowCounts(lineage.db);
        const trainExecution = recorded.train?.executionId ?? '';
        const source = {
          executionId: trainExecution,
          taskId: tasks.train,
          outputParameters: { loss: 0.1 },
          outputArtifacts: [
            { name: 'metrics', listIndex: 0, artifactId: metrics },
            { name: 'model', listIndex: 0, artifactId: model },
          ],
        };
        const secondRun = await insertRun(lineage.db, 'cached run');
        const cachedTask = await insertTask(lineage.db, secondRun, 'train');
        const cached = await inWriteTransaction(lineage.db, lineage.dialect, async (trx) =>
          recordCachedExecution(trx, lineage.dialect, {
            runId: secondRun,
            taskId: cachedTask,
            pipelineName,
            type: EXECUTION_TYPE.CONTAINER,
            name: 'train',
            inputs: [{ name: 'dataset', artifactId: dataset, listIndex: 0 }],
            inputParameters: { epochs: 3 },
            source,
            now: await databaseNow(trx, lineage.dialect),
          }),
        );
        assert.deepEqual(cached.outputArtifactIds, [metrics, model]);

        const produced = await queryRunArtifacts(lineage.db, secondRun);
        assert.equal(produced?.executions.length, 1);
        const [entry] = produced?.executions ?? [];
        assert.equal(entry?.execution.state, EXECUTION_STATE.CACHED);
        assert.deepEqual(entry?.execution.cachedFrom, { executionId: trainExecution, taskId: tasks.train });
        assert.deepEqual(entry?.execution.outputParameters, { loss: 0.1 });
        assert.deepEqual(
          entry?.outputs.model?.map((a) => a.id),
          [model],
        );
        assert.deepEqual(
          entry?.outputs.metrics?.map((a) => a.id),
          [metrics],
        );

        const after = await rowCounts(lineage.db);
        assert.equal(after.artifacts, before.artifacts, 'no artifact was copied');
        assert.equal(after.contexts, (before.contexts ?? 0) + 1, 'only the new run context was created');
        assert.equal(after.context_executions, (before.context_executions ?? 0) + 2);
        assert.equal(after.context_artifacts, (before.context_artifacts ?? 0) + 2, 'joined the new run only');

        // The model's producer is still the execution that ran, not the one cached from it.
        const traced = await traceArtifactLineage(lineage.db, model);
        assert.deepEqual(
          traced?.steps.map((step) => step.execution.id),
          [trainExecution, recorded.ingest?.executionId],
        );

        // Cached again within the first run: the artifacts already belong to both contexts.
        const again = await insertTask(lineage.db, runId, 'train', { path: 'root/train-again' });
        await inWriteTransaction(lineage.db, lineage.dialect, async (trx) =>
          recordCachedExecution(trx, lineage.dialect, {
            runId,
            taskId: again,
            pipelineName,
            type: EXECUTION_TYPE.CONTAINER,
            name: 'train',
            inputs: [],
            source,
            now: await databaseNow(trx, lineage.dialect),
          }),
        );
        assert.equal((await rowCounts(lineage.db)).context_artifacts, after.context_artifacts);
      });
    });

    test('a rolled-back transaction leaves no lineage behind', async () => {
      const runId = await insertRun(lineage.db);
      const taskId = await insertTask(lineage.db, runId, 'doomed');
      const before = await rowCounts(lineage.db);
      await assert.rejects(
        inWriteTransaction(lineage.db, lineage.dialect, async (trx) => {
          await recordTaskExecution(trx, lineage.dialect, {
            runId,
            taskId,
            pipelineName: `rolled-back-${randomUUID()}`,
            type: EXECUTION_TYPE.CONTAINER,
            name: 'doomed',
            state: EXECUTION_STATE.COMPLETE,
            inputs: [],
            outputs: [
              { name: 'out', uri: 'file:///doomed/out', schemaTitle: 'system.Artifact', metadata: {} },
            ],
            now: await databaseNow(trx, lineage.dialect),
          });
          assert.notDeepEqual(await rowCounts(trx), before, 'the writes happened inside the transaction');
          throw new Error('the task state change failed');
        }),
        /the task state change failed/,
      );
      assert.deepEqual(await rowCounts(lineage.db), before);
    });

    test('two transactions creating the same contexts at once both succeed and share them', async () => {
      const runId = await insertRun(lineage.db);
      const pipelineName = `raced-${randomUUID()}`;
      const order = (taskId: string, holdMs: number): RecordOrder => ({
        url: lineage.url,
        runId,
        taskId,
        pipelineName,
        holdMs,
      });
      const [first, second] = [
        await insertTask(lineage.db, runId, 'a'),
        await insertTask(lineage.db, runId, 'b'),
      ];
      // A creates both contexts and holds its transaction open; B then creates them too. B cannot see A's
      // uncommitted rows, so on PostgreSQL and MySQL its insert meets A's unique key and waits for A's
      // commit; on SQLite its transaction waits to begin. Either way B must end up using A's contexts.
      const a = spawnJsonLines(CHILD, [JSON.stringify(order(first, 1_500))]);
      await a.waitFor((line) => line.paused === true);
      const b = spawnJsonLines(CHILD, [JSON.stringify(order(second, 0))]);
      const [recordedA, recordedB] = await Promise.all([
        a.waitFor((line) => 'recorded' in line),
        b.waitFor((line) => 'recorded' in line),
      ]);
      assert.equal(await a.exited, 0);
      assert.equal(await b.exited, 0);
      assert.ok(a.lines.some((line) => 'recorded' in line));

      const contexts = await lineage.db
        .selectFrom('contexts')
        .select(['id', 'type'])
        .where((eb) =>
          eb.or([
            eb.and([eb('type', '=', CONTEXT_TYPE.PIPELINE), eb('name', '=', pipelineName)]),
            eb.and([eb('type', '=', CONTEXT_TYPE.RUN), eb('name', '=', runId)]),
          ]),
        )
        .execute();
      assert.equal(contexts.length, 2);
      const executions = [recordedA, recordedB].map(
        (line) => (line.recorded as RecordedExecution).executionId,
      );
      for (const context of contexts) {
        const members = await lineage.db
          .selectFrom('context_executions')
          .select('execution_id')
          .where('context_id', '=', context.id)
          .execute();
        assert.deepEqual(members.map((m) => m.execution_id).sort(), [...executions].sort());
      }
    });

    test('events that would collide, and a cached state without its source, are refused', async () => {
      const runId = await insertRun(lineage.db);
      const taskId = await insertTask(lineage.db, runId, 'refused');
      const base = {
        runId,
        taskId,
        pipelineName: 'refusals',
        type: EXECUTION_TYPE.CONTAINER,
        name: 'refused',
        inputs: [],
        outputs: [],
        now: Date.now(),
      };
      await assert.rejects(
        inWriteTransaction(lineage.db, lineage.dialect, (trx) =>
          recordTaskExecution(trx, lineage.dialect, {
            ...base,
            state: EXECUTION_STATE.COMPLETE,
            outputs: [
              { name: 'out', artifactId: randomUUID() },
              { name: 'out', listIndex: 0, artifactId: randomUUID() },
            ],
          }),
        ),
        /two OUTPUT events named 'out' with list index 0/,
      );
      await assert.rejects(
        inWriteTransaction(lineage.db, lineage.dialect, (trx) =>
          recordTaskExecution(trx, lineage.dialect, { ...base, state: EXECUTION_STATE.CACHED }),
        ),
        /recordCachedExecution/,
      );
    });

    test('queries about what does not exist answer undefined', async () => {
      assert.equal(await queryRunArtifacts(lineage.db, randomUUID()), undefined);
      assert.equal(await queryArtifactConsumers(lineage.db, randomUUID()), undefined);
      assert.equal(await traceArtifactLineage(lineage.db, randomUUID()), undefined);
    });
  });
}
