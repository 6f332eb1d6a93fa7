// A backup taken while a run is active: one task done, one running (its worker holds the lease), one not
// started. Restored onto another dialect and store, the run is still RUNNING there, and a worker there
// finishes it: the running task is reclaimed once its lease lapses, the finished one never runs again.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { compile, containerComponent, Dataset, HTML, Input, Model, Output, pipeline } from '@cairn/sdk';
import type { Kysely } from 'kysely';
import type { ArtifactStore } from '../../../src/artifacts/artifact-store.ts';
import { keyInStore } from '../../../src/engine/caching/check-stored-artifact.ts';
import { LocalExecutor } from '../../../src/engine/executor/local/local-executor.ts';
import { createRun } from '../../../src/engine/runs/create-run.ts';
import { Worker } from '../../../src/engine/worker/worker.ts';
import { restoreBackup } from '../../../src/lifecycle/backup/restore-backup.ts';
import { writeBackup } from '../../../src/lifecycle/backup/write-backup.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import type { DialectName, StoreDialect } from '../../../src/store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../../src/store/tables.ts';
import { createMigratedDatabase } from '../../support/migrated-database.ts';
import { createTestDatabase, dialectTargets } from '../../support/test-databases.ts';
import { createTestStore, scratchDir } from './support/test-stores.ts';

const LEASE_MS = 1500;

/** make-data, then train (which waits until `gate` exists), then report. */
function gatedPipeline(gate: string): string {
  const makeData = containerComponent({
    name: 'make-data',
    image: 'busybox',
    outputs: { data: Output(Dataset) },
    command: ({ outputs }) => [
      'sh',
      '-c',
      'mkdir -p "$(dirname "$0")"; printf data > "$0"',
      outputs.data.path,
    ],
  });
  const train = containerComponent({
    name: 'train',
    image: 'busybox',
    inputs: { data: Input(Dataset) },
    outputs: { model: Output(Model) },
    command: ({ inputs, outputs }) => [
      'sh',
      '-c',
      'while [ ! -e "$2" ]; do sleep 0.05; done; mkdir -p "$(dirname "$1")"; cat "$0" "$0" > "$1"',
      inputs.data.path,
      outputs.model.path,
      gate,
    ],
  });
  const report = containerComponent({
    name: 'report',
    image: 'busybox',
    inputs: { model: Input(Model) },
    outputs: { page: Output(HTML) },
    command: ({ inputs, outputs }) => [
      'sh',
      '-c',
      'mkdir -p "$(dirname "$1")"; printf "<p>%s</p>" "$(cat "$0")" > "$1"',
      inputs.model.path,
      outputs.page.path,
    ],
  });
  return compile(
    pipeline({ name: 'gated' }, () => {
      const made = makeData();
      const trained = train({ data: made.outputs.data });
      report({ model: trained.outputs.model });
    }),
  );
}

function startWorker(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  store: ArtifactStore,
  workDir: string,
) {
  const worker = new Worker(
    {
      db,
      dialect,
      artifactStore: store,
      executor: new LocalExecutor(),
      workDir,
      leaseMs: LEASE_MS,
      defaultPipelineRoot: store.url,
    },
    { concurrency: 2, pollMs: 25, onError: (error) => assert.fail(error as Error) },
  );
  worker.start();
  return worker;
}

async function taskStates(db: Kysely<CairnDatabase>, runId: string) {
  const rows = await db.selectFrom('tasks').selectAll().where('run_id', '=', runId).execute();
  return new Map(rows.map((row) => [row.name, row]));
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const available = (await dialectTargets()).filter((t) => t.skip === undefined).map((t) => t.dialect);
/** Each dialect once as the source and once as the target. */
const pairs: [DialectName, DialectName][] = available.map((source, index) => [
  source,
  available[(index + 1) % available.length] as DialectName,
]);

for (const [source, target] of pairs) {
  test(`a backup of ${source} taken mid-run restores onto ${target}, where the run finishes`, async () => {
    const scratch = scratchDir('cairn-active-run-');
    const gate = path.join(scratch.dir, 'gate');
    const sourceDb = await createMigratedDatabase(source);
    const sourceStore = await createTestStore('fs');
    const targetDatabase = await createTestDatabase(target);
    const targetStore = await createTestStore('fs');
    const targetHandle = await connectDatabase(targetDatabase.location);
    const sourceWorker = startWorker(
      sourceDb.db,
      sourceDb.dialect,
      sourceStore.store,
      path.join(scratch.dir, 's'),
    );
    let targetWorker: Worker | undefined;
    try {
      const runId = await createRun(sourceDb.db, sourceDb.dialect, {
        displayName: 'gated',
        pipelineSpec: gatedPipeline(gate),
      });
      await waitFor('train to be running', async () => {
        const tasks = await taskStates(sourceDb.db, runId);
        return tasks.get('train')?.state === 'RUNNING' && tasks.get('make-data')?.state === 'SUCCEEDED'
          ? true
          : undefined;
      });
      const file = path.join(scratch.dir, 'backup.tar');
      await writeBackup({
        db: sourceDb.db,
        dialect: sourceDb.dialect,
        location: sourceDb.handle.location,
        store: sourceStore.store,
        file,
      });
      const atBackup = await taskStates(sourceDb.db, runId);
      // The source goes on: its worker finishes the run, as it would in production.
      writeFileSync(gate, '');
      await sourceWorker.stop();

      await restoreBackup({
        db: targetHandle.db,
        dialect: targetHandle.dialect,
        location: targetHandle.location,
        store: targetStore.store,
        file,
      });
      const db = targetHandle.db as Kysely<CairnDatabase>;
      const restoredRun = await db
        .selectFrom('runs')
        .selectAll()
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      assert.equal(restoredRun.state, 'RUNNING');
      const restored = await taskStates(db, runId);
      assert.equal(restored.get('make-data')?.state, 'SUCCEEDED');
      assert.equal(restored.get('train')?.state, 'RUNNING');
      assert.equal(restored.get('train')?.lease_owner, atBackup.get('train')?.lease_owner);
      assert.equal(restored.get('report'), undefined, 'report had not started');

      targetWorker = startWorker(db, targetHandle.dialect, targetStore.store, path.join(scratch.dir, 't'));
      const finished = await waitFor('the restored run to finish', async () => {
        const run = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
        return run.state === 'RUNNING' ? undefined : run;
      });
      assert.equal(finished.state, 'SUCCEEDED', finished.error ?? '');
      const after = await taskStates(db, runId);
      assert.deepEqual(
        [after.get('make-data')?.attempt, after.get('make-data')?.finished_at],
        [atBackup.get('make-data')?.attempt, atBackup.get('make-data')?.finished_at],
        'the finished task never ran again',
      );
      assert.equal(after.get('train')?.lost_attempts, 1, 'the attempt lost with the old worker is counted');
      assert.equal(after.get('report')?.state, 'SUCCEEDED');
      // Every artifact, those of the backup and those written since, is in the new store.
      for (const artifact of await db.selectFrom('artifacts').selectAll().execute()) {
        const key = keyInStore(targetStore.store, artifact.uri);
        assert.ok(key, `${artifact.uri} is under ${targetStore.store.url}`);
        assert.ok(await targetStore.store.stat(key), `${key} is stored`);
      }
    } finally {
      await targetWorker?.stop();
      writeFileSync(gate, '');
      await sourceWorker.stop();
      await targetHandle.close();
      await targetDatabase.drop();
      await sourceDb.close();
      await sourceStore.remove();
      await targetStore.remove();
      scratch.remove();
    }
  });
}
