// Workers under maintenance, with real processes: draining lets a running task finish and claims
// nothing more; stopping kills the running task and queues it again without using up its one attempt,
// and once serving the run resumes and SUCCEEDS with every task run exactly once; on a database a newer
// Cairn upgraded, the worker kills its task and writes nothing more. On every dialect.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { compile, containerComponent, pipeline } from '@cairn/sdk';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { LocalExecutor } from '../../../src/engine/executor/local/local-executor.ts';
import { createRun } from '../../../src/engine/runs/create-run.ts';
import { Worker } from '../../../src/engine/worker/worker.ts';
import {
  countActiveLeases,
  ensureMaintenanceTable,
  type MaintenanceChange,
  setMaintenance,
} from '../../../src/lifecycle/maintenance/maintenance-state.ts';
import { MaintenanceWatch } from '../../../src/lifecycle/maintenance/maintenance-watch.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import { recordNewerSchema } from './support/newer-schema.ts';
import { waitFor } from './support/wait-for.ts';

const WATCH_MS = 20;
const POLL_MS = 20;

/**
 * A task that writes its shell's pid to `<dir>/<name>.pid`, waits for `<dir>/<name>.gate`, then appends
 * a line to `<dir>/<name>.ran`: a task stopped before its gate opens leaves no line.
 */
function gatedStep(name: string, dir: string) {
  return containerComponent({
    name,
    image: 'busybox',
    command: [
      'sh',
      '-c',
      'echo $$ > "$1/$0.pid"; while [ ! -e "$1/$0.gate" ]; do sleep 0.05; done; echo ran >> "$1/$0.ran"',
      name,
      dir,
    ],
  });
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`workers under maintenance on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    let scratch: string;
    const workers: Worker[] = [];

    function startWorker(leaseMs: number): Worker {
      const worker = new Worker(
        {
          db: store.db,
          dialect: store.dialect,
          artifactStore: new FsArtifactStore(path.join(scratch, 'artifacts')),
          executor: new LocalExecutor({ killGraceMs: 2000 }),
          workDir: path.join(scratch, 'work'),
          leaseMs,
          defaultPipelineRoot: `file://${path.join(scratch, 'artifacts')}`,
        },
        {
          concurrency: 2,
          pollMs: POLL_MS,
          onError: (error) => assert.fail(error as Error),
          maintenance: new MaintenanceWatch(store.db, store.dialect, { intervalMs: WATCH_MS }),
        },
      );
      worker.start();
      workers.push(worker);
      return worker;
    }

    async function enter(change: MaintenanceChange): Promise<void> {
      await setMaintenance(store.db, store.dialect, change);
    }

    async function task(runId: string, name: string) {
      return store.db
        .selectFrom('tasks')
        .selectAll()
        .where('run_id', '=', runId)
        .where('path', '=', `root/${name}`)
        .executeTakeFirst();
    }

    async function taskIn(runId: string, name: string, state: string) {
      const row = await task(runId, name);
      return row?.state === state ? row : undefined;
    }

    /** The pid a step wrote once it started. */
    async function started(dir: string, name: string): Promise<number> {
      return waitFor(`${name} to start`, async () => {
        const file = path.join(dir, `${name}.pid`);
        const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
        return text === '' ? undefined : Number(text);
      });
    }

    function alive(pid: number): boolean {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    }

    before(async () => {
      store = await createMigratedDatabase(dialect);
      await ensureMaintenanceTable(store.db, store.dialect);
      scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-maintenance-worker-'));
    });
    after(async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await store.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    test('draining finishes the running task, stopping gives one back, serving resumes the run', async () => {
      const dir = mkdtempSync(path.join(scratch, 'steps-'));
      const [first, second, third] = ['first', 'second', 'third'].map((name) => gatedStep(name, dir));
      if (!first || !second || !third) throw new Error('three steps');
      const runId = await createRun(store.db, store.dialect, {
        displayName: 'gated',
        pipelineSpec: compile(
          pipeline({ name: 'gated' }, () => {
            third().after(second().after(first()));
          }),
        ),
      });
      const worker = startWorker(10_000);

      // Draining: the running task goes on to its end; the one it makes ready is not claimed.
      await started(dir, 'first');
      await enter({ mode: 'draining', planId: 'plan-1', reason: 'upgrading' });
      await sleep(WATCH_MS + POLL_MS * 4);
      assert.equal(await countActiveLeases(store.db, store.dialect), 1, 'first still holds its lease');
      writeFileSync(path.join(dir, 'first.gate'), '');
      const firstDone = await waitFor('first to succeed', () => taskIn(runId, 'first', 'SUCCEEDED'));
      await waitFor('second to be queued', () => taskIn(runId, 'second', 'QUEUED'));
      await sleep(WATCH_MS + POLL_MS * 10);
      const waiting = await task(runId, 'second');
      assert.equal(waiting?.state, 'QUEUED', 'nothing is claimed while draining');
      assert.equal(waiting?.attempt, 0);
      assert.equal(await countActiveLeases(store.db, store.dialect), 0, 'drained');

      // Serving: second starts. Stopping: it is killed and queued again, its one attempt not used up.
      await enter({ mode: 'serving', planId: null, reason: null });
      const pid = await started(dir, 'second');
      const running = await waitFor('second to run', () => taskIn(runId, 'second', 'RUNNING'));
      assert.equal(running.max_attempts, 1, 'no retries: a counted attempt would fail the task');
      await enter({ mode: 'stopping', planId: 'plan-1', reason: 'upgrading' });
      const givenBack = await waitFor('second to be given back', () => taskIn(runId, 'second', 'QUEUED'));
      assert.deepEqual(
        [givenBack.attempt, givenBack.lost_attempts, givenBack.lease_token, givenBack.lease_expires_at],
        [1, 1, null, null],
      );
      assert.equal(alive(pid), false, 'the task process was killed');
      assert.equal(await countActiveLeases(store.db, store.dialect), 0);
      await sleep(WATCH_MS + POLL_MS * 10);
      assert.equal((await task(runId, 'second'))?.state, 'QUEUED', 'nothing is claimed while stopping');

      // Serving again: the run resumes where it stopped and succeeds.
      writeFileSync(path.join(dir, 'second.gate'), '');
      writeFileSync(path.join(dir, 'third.gate'), '');
      await enter({ mode: 'serving', planId: null, reason: null });
      const run = await waitFor('the run to end', async () => {
        const row = await store.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
        return row?.state === 'RUNNING' || row?.state === 'PENDING' ? undefined : row;
      });
      assert.equal(run?.state, 'SUCCEEDED', run?.error ?? '');
      const ended = {
        first: await task(runId, 'first'),
        second: await task(runId, 'second'),
        third: await task(runId, 'third'),
      };
      assert.deepEqual(
        Object.values(ended).map((row) => [row?.state, row?.attempt, row?.lost_attempts]),
        [
          ['SUCCEEDED', 1, 0],
          ['SUCCEEDED', 2, 1],
          ['SUCCEEDED', 1, 0],
        ],
      );
      assert.equal(ended.first?.finished_at, firstDone.finished_at, 'the finished task never ran again');
      assert.equal(ended.second?.error, null);
      for (const name of ['first', 'second', 'third']) {
        assert.equal(readFileSync(path.join(dir, `${name}.ran`), 'utf8'), 'ran\n', `${name} ran once`);
      }
      await worker.stop();
    });

    test('on a database a newer Cairn upgraded, the running task is killed and nothing is written', async () => {
      const dir = mkdtempSync(path.join(scratch, 'steps-'));
      const step = gatedStep('only', dir);
      const runId = await createRun(store.db, store.dialect, {
        displayName: 'abandoned',
        pipelineSpec: compile(pipeline({ name: 'abandoned' }, () => void step())),
      });
      // A short lease, so that a heartbeat would show within the test.
      startWorker(900);
      const pid = await started(dir, 'only');
      await recordNewerSchema(store.db);
      await waitFor('the task process to be killed', async () => (alive(pid) ? undefined : true));
      const left = await task(runId, 'only');
      assert.equal(left?.state, 'RUNNING', 'the task is left as a dead worker leaves it');
      await sleep(900);
      assert.deepEqual(await task(runId, 'only'), left, 'no heartbeat, no outcome');
      assert.equal(existsSync(path.join(dir, 'only.ran')), false);
    });
  });
}
