import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { claimTasks } from '../../../src/engine/leases/claim-tasks.ts';
import { databaseNow } from '../../../src/engine/leases/database-now.ts';
import { readyTasksQuery } from '../../../src/engine/leases/queries/claim-candidates.ts';
import { spawnJsonLines } from '../../support/child-process.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import type { ChildOrder } from './fixtures/lease-op-in-child.ts';
import {
  createLeaseDatabase,
  type LeaseDatabase,
  readTasks,
  seedTasks,
  waitForDatabaseTime,
} from './lease-database.ts';

const CHILD = fileURLToPath(new URL('./fixtures/lease-op-in-child.ts', import.meta.url));
const CLAIMERS = 6;
const TASKS = 120;

interface ChildClaim {
  id: string;
  lease_token: string;
  lease_owner: string;
  attempt: number;
}

function runChild(order: ChildOrder) {
  return spawnJsonLines(CHILD, [JSON.stringify(order)]);
}

async function claimedBy(child: ReturnType<typeof runChild>): Promise<ChildClaim[]> {
  const line = await child.waitFor((l) => 'claimed' in l);
  return line.claimed as ChildClaim[];
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`concurrent claims on ${dialect}`, { skip }, () => {
    let leases: LeaseDatabase;
    let scratch: string;

    before(async () => {
      leases = await createLeaseDatabase(dialect);
      scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-claim-race-'));
    });
    after(async () => {
      await leases?.close();
      rmSync(scratch, { recursive: true, force: true });
    });
    beforeEach(async () => {
      await leases.db.deleteFrom('tasks').execute();
      await leases.db.deleteFrom('runs').execute();
    });

    /**
     * Claimer processes (each with its own connections, as separate workers) claim in a loop, all
     * starting at the same instant, until the queue is empty.
     */
    async function race(options: { limit: number; leaseMs: number; states?: ('QUEUED' | 'RUNNING')[] }) {
      const startFile = path.join(scratch, randomUUID());
      const children = Array.from({ length: CLAIMERS }, (_, i) =>
        runChild({
          mode: 'claim-loop',
          url: leases.url,
          owner: `claimer-${i}`,
          startFile,
          idleMs: 10,
          ...options,
        }),
      );
      await Promise.all(children.map((child) => child.waitFor((line) => line.ready === true)));
      writeFileSync(startFile, '');
      const claimed = await Promise.all(children.map(claimedBy));
      for (const child of children) assert.equal(await child.exited, 0);
      return claimed.flat();
    }

    /** Each task was claimed once, and the database holds the lease its claimer was given. */
    async function assertClaimedOnce(ids: string[], claimed: ChildClaim[], attempt: number) {
      assert.deepEqual(claimed.map((task) => task.id).sort(), [...ids].sort());
      const byId = new Map(claimed.map((task) => [task.id, task]));
      for (const row of await readTasks(leases.db, ids)) {
        const task = byId.get(row.id);
        assert.equal(row.lease_token, task?.lease_token);
        assert.equal(row.lease_owner, task?.lease_owner);
        assert.equal(row.attempt, attempt);
        assert.equal(task?.attempt, attempt);
      }
      assert.ok(new Set(claimed.map((task) => task.lease_owner)).size > 1, 'several claimers got work');
    }

    test('racing claimer processes claim every task exactly once per attempt', async () => {
      const t = await databaseNow(leases.db, leases.dialect);
      const ids = await seedTasks(
        leases.db,
        Array.from({ length: TASKS }, (_, i) => ({ ready_at: t - TASKS + i, max_attempts: 2 })),
      );
      // Only QUEUED tasks: a lease that expires during this race is left for the next one.
      const first = await race({ limit: 2, leaseMs: 1_000, states: ['QUEUED'] });
      await assertClaimedOnce(ids, first, 1);

      const leased = await readTasks(leases.db, ids);
      await waitForDatabaseTime(
        leases.db,
        leases.dialect,
        Math.max(...leased.map((row) => row.lease_expires_at ?? 0)),
      );
      // Every lease has expired: each task is claimed again, once, as its second attempt.
      const second = await race({ limit: 3, leaseMs: 60_000 });
      await assertClaimedOnce(ids, second, 2);
      const firstTokens = new Set(first.map((task) => task.lease_token));
      assert.ok(second.every((task) => !firstTokens.has(task.lease_token)));
    });

    test('a claim in progress holds up another claimer only where locked rows cannot be skipped', async () => {
      const t = await databaseNow(leases.db, leases.dialect);
      const ids = await seedTasks(
        leases.db,
        Array.from({ length: 8 }, (_, i) => ({ ready_at: t - 100 + i })),
      );
      // Claimer A stops after its first task's update, its candidates locked and its transaction open.
      const holdMs = 2_000;
      const a = runChild({
        mode: 'claim-paused',
        url: leases.url,
        owner: 'a',
        limit: 3,
        leaseMs: 60_000,
        holdMs,
      });
      await a.waitFor((line) => line.paused === true);
      const started = performance.now();
      const b = await claimTasks(leases.db, leases.dialect, { owner: 'b', limit: 3, leaseMs: 60_000 });
      const waited = performance.now() - started;
      if (leases.dialect.capabilities.skipLocked) {
        assert.ok(waited < holdMs / 2, `B waited ${waited} ms`);
        assert.ok(!a.lines.some((line) => 'claimed' in line), 'A had not committed when B was done');
      } else {
        // One writer at a time: B's transaction could only begin once A's had committed.
        assert.ok(waited > holdMs / 2, `B waited only ${waited} ms`);
      }
      // Either way B took the next tasks in order, never A's.
      assert.deepEqual(
        b.map((task) => task.id),
        ids.slice(3, 6),
      );
      assert.deepEqual(
        (await claimedBy(a)).map((task) => task.id),
        ids.slice(0, 3),
      );
      assert.equal(await a.exited, 0);
    });

    test('candidates are locked and skipped exactly where the database can skip locked rows', () => {
      const compiled = readyTasksQuery(leases.db, leases.dialect, { now: 0, limit: 1 }).compile();
      assert.equal(/for update skip locked/i.test(compiled.sql), leases.dialect.capabilities.skipLocked);
    });
  });
}
