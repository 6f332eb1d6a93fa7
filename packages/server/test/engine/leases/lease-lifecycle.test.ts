import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { claimExhaustedLeases } from '../../../src/engine/leases/claim-exhausted-leases.ts';
import { claimTasks } from '../../../src/engine/leases/claim-tasks.ts';
import { completeTask } from '../../../src/engine/leases/complete-task.ts';
import { databaseNow } from '../../../src/engine/leases/database-now.ts';
import type { ExtraWrites } from '../../../src/engine/leases/extra-writes.ts';
import { heartbeat } from '../../../src/engine/leases/heartbeat.ts';
import { releaseTask } from '../../../src/engine/leases/release-task.ts';
import type { ClaimedTask } from '../../../src/engine/leases/take-claims.ts';
import { MAX_LOST_ATTEMPTS, TASK_STATE } from '../../../src/engine/leases/task-states.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import {
  createLeaseDatabase,
  type LeaseDatabase,
  readTask,
  seedTasks,
  waitForDatabaseTime,
} from './lease-database.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LONG_LEASE = 60_000;

for (const { dialect, skip } of await dialectTargets()) {
  describe(`task leases on ${dialect}`, { skip }, () => {
    let leases: LeaseDatabase;
    const db = () => leases.db;
    const claim = (owner: string, limit: number, leaseMs = LONG_LEASE, states?: ('QUEUED' | 'RUNNING')[]) =>
      claimTasks(db(), leases.dialect, { owner, limit, leaseMs, states });
    const now = () => databaseNow(db(), leases.dialect);
    const only = (claimed: ClaimedTask[]): ClaimedTask => {
      assert.equal(claimed.length, 1, `expected one claimed task, got ${claimed.length}`);
      return claimed[0] as ClaimedTask;
    };

    /** Extra writes that record the change in the run's state history, and whether they ran. */
    function historyWrites(runId: string, state: string) {
      const ran: number[] = [];
      const write: ExtraWrites = async (trx, { now }) => {
        ran.push(now);
        await trx
          .insertInto('run_state_history')
          .values({ run_id: runId, seq: 1, state, created_at: now })
          .execute();
      };
      return { ran, write };
    }
    const history = (runId: string) =>
      db().selectFrom('run_state_history').selectAll().where('run_id', '=', runId).execute();

    before(async () => {
      leases = await createLeaseDatabase(dialect);
    });
    after(async () => {
      await leases?.close();
    });
    // Claims take any claimable task in the database, so each test starts from an empty queue.
    beforeEach(async () => {
      await db().deleteFrom('tasks').execute();
      await db().deleteFrom('runs').execute();
    });

    test('the database clock is milliseconds since the epoch, UTC (this host shares it)', async () => {
      const reading = await now();
      assert.ok(Number.isSafeInteger(reading));
      assert.ok(Math.abs(reading - Date.now()) < 2_000, `database ${reading}, host ${Date.now()}`);
    });

    test('a claim takes the oldest ready tasks and gives each its own lease and a new attempt', async () => {
      const t = await now();
      const [older, newest, oldest, pending, future, done, leased] = await seedTasks(db(), [
        { ready_at: t - 2_000 },
        { ready_at: t - 1_000 },
        { ready_at: t - 3_000 },
        { state: TASK_STATE.PENDING, ready_at: t - 9_000 },
        { ready_at: t + 60_000 },
        { state: TASK_STATE.SUCCEEDED, ready_at: t - 9_000 },
        {
          state: TASK_STATE.RUNNING,
          attempt: 1,
          max_attempts: 3,
          lease_token: randomUUID(),
          lease_expires_at: t + 60_000,
        },
      ]);
      const before = await now();
      const claimed = await claim('worker-1', 2, 30_000);
      const afterClaim = await now();

      assert.deepEqual(
        claimed.map((task) => task.id),
        [oldest, older],
      );
      assert.notEqual(claimed[0]?.lease_token, claimed[1]?.lease_token);
      for (const task of claimed) {
        assert.match(task.lease_token, UUID);
        assert.equal(task.state, TASK_STATE.RUNNING);
        assert.equal(task.lease_owner, 'worker-1');
        assert.equal(task.attempt, 1);
        assert.ok(task.heartbeat_at >= before && task.heartbeat_at <= afterClaim);
        assert.equal(task.started_at, task.heartbeat_at);
        assert.equal(task.updated_at, task.heartbeat_at);
        assert.equal(task.lease_expires_at, task.heartbeat_at + 30_000);
        assert.deepEqual(await readTask(db(), task.id), task);
      }

      assert.deepEqual(
        (await claim('worker-2', 10)).map((task) => task.id),
        [newest],
      );
      assert.deepEqual(await claim('worker-2', 10), []);
      for (const id of [pending, future, done, leased]) {
        assert.equal((await readTask(db(), id ?? '')).lease_owner, null, 'never claimed');
      }
    });

    test('claims are ordered by when tasks became claimable, across ready tasks and expired leases', async () => {
      const t = await now();
      const expired = { state: TASK_STATE.RUNNING, attempt: 1, max_attempts: 3, lease_token: randomUUID() };
      const [queuedFirst, expiredSecond, queuedThird, expiredFourth] = await seedTasks(db(), [
        { ready_at: t - 4_000 },
        { ...expired, ready_at: t - 9_000, lease_expires_at: t - 3_000 },
        { ready_at: t - 2_000 },
        { ...expired, ready_at: t - 9_000, lease_expires_at: t - 1_000 },
      ]);
      const claimed = await claim('worker-1', 3);
      assert.deepEqual(
        claimed.map((task) => [task.id, task.attempt]),
        [
          [queuedFirst, 1],
          [expiredSecond, 2],
          [queuedThird, 1],
        ],
      );
      assert.deepEqual(
        (await claim('worker-1', 3)).map((task) => task.id),
        [expiredFourth],
      );
    });

    test('`states` chooses between ready tasks and expired leases', async () => {
      const t = await now();
      const [queued, expired] = await seedTasks(db(), [
        { ready_at: t - 1_000 },
        { state: TASK_STATE.RUNNING, attempt: 1, max_attempts: 2, lease_expires_at: t - 5_000 },
      ]);
      assert.deepEqual(
        (await claim('worker-1', 5, LONG_LEASE, ['QUEUED'])).map((task) => task.id),
        [queued],
      );
      assert.deepEqual(
        (await claim('worker-1', 5, LONG_LEASE, ['RUNNING'])).map((task) => task.id),
        [expired],
      );
    });

    test('a heartbeat extends a held lease from the database clock; a wrong token changes nothing', async () => {
      await seedTasks(db(), [{}]);
      const task = only(await claim('worker-1', 1, 5_000));
      await waitForDatabaseTime(db(), leases.dialect, task.heartbeat_at);

      const input = { taskId: task.id, token: task.lease_token, leaseMs: 60_000 };
      const before = await now();
      assert.equal(await heartbeat(db(), leases.dialect, input), true);
      const beaten = await readTask(db(), task.id);
      assert.ok((beaten.heartbeat_at ?? 0) >= before);
      assert.equal(beaten.lease_expires_at, (beaten.heartbeat_at ?? 0) + 60_000);
      assert.equal(beaten.updated_at, beaten.heartbeat_at);
      assert.equal(beaten.lease_token, task.lease_token);
      // Twice within a millisecond changes no value; it must still count as held.
      assert.equal(await heartbeat(db(), leases.dialect, input), true);
      assert.equal(await heartbeat(db(), leases.dialect, input), true);

      const settled = await readTask(db(), task.id);
      assert.equal(await heartbeat(db(), leases.dialect, { ...input, token: randomUUID() }), false);
      assert.equal(await heartbeat(db(), leases.dialect, { ...input, taskId: randomUUID() }), false);
      assert.deepEqual(await readTask(db(), task.id), settled);
    });

    test('a completion clears the lease and runs the extra writes in its transaction, once', async () => {
      await seedTasks(db(), [{}]);
      const task = only(await claim('worker-1', 1));
      const { ran, write } = historyWrites(task.run_id, TASK_STATE.SUCCEEDED);
      const completion = {
        taskId: task.id,
        token: task.lease_token,
        state: TASK_STATE.SUCCEEDED,
        outputs: '{"parameters":{"x":1}}',
      };

      assert.equal(await completeTask(db(), leases.dialect, completion, write), true);
      const [stampedAt] = ran;
      assert.equal(ran.length, 1);
      assert.deepEqual(await readTask(db(), task.id), {
        ...task,
        state: TASK_STATE.SUCCEEDED,
        outputs: completion.outputs,
        lease_token: null,
        lease_owner: null,
        lease_expires_at: null,
        finished_at: stampedAt,
        updated_at: stampedAt,
      });
      assert.deepEqual(
        (await history(task.run_id)).map((row) => [row.state, row.created_at]),
        [[TASK_STATE.SUCCEEDED, stampedAt]],
      );

      assert.equal(await completeTask(db(), leases.dialect, completion, write), false);
      assert.equal(ran.length, 1, 'the extra writes do not run when the fence refuses');
      assert.deepEqual(await claim('worker-2', 1), [], 'a completed task is never claimed');
    });

    test('extra writes that fail roll the completion back; a non-final state is refused', async () => {
      await seedTasks(db(), [{}]);
      const task = only(await claim('worker-1', 1));
      const completion = { taskId: task.id, token: task.lease_token, state: TASK_STATE.FAILED, error: 'x' };
      await assert.rejects(
        completeTask(db(), leases.dialect, completion, async (trx, { now }) => {
          await trx
            .insertInto('run_state_history')
            .values({ run_id: task.run_id, seq: 1, state: 'FAILED', created_at: now })
            .execute();
          throw new Error('lineage write failed');
        }),
        /lineage write failed/,
      );
      assert.deepEqual(await readTask(db(), task.id), task);
      assert.deepEqual(await history(task.run_id), []);

      await assert.rejects(
        completeTask(db(), leases.dialect, {
          ...completion,
          state: TASK_STATE.QUEUED as unknown as typeof TASK_STATE.FAILED,
        }),
        RangeError,
      );
      assert.equal(await completeTask(db(), leases.dialect, completion), true);
      assert.equal((await readTask(db(), task.id)).error, 'x');
    });

    test('a release queues the task again, claimable once its backoff has passed on the database clock', async () => {
      await seedTasks(db(), [{ max_attempts: 3 }]);
      const first = only(await claim('worker-1', 1));
      const { ran, write } = historyWrites(first.run_id, TASK_STATE.QUEUED);
      const before = await now();
      const outcome = await releaseTask(
        db(),
        leases.dialect,
        { taskId: first.id, token: first.lease_token, backoffMs: 1_500, error: 'exit code 1' },
        write,
      );
      const afterRelease = await now();
      assert.equal(outcome, 'released');
      const released = await readTask(db(), first.id);
      assert.deepEqual(released, {
        ...first,
        state: TASK_STATE.QUEUED,
        error: 'exit code 1',
        ready_at: (ran[0] ?? 0) + 1_500,
        lease_token: null,
        lease_owner: null,
        lease_expires_at: null,
        updated_at: ran[0],
      });
      assert.ok(
        (released.ready_at ?? 0) >= before + 1_500 && (released.ready_at ?? 0) <= afterRelease + 1_500,
      );

      assert.deepEqual(await claim('worker-2', 1), [], 'not before its backoff has passed');
      await waitForDatabaseTime(db(), leases.dialect, (released.ready_at ?? 0) - 1);
      const second = only(await claim('worker-2', 1));
      assert.equal(second.id, first.id);
      assert.equal(second.attempt, 2);
      assert.notEqual(second.lease_token, first.lease_token);
      assert.equal(second.started_at, first.started_at, 'started_at records the first attempt');
      assert.equal(second.error, 'exit code 1', 'the last failure stays visible while the retry runs');

      const completion = { taskId: second.id, token: second.lease_token, state: TASK_STATE.SUCCEEDED };
      assert.equal(await completeTask(db(), leases.dialect, completion), true);
      assert.equal((await readTask(db(), second.id)).error, null);
    });

    test('a release without attempts left, or without the lease, changes nothing', async () => {
      await seedTasks(db(), [{ max_attempts: 1 }]);
      const task = only(await claim('worker-1', 1));
      const { ran, write } = historyWrites(task.run_id, TASK_STATE.QUEUED);
      const release = { taskId: task.id, token: task.lease_token, backoffMs: 0 };
      assert.equal(await releaseTask(db(), leases.dialect, release, write), 'no-attempts-left');
      assert.equal(
        await releaseTask(db(), leases.dialect, { ...release, token: randomUUID() }, write),
        'lease-lost',
      );
      assert.deepEqual(ran, []);
      assert.deepEqual(await readTask(db(), task.id), task);
      const failure = { taskId: task.id, token: task.lease_token, state: TASK_STATE.FAILED, error: 'x' };
      assert.equal(await completeTask(db(), leases.dialect, failure), true);
    });

    test('after its lease expires and another worker claims the task, the first worker is fenced out', async () => {
      await seedTasks(db(), [{ max_attempts: 2 }]);
      const first = only(await claim('worker-a', 1, 300));
      await waitForDatabaseTime(db(), leases.dialect, first.lease_expires_at);

      // Expired but not yet claimed again: already lost.
      const lapsed = await readTask(db(), first.id);
      const beat = { taskId: first.id, token: first.lease_token, leaseMs: LONG_LEASE };
      const completion = { taskId: first.id, token: first.lease_token, state: TASK_STATE.SUCCEEDED };
      const { ran, write } = historyWrites(first.run_id, TASK_STATE.SUCCEEDED);
      assert.equal(await heartbeat(db(), leases.dialect, beat), false);
      assert.equal(await completeTask(db(), leases.dialect, completion, write), false);
      assert.deepEqual(await readTask(db(), first.id), lapsed);

      const second = only(await claim('worker-b', 1));
      assert.equal(second.id, first.id);
      assert.equal(second.attempt, 2, 'the lost attempt counts');
      assert.equal(second.lease_owner, 'worker-b');
      assert.notEqual(second.lease_token, first.lease_token);
      assert.equal(second.started_at, first.started_at);

      assert.equal(await heartbeat(db(), leases.dialect, beat), false);
      assert.equal(await completeTask(db(), leases.dialect, completion, write), false);
      const release = { taskId: first.id, token: first.lease_token, backoffMs: 0 };
      assert.equal(await releaseTask(db(), leases.dialect, release, write), 'lease-lost');
      assert.deepEqual(ran, []);
      assert.deepEqual(await readTask(db(), first.id), second);

      assert.equal(
        await completeTask(db(), leases.dialect, { ...completion, token: second.lease_token }, write),
        true,
      );
      assert.equal(ran.length, 1);
    });

    test('a lost attempt uses up no retry; a task lost too often can be claimed to fail it', async () => {
      await seedTasks(db(), [{ max_attempts: 1 }]);
      let task = only(await claim('worker-a', 1, 300));
      for (let lost = 1; lost <= MAX_LOST_ATTEMPTS; lost++) {
        await waitForDatabaseTime(db(), leases.dialect, task.lease_expires_at);
        const again = only(await claim(`worker-${lost}`, 5, 300));
        assert.equal(again.id, task.id, 'reclaimed although it has no retries: the attempt was lost');
        assert.equal(again.attempt, lost + 1);
        assert.equal(again.lost_attempts, lost);
        assert.equal((await readTask(db(), task.id)).lost_attempts, lost);
        task = again;
      }
      await waitForDatabaseTime(db(), leases.dialect, task.lease_expires_at);

      assert.deepEqual(await claim('worker-b', 5), []);
      const reaped = only(
        await claimExhaustedLeases(db(), leases.dialect, { owner: 'reaper', limit: 5, leaseMs: LONG_LEASE }),
      );
      assert.equal(reaped.id, task.id);
      assert.equal(reaped.attempt, MAX_LOST_ATTEMPTS + 1, 'no new attempt is started');
      assert.equal(reaped.lease_owner, 'reaper');
      assert.notEqual(reaped.lease_token, task.lease_token);
      assert.deepEqual(
        await claimExhaustedLeases(db(), leases.dialect, { owner: 'reaper', limit: 5, leaseMs: LONG_LEASE }),
        [],
      );

      const { ran, write } = historyWrites(task.run_id, TASK_STATE.FAILED);
      const failure = {
        taskId: reaped.id,
        token: reaped.lease_token,
        state: TASK_STATE.FAILED,
        error: 'the worker stopped heartbeating on the last attempt',
      };
      assert.equal(await completeTask(db(), leases.dialect, failure, write), true);
      assert.equal(ran.length, 1);
      assert.equal((await readTask(db(), task.id)).state, TASK_STATE.FAILED);
    });

    test("a worker's skewed clock neither extends nor shortens a lease", async (t) => {
      await seedTasks(db(), [{}, {}]);
      const realNow = Date.now.bind(Date);
      const skew = t.mock.method(Date, 'now', () => realNow() + 3_600_000);
      const before = await now();
      const task = only(await claim('worker-ahead', 1, 5_000));
      const beat = { taskId: task.id, token: task.lease_token, leaseMs: 5_000 };
      assert.equal(await heartbeat(db(), leases.dialect, beat), true);
      const afterBeat = await now();
      const beaten = await readTask(db(), task.id);
      assert.ok(task.heartbeat_at >= before && task.heartbeat_at <= afterBeat);
      assert.ok((beaten.lease_expires_at ?? 0) <= afterBeat + 5_000);

      skew.mock.mockImplementation(() => realNow() - 3_600_000);
      const behind = only(await claim('worker-behind', 1, 300));
      await waitForDatabaseTime(db(), leases.dialect, behind.lease_expires_at);
      const late = { taskId: behind.id, token: behind.lease_token, leaseMs: 5_000 };
      assert.equal(await heartbeat(db(), leases.dialect, late), false);
    });

    test('counts and durations the operations cannot mean are rejected', async () => {
      const dialectOf = leases.dialect;
      await assert.rejects(claimTasks(db(), dialectOf, { owner: 'w', limit: 0, leaseMs: 1 }), RangeError);
      await assert.rejects(claimTasks(db(), dialectOf, { owner: 'w', limit: 1, leaseMs: 0 }), RangeError);
      await assert.rejects(claimTasks(db(), dialectOf, { owner: 'w', limit: 1.5, leaseMs: 1 }), RangeError);
      const holder = { taskId: randomUUID(), token: randomUUID() };
      await assert.rejects(heartbeat(db(), dialectOf, { ...holder, leaseMs: -1 }), RangeError);
      await assert.rejects(releaseTask(db(), dialectOf, { ...holder, backoffMs: -1 }), RangeError);
    });
  });
}
