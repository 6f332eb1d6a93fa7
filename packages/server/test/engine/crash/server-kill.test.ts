// The acceptance: the server (`cairn up`, with its embedded worker) is SIGKILLed at random moments, ten times, while 20 runs are in
// flight, and restarted each time. Every run must still end SUCCEEDED, and no task may do its work twice,
// except an attempt that a kill cut short (in the middle of its work, or after it but before the worker
// recorded it). Real processes, real databases, real kills; on SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { dialectTargets } from '../../support/test-databases.ts';
import { CrashDeployment } from './crash-deployment.ts';
import { EXECUTOR_TASKS_PER_RUN } from './fixtures/side-effect-pipeline.ts';
import { checkSideEffects, parseSideEffects } from './side-effects.ts';
import type { WorkerProcess } from './worker-process.ts';

const RUNS = 20;
const KILLS = 10;
const SERVER_ARGS = ['--port', '0', '--concurrency', '8', '--lease-seconds', '2', '--poll-ms', '100'];

/** Resolves as soon as a task appends a "finished" line to the log, or after `timeoutMs` anyway. */
async function nextFinishedWork(log: string, timeoutMs: number): Promise<void> {
  const file = await open(log, 'r');
  try {
    let offset = (await file.stat()).size;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { size } = await file.stat();
      if (size > offset) {
        const { buffer, bytesRead } = await file.read(Buffer.alloc(size - offset), 0, size - offset, offset);
        offset += bytesRead;
        if (buffer.subarray(0, bytesRead).includes('finished ')) return;
      }
      await sleep(5);
    }
  } finally {
    await file.close();
  }
}

for (const { dialect, skip } of await dialectTargets()) {
  const elsewhere = dialect === 'mysql' ? 'MariaDB has the multi-worker crash test' : undefined;
  describe(`cairn up killed again and again on ${dialect}`, { skip: skip ?? elsewhere }, () => {
    let deployment: CrashDeployment;
    before(async () => {
      deployment = await CrashDeployment.create(dialect);
    });
    after(() => deployment?.close());

    test(`${RUNS} runs all succeed through ${KILLS} SIGKILLs; no task completes its work twice`, async (t) => {
      await deployment.submitRuns(RUNS);
      const workers: WorkerProcess[] = [];
      const start = () => {
        const worker = deployment.startWorker(`server${workers.length}`, SERVER_ARGS, 'up');
        workers.push(worker);
        return worker;
      };
      const kills: number[] = [];
      let doneAtLastKill = 0;
      let worker = start();
      try {
        while (kills.length < KILLS) {
          await worker.waitForLine(/ start /, 20_000);
          // Half the kills land at a random moment, half just after a task has finished its work (and
          // most likely before its worker recorded it).
          if (kills.length % 2 === 0) await sleep(100 + Math.random() * 1100);
          else await nextFinishedWork(deployment.sideEffectLog, 3000);
          doneAtLastKill = (await deployment.executorTasks()).filter(
            (task) => task.state === 'SUCCEEDED',
          ).length;
          assert.equal(
            await deployment.allRunsEnded(),
            false,
            `runs were still in flight at kill ${kills.length}`,
          );
          kills.push(Date.now());
          assert.equal(await worker.kill('SIGKILL'), 'SIGKILL');
          worker = start();
        }
        await deployment.waitForRunsToEnd(45_000, workers);
        assert.equal(await worker.kill('SIGTERM'), 0, 'a server stopped with SIGTERM exits 0');

        const states = await deployment.runStates();
        const notSucceeded = [...states].filter(([, state]) => state !== 'SUCCEEDED');
        assert.deepEqual(notSucceeded, [], await deployment.diagnose(workers));
        const tasks = await deployment.executorTasks();
        assert.equal(tasks.length, RUNS * EXECUTOR_TASKS_PER_RUN);
        const report = checkSideEffects(parseSideEffects(await deployment.sideEffects()), tasks, kills);
        assert.deepEqual(
          report.problems,
          [],
          `${report.problems.join('\n')}\n${await deployment.diagnose(workers)}`,
        );
        t.diagnostic(
          `${kills.length} kills, the last with ${doneAtLastKill} of ${tasks.length} tasks done; attempts ` +
            `killed in the middle of their work: ${report.killedMidWork}, ` +
            `after it but before it was recorded: ${report.lostAfterWork}`,
        );
      } catch (error) {
        if (error instanceof assert.AssertionError) throw error;
        throw new Error(`${(error as Error).message}\n${await deployment.diagnose(workers)}`, {
          cause: error,
        });
      } finally {
        for (const each of workers) each.child.kill('SIGKILL');
      }
    });
  });
}
