import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { claimTasks } from '../../../src/engine/leases/claim-tasks.ts';
import { completeTask } from '../../../src/engine/leases/complete-task.ts';
import type { ClaimedTask } from '../../../src/engine/leases/take-claims.ts';
import { TASK_STATE } from '../../../src/engine/leases/task-states.ts';
import { spawnJsonLines } from '../../support/child-process.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import type { ChildOrder } from './fixtures/lease-op-in-child.ts';
import { createLeaseDatabase, type LeaseDatabase, readTask, readTasks, seedTasks } from './lease-database.ts';

const CHILD = fileURLToPath(new URL('./fixtures/lease-op-in-child.ts', import.meta.url));
const FOREVER_MS = 600_000;

/** Starts the operation in a child process, waits until it is inside its transaction, and SIGKILLs it. */
async function killMidway(order: ChildOrder): Promise<void> {
  const child = spawnJsonLines(CHILD, [JSON.stringify(order)]);
  await child.waitFor((line) => line.paused === true);
  child.child.kill('SIGKILL');
  assert.equal(await child.exited, 'SIGKILL');
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`lease operations killed midway on ${dialect}`, { skip }, () => {
    let leases: LeaseDatabase;

    before(async () => {
      leases = await createLeaseDatabase(dialect);
    });
    after(async () => {
      await leases?.close();
    });
    beforeEach(async () => {
      await leases.db.deleteFrom('tasks').execute();
      await leases.db.deleteFrom('runs').execute();
    });

    test('a claimer SIGKILLed in the middle of its claim leaves no half-claim', async () => {
      const ids = await seedTasks(
        leases.db,
        Array.from({ length: 5 }, () => ({})),
      );
      const untouched = await readTasks(leases.db, ids);
      // Killed after the first of its three tasks was updated, before the claim committed.
      await killMidway({
        mode: 'claim-paused',
        url: leases.url,
        owner: 'doomed',
        limit: 3,
        leaseMs: 60_000,
        holdMs: FOREVER_MS,
      });
      assert.deepEqual(await readTasks(leases.db, ids), untouched);

      // The server drops the dead session's locks once it notices the connection is gone.
      const claimed: ClaimedTask[] = [];
      const deadline = Date.now() + 10_000;
      while (claimed.length < ids.length && Date.now() < deadline) {
        claimed.push(
          ...(await claimTasks(leases.db, leases.dialect, { owner: 'survivor', limit: 5, leaseMs: 60_000 })),
        );
        if (claimed.length < ids.length) await sleep(50);
      }
      assert.deepEqual(claimed.map((task) => task.id).sort(), [...ids].sort());
      assert.ok(claimed.every((task) => task.attempt === 1 && task.lease_owner === 'survivor'));
    });

    test('a completion SIGKILLed after its extra writes leaves the task running under its lease', async () => {
      await seedTasks(leases.db, [{}]);
      const [task] = await claimTasks(leases.db, leases.dialect, { owner: 'w', limit: 1, leaseMs: 60_000 });
      assert.ok(task);
      await killMidway({
        mode: 'complete-paused',
        url: leases.url,
        taskId: task.id,
        token: task.lease_token,
        runId: task.run_id,
        holdMs: FOREVER_MS,
      });
      assert.deepEqual(await readTask(leases.db, task.id), task);
      const history = leases.db.selectFrom('run_state_history').selectAll().where('run_id', '=', task.run_id);
      assert.deepEqual(await history.execute(), []);

      // The lease still holds: its owner can finish the attempt.
      const completion = { taskId: task.id, token: task.lease_token, state: TASK_STATE.SUCCEEDED };
      assert.equal(await completeTask(leases.db, leases.dialect, completion), true);
    });
  });
}
