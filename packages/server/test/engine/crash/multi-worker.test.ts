// Three `cairn worker` processes share one database server; one of them is SIGKILLed in the middle of
// the batch. The others take over its tasks once their leases expire: every run still SUCCEEDS, every
// task's success is recorded once, from the attempt that did the work, and no task ran twice but the
// attempts the kill cut short. On PostgreSQL and on MariaDB, whose claims use SKIP LOCKED.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { dialectTargets } from '../../support/test-databases.ts';
import { CrashDeployment } from './crash-deployment.ts';
import { EXECUTOR_TASKS_PER_RUN } from './fixtures/side-effect-pipeline.ts';
import { checkSideEffects, parseSideEffects } from './side-effects.ts';
import type { WorkerProcess } from './worker-process.ts';

const RUNS = 15;
const WORKER_ARGS = ['--concurrency', '4', '--lease-seconds', '2', '--poll-ms', '100'];

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

for (const { dialect, skip } of await dialectTargets()) {
  const oneMachine = dialect === 'sqlite' ? 'workers on several machines share a database server' : undefined;
  describe(`three cairn workers on ${dialect}, one killed`, { skip: skip ?? oneMachine }, () => {
    let deployment: CrashDeployment;
    before(async () => {
      deployment = await CrashDeployment.create(dialect);
    });
    after(() => deployment?.close());

    test("the survivors take over the killed worker's tasks; every run succeeds", async (t) => {
      await deployment.submitRuns(RUNS);
      const workers = ['w1', 'w2', 'w3'].map((name) => deployment.startWorker(name, WORKER_ARGS));
      const [w1, w2, w3] = workers as [WorkerProcess, WorkerProcess, WorkerProcess];
      const running = (owner: string) =>
        deployment.db
          .selectFrom('tasks')
          .select(['id', 'path', 'attempt', 'lease_owner'])
          .where('run_id', 'in', deployment.runIds)
          .where('state', '=', 'RUNNING')
          .where('kind', '=', 'container')
          .where('lease_owner', '=', owner)
          .execute();
      const succeeded = async () =>
        (await deployment.executorTasks()).filter((task) => task.state === 'SUCCEEDED').length;
      const takenOver = new Map<string, Set<string>>();
      let sampling = true;
      try {
        // Midway: a quarter of the tasks done, and the victim busy with several of its own.
        await waitFor(
          'a quarter of the tasks succeeded while w2 holds two or more',
          async () =>
            (await succeeded()) >= (RUNS * EXECUTOR_TASKS_PER_RUN) / 4 && (await running('w2')).length >= 2,
          30_000,
        );
        const killedAt = Date.now();
        assert.equal(await w2.kill('SIGKILL'), 'SIGKILL');
        // Its leases outlive it by up to two seconds: what it held is still marked as its own.
        const orphaned = await running('w2');
        assert.ok(orphaned.length >= 1, 'w2 held tasks when it was killed');
        const heldAttempt = new Map(orphaned.map((task) => [task.id, task.attempt]));
        const watching = (async () => {
          while (sampling) {
            const rows = await deployment.db
              .selectFrom('tasks')
              .select(['id', 'attempt', 'lease_owner'])
              .where('id', 'in', [...heldAttempt.keys()])
              .where('state', '=', 'RUNNING')
              .execute();
            for (const row of rows) {
              if (row.attempt > (heldAttempt.get(row.id) ?? 0) && row.lease_owner !== null) {
                takenOver.set(row.id, (takenOver.get(row.id) ?? new Set()).add(row.lease_owner));
              }
            }
            await sleep(25);
          }
        })();
        await deployment.waitForRunsToEnd(45_000, workers);
        sampling = false;
        await watching;
        assert.equal(await w1.kill('SIGTERM'), 0);
        assert.equal(await w3.kill('SIGTERM'), 0);

        const states = await deployment.runStates();
        assert.deepEqual(
          [...states].filter(([, state]) => state !== 'SUCCEEDED'),
          [],
          await deployment.diagnose(workers),
        );
        const tasks = await deployment.executorTasks();
        assert.equal(tasks.length, RUNS * EXECUTOR_TASKS_PER_RUN);
        const report = checkSideEffects(parseSideEffects(await deployment.sideEffects()), tasks, [killedAt]);
        assert.deepEqual(
          report.problems,
          [],
          `${report.problems.join('\n')}\n${await deployment.diagnose(workers)}`,
        );

        const final = new Map(tasks.map((task) => [task.id, task]));
        for (const { id, path, attempt } of orphaned) {
          const task = final.get(id);
          assert.ok(
            task !== undefined && task.attempt > attempt,
            `${path}, held by w2 at attempt ${attempt}, ran again (it ended at attempt ${task?.attempt})`,
          );
          const owners = [...(takenOver.get(id) ?? [])];
          assert.ok(
            owners.length > 0 && owners.every((owner) => owner === 'w1' || owner === 'w3'),
            `${path} was taken over by the survivors, not by ${JSON.stringify(owners)}`,
          );
        }
        for (const survivor of [w1, w3]) {
          assert.ok(
            survivor.lines.some((line) => / end .* succeeded /.test(line)),
            `${survivor.name} ran tasks\n${survivor.tail()}`,
          );
        }
        t.diagnostic(
          `w2 held ${orphaned.length} task(s) when it was killed; attempts killed in the middle of their ` +
            `work: ${report.killedMidWork}, after it but before it was recorded: ${report.lostAfterWork}`,
        );
      } catch (error) {
        if (error instanceof assert.AssertionError) throw error;
        throw new Error(`${(error as Error).message}\n${await deployment.diagnose(workers)}`, {
          cause: error,
        });
      } finally {
        sampling = false;
        for (const worker of workers) worker.child.kill('SIGKILL');
      }
    });
  });
}
