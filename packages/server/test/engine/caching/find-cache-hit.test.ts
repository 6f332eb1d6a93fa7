import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonValue } from '@cairn/spec';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { cacheArtifactIdentities } from '../../../src/engine/caching/cache-artifact-identities.ts';
import {
  type CacheFingerprintInput,
  cacheFingerprint,
} from '../../../src/engine/caching/cache-fingerprint.ts';
import { findCacheHit } from '../../../src/engine/caching/find-cache-hit.ts';
import { databaseNow } from '../../../src/engine/leases/database-now.ts';
import { TASK_STATE } from '../../../src/engine/leases/task-states.ts';
import { inWriteTransaction } from '../../../src/engine/leases/write-transaction.ts';
import { EXECUTION_STATE, EXECUTION_TYPE } from '../../../src/engine/lineage/lineage-vocabulary.ts';
import { queryRunArtifacts } from '../../../src/engine/lineage/queries/run-artifacts.ts';
import { recordCachedExecution } from '../../../src/engine/lineage/record-cached-execution.ts';
import { recordTaskExecution } from '../../../src/engine/lineage/record-task-execution.ts';
import type { NewOutputArtifact } from '../../../src/engine/lineage/write-execution.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import {
  claimAndComplete,
  createLineageDatabase,
  insertRun,
  insertTask,
  type LineageDatabase,
} from '../lineage/lineage-database.ts';

const PIPELINE = 'cache-pipeline';
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/** What a task leaves behind for one output: a file, a directory of files, or nothing (metadata only). */
type Output = { file: string } | { directory: Record<string, string> } | { none: true };

const BASE: CacheFingerprintInput = {
  namespace: '',
  pipelineName: PIPELINE,
  componentName: 'comp-train',
  image: 'python:3.12',
  command: ['python', '-m', 'train'],
  args: ['--epochs', "{{$.inputs.parameters['epochs']}}"],
  inputParameterValues: { epochs: 3 },
  inputArtifacts: {
    data: [{ schemaTitle: 'system.Dataset', contentSha256: sha256('data'), uri: 'file:///elsewhere/data' }],
  },
  outputParameters: { loss: 'NUMBER_DOUBLE' },
  outputArtifacts: { model: { schemaTitle: 'system.Model' } },
};

/** A fingerprint no other test uses, so each test sees only its own cache entries. */
const freshInput = (): CacheFingerprintInput => ({ ...BASE, pipelineName: `${PIPELINE}-${randomUUID()}` });

for (const { dialect, skip } of await dialectTargets()) {
  describe(`findCacheHit on ${dialect} with the filesystem artifact store`, { skip }, () => {
    let lineage: LineageDatabase;
    let storeRoot: string;
    let store: FsArtifactStore;

    before(async () => {
      lineage = await createLineageDatabase(dialect);
      storeRoot = await mkdtemp(path.join(os.tmpdir(), 'cairn-cache-'));
      store = new FsArtifactStore(path.join(storeRoot, 'artifacts'));
    });
    after(async () => {
      await store?.close();
      if (storeRoot) await rm(storeRoot, { recursive: true, force: true });
      await lineage?.close();
    });

    /**
     * Runs a task of a new run to its end as a worker would: stores its outputs, then completes it with
     * `fingerprint` and records its execution in the same transaction.
     */
    async function produce(
      fingerprint: string,
      outputs: Record<string, Output>,
      {
        outputParameters = {},
        state = 'SUCCEEDED',
      }: { outputParameters?: Record<string, JsonValue>; state?: 'SUCCEEDED' | 'FAILED' } = {},
    ) {
      const runId = await insertRun(lineage.db, 'cache test');
      const taskId = await insertTask(lineage.db, runId, 'train', { cache_fingerprint: fingerprint });
      const recordedOutputs: NewOutputArtifact[] = [];
      const keys: Record<string, string> = {};
      for (const [name, output] of Object.entries(outputs)) {
        const key = `${PIPELINE}/${runId}/train/${name}`;
        keys[name] = key;
        let stored: { contentSha256?: string; sizeBytes?: number } = {};
        if ('file' in output) {
          const object = await store.put(key, output.file);
          stored = { contentSha256: object.sha256, sizeBytes: object.size };
        } else if ('directory' in output) {
          const files = [];
          for (const [file, content] of Object.entries(output.directory).sort()) {
            files.push({ file, ...(await store.put(`${key}/${file}`, content)) });
          }
          stored = {
            contentSha256: sha256(files.map((f) => `${f.sha256}  ${f.file}\n`).join('')),
            sizeBytes: files.reduce((sum, f) => sum + f.size, 0),
          };
        }
        recordedOutputs.push({
          name,
          uri: `${store.url}/${key}`,
          schemaTitle: 'system.Artifact',
          metadata: { output: name },
          ...stored,
        });
      }
      let executionId = '';
      let artifactIds: string[] = [];
      await claimAndComplete(
        lineage,
        taskId,
        async (trx, { now }) => {
          const recorded = await recordTaskExecution(trx, lineage.dialect, {
            runId,
            taskId,
            pipelineName: PIPELINE,
            type: EXECUTION_TYPE.CONTAINER,
            name: 'train',
            state: state === 'SUCCEEDED' ? EXECUTION_STATE.COMPLETE : EXECUTION_STATE.FAILED,
            inputParameters: { epochs: 3 },
            outputParameters,
            inputs: [],
            outputs: recordedOutputs,
            now,
          });
          executionId = recorded.executionId;
          artifactIds = recorded.outputArtifactIds;
        },
        state,
      );
      // Completions a few milliseconds apart, so that "most recent" is well defined on every clock.
      await sleep(15);
      return { runId, taskId, executionId, keys, artifactIds };
    }

    test('a task with the same fingerprint is a hit, with what completing from it takes', async () => {
      const fingerprint = cacheFingerprint(freshInput());
      const original = await produce(
        fingerprint,
        {
          model: { file: 'weights' },
          data: { directory: { 'a.csv': '1,2\n', 'sub/b.csv': '3,4\n' } },
          metrics: { none: true },
        },
        { outputParameters: { loss: 0.25 } },
      );
      const { hit, stale } = await findCacheHit(lineage.db, store, fingerprint);
      assert.deepEqual(stale, []);
      assert.ok(hit);
      assert.equal(hit.taskId, original.taskId);
      assert.equal(hit.runId, original.runId);
      assert.equal(hit.executionId, original.executionId);
      assert.equal(typeof hit.finishedAt, 'number');
      assert.deepEqual(hit.outputParameters, { loss: 0.25 });
      const idOf = (name: string) => original.artifactIds[['model', 'data', 'metrics'].indexOf(name)];
      assert.deepEqual(hit.outputArtifacts, [
        {
          name: 'data',
          listIndex: 0,
          artifactId: idOf('data'),
          uri: `${store.url}/${original.keys.data}`,
          storageKey: original.keys.data,
          schemaTitle: 'system.Artifact',
          metadata: { output: 'data' },
          contentSha256: hit.outputArtifacts[0]?.contentSha256,
          sizeBytes: 8,
        },
        {
          name: 'metrics',
          listIndex: 0,
          artifactId: idOf('metrics'),
          uri: `${store.url}/${original.keys.metrics}`,
          storageKey: original.keys.metrics,
          schemaTitle: 'system.Artifact',
          metadata: { output: 'metrics' },
          contentSha256: null,
          sizeBytes: null,
        },
        {
          name: 'model',
          listIndex: 0,
          artifactId: idOf('model'),
          uri: `${store.url}/${original.keys.model}`,
          storageKey: original.keys.model,
          schemaTitle: 'system.Artifact',
          metadata: { output: 'model' },
          contentSha256: sha256('weights'),
          sizeBytes: 7,
        },
      ]);

      // The engine completes the new task from the hit: its lineage links to the original artifacts.
      const runId = await insertRun(lineage.db, 'cached');
      const taskId = await insertTask(lineage.db, runId, 'train');
      await inWriteTransaction(lineage.db, lineage.dialect, async (trx) => {
        const now = await databaseNow(trx, lineage.dialect);
        await trx
          .updateTable('tasks')
          .set({
            state: TASK_STATE.SUCCEEDED,
            cache_fingerprint: fingerprint,
            cached_from_task_id: hit.taskId,
            finished_at: now + 1_000,
            updated_at: now,
          })
          .where('id', '=', taskId)
          .execute();
        await recordCachedExecution(trx, lineage.dialect, {
          runId,
          taskId,
          pipelineName: PIPELINE,
          type: EXECUTION_TYPE.CONTAINER,
          name: 'train',
          inputs: [],
          source: hit,
          now,
        });
      });
      const produced = await queryRunArtifacts(lineage.db, runId);
      assert.deepEqual(
        produced?.executions[0]?.outputs.model?.map((artifact) => artifact.id),
        [idOf('model')],
      );
      // The cached task is newer, but only tasks that ran serve as cache entries.
      assert.equal((await findCacheHit(lineage.db, store, fingerprint)).hit?.taskId, original.taskId);
    });

    test('different inputs, command or outputs miss', async () => {
      const input = freshInput();
      await produce(cacheFingerprint(input), { model: { file: 'weights' } });
      const [data] = input.inputArtifacts.data ?? [];
      assert.ok(data);
      const others: Record<string, CacheFingerprintInput> = {
        parameters: { ...input, inputParameterValues: { epochs: 4 } },
        artifacts: { ...input, inputArtifacts: { data: [{ ...data, contentSha256: sha256('other data') }] } },
        command: { ...input, command: ['python', '-m', 'train_v2'] },
        outputs: {
          ...input,
          outputArtifacts: {
            model: { schemaTitle: 'system.Model' },
            extra: { schemaTitle: 'system.Artifact' },
          },
        },
      };
      assert.ok((await findCacheHit(lineage.db, store, cacheFingerprint(input))).hit, 'the same input hits');
      for (const [what, other] of Object.entries(others)) {
        assert.deepEqual(
          await findCacheHit(lineage.db, store, cacheFingerprint(other)),
          { hit: undefined, stale: [] },
          `different ${what}`,
        );
      }
    });

    test('a custom cache key hits whatever else changed', async () => {
      const input = { ...freshInput(), cacheKey: 'dataset-2026-11' };
      const original = await produce(cacheFingerprint(input), { model: { file: 'weights' } });
      const changed = { ...input, image: 'python:3.13', inputParameterValues: { epochs: 30 } };
      assert.equal(
        (await findCacheHit(lineage.db, store, cacheFingerprint(changed))).hit?.taskId,
        original.taskId,
      );
      const otherKey = { ...changed, cacheKey: 'dataset-2026-12' };
      assert.equal((await findCacheHit(lineage.db, store, cacheFingerprint(otherKey))).hit, undefined);
    });

    test('the newest entry wins; one whose objects are gone is a reported miss', async () => {
      const fingerprint = cacheFingerprint(freshInput());
      const oldest = await produce(fingerprint, {
        model: { file: 'weights v1' },
        data: { directory: { 'a.csv': '1\n', 'b.csv': '2\n' } },
      });
      const middle = await produce(fingerprint, {
        model: { file: 'weights v2' },
        data: { directory: { 'a.csv': '1\n' } },
      });
      const newest = await produce(fingerprint, {
        model: { file: 'weights v3' },
        data: { directory: { 'a.csv': '1\n' } },
      });
      assert.equal((await findCacheHit(lineage.db, store, fingerprint)).hit?.taskId, newest.taskId);

      await store.delete(newest.keys.model ?? '');
      const afterDelete = await findCacheHit(lineage.db, store, fingerprint);
      assert.equal(afterDelete.hit?.taskId, middle.taskId);
      assert.deepEqual(afterDelete.stale, [
        {
          taskId: newest.taskId,
          executionId: newest.executionId,
          problems: [
            {
              outputName: 'model',
              listIndex: 0,
              artifactId: newest.artifactIds[0],
              uri: `${store.url}/${newest.keys.model}`,
              problem: `there is no object at ${newest.keys.model} or below it`,
            },
          ],
        },
      ]);

      // One file of a directory gone: the sizes no longer add up.
      await store.delete(`${middle.keys.data}/a.csv`);
      await store.delete(`${oldest.keys.data}/b.csv`);
      const allStale = await findCacheHit(lineage.db, store, fingerprint);
      assert.equal(allStale.hit, undefined);
      assert.deepEqual(
        allStale.stale.map((entry) => [entry.taskId, entry.problems.map((p) => [p.outputName, p.problem])]),
        [
          [newest.taskId, [['model', `there is no object at ${newest.keys.model} or below it`]]],
          [middle.taskId, [['data', `there is no object at ${middle.keys.data} or below it`]]],
          [
            oldest.taskId,
            [['data', `the 1 objects below ${oldest.keys.data}/ hold 2 bytes, but 4 were recorded`]],
          ],
        ],
      );
      const limited = await findCacheHit(lineage.db, store, fingerprint, { maxEntries: 2 });
      assert.deepEqual(
        limited.stale.map((entry) => entry.taskId),
        [newest.taskId, middle.taskId],
      );
    });

    test('a changed object, or an artifact recorded outside the store, is a miss', async () => {
      const fingerprint = cacheFingerprint(freshInput());
      const replaced = await produce(fingerprint, { model: { file: 'weights' } });
      await store.put(replaced.keys.model ?? '', 'other weights');
      const lookup = await findCacheHit(lineage.db, store, fingerprint);
      assert.equal(lookup.hit, undefined);
      assert.deepEqual(
        lookup.stale[0]?.problems.map((p) => p.problem),
        [`the object at ${replaced.keys.model} has 13 bytes, but 7 were recorded`],
      );

      const outside = await produce(fingerprint, { model: { file: 'weights' } });
      await lineage.db
        .updateTable('artifacts')
        .set({ uri: 's3://another-bucket/model' })
        .where('id', '=', outside.artifactIds[0] ?? '')
        .execute();
      assert.deepEqual(
        (await findCacheHit(lineage.db, store, fingerprint)).stale[0]?.problems.map((p) => p.problem),
        [`its URI is not in the artifact store ${store.url}`],
      );
    });

    test("a downstream task's fingerprint follows its input's content, not its record", async () => {
      const fingerprint = cacheFingerprint(freshInput());
      const first = await produce(fingerprint, { model: { file: 'weights' } });
      const again = await produce(fingerprint, { model: { file: 'weights' } });
      const changed = await produce(fingerprint, { model: { file: 'better weights' } });
      const downstream = async (
        produced: typeof first | undefined,
        overrides: { artifactId?: undefined } = {},
      ) => {
        const key = produced?.keys.model ?? '';
        const model = {
          artifactId: produced?.artifactIds[0] ?? '',
          name: 'model',
          uri: `${store.url}/${key}`,
          storageKey: key,
          metadata: { output: 'model' },
          schemaTitle: 'system.Artifact',
          ...overrides,
        };
        const inputArtifacts = await cacheArtifactIdentities(lineage.db, { model: [model] });
        return {
          inputArtifacts,
          fingerprint: cacheFingerprint({ ...BASE, componentName: 'comp-eval', inputArtifacts }),
        };
      };
      const fromFirst = await downstream(first);
      assert.deepEqual(fromFirst.inputArtifacts, {
        model: [
          {
            schemaTitle: 'system.Artifact',
            metadata: { output: 'model' },
            contentSha256: sha256('weights'),
            uri: `${store.url}/${first.keys.model}`,
          },
        ],
      });
      assert.equal((await downstream(again)).fingerprint, fromFirst.fingerprint);
      assert.notEqual((await downstream(changed)).fingerprint, fromFirst.fingerprint);
      // Without a record to vouch for its content, an artifact is its URI: another URI, another key.
      const unrecorded = await downstream(first, { artifactId: undefined });
      assert.equal(unrecorded.inputArtifacts.model?.[0]?.contentSha256, null);
      assert.notEqual(unrecorded.fingerprint, fromFirst.fingerprint);
      assert.notEqual(
        (await downstream(again, { artifactId: undefined })).fingerprint,
        unrecorded.fingerprint,
      );
    });

    test('failed tasks are never cache entries', async () => {
      const fingerprint = cacheFingerprint(freshInput());
      await produce(fingerprint, { model: { file: 'weights' } }, { state: 'FAILED' });
      assert.deepEqual(await findCacheHit(lineage.db, store, fingerprint), { hit: undefined, stale: [] });
    });
  });
}
