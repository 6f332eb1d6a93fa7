// `cairn up` as a real process: it serves the API, runs tasks in its embedded worker, fires recurring
// runs, and stops cleanly on SIGTERM. On every dialect.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { compile, containerComponent, pipeline } from '@cairn/sdk';
import type { Kysely } from 'kysely';
import { databaseNow } from '../../src/engine/leases/database-now.ts';
import { createRecurringRun } from '../../src/engine/recurring/create-recurring-run.ts';
import { createRun } from '../../src/engine/runs/create-run.ts';
import type { DatabaseHandle } from '../../src/store/open-database.ts';
import type { CairnDatabase } from '../../src/store/tables.ts';
import { WorkerProcess } from '../engine/crash/worker-process.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../support/migrated-database.ts';
import { dialectTargets, type TestDatabase } from '../support/test-databases.ts';

const SPEC = compile(
  pipeline({ name: 'hello' }, () => {
    containerComponent({ name: 'say', image: 'alpine', command: ['echo', 'hello'] })().setCachingOptions(
      false,
    );
  }),
);

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`cairn up on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    let database: TestDatabase;
    let handle: DatabaseHandle;
    let db: Kysely<CairnDatabase>;
    let scratch: string;
    before(async () => {
      store = await createMigratedDatabase(dialect);
      ({ database, handle, db } = store);
      scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-up-'));
    });
    after(async () => {
      await store.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    test('serves the API, runs tasks, fires recurring runs, and stops on SIGTERM', async () => {
      const server = new WorkerProcess({
        command: 'up',
        db: database.url,
        artifacts: `file://${path.join(scratch, 'artifacts')}`,
        home: scratch,
        name: 'up-under-test',
        args: ['--port', '0', '--poll-ms', '50'],
      });
      try {
        await server.waitForLine(/^ {2}worker /, 30_000);
        assert.match(server.lines.join('\n'), /^Cairn \S+ is up at http:\/\/127\.0\.0\.1:\d+$/m);
        const url = server.lines.find((line) => line.includes(' is up at '))?.split(' is up at ')[1] ?? '';
        assert.ok(
          server.lines.some((line) => /^ {2}worker {4}up-under-test, \d+ task\(s\) at once/.test(line)),
        );

        const health = (await (await fetch(`${url}/apis/v2beta1/healthz`)).json()) as {
          pipeline_store: string;
        };
        assert.equal(health.pipeline_store, 'database');
        const created = await fetch(`${url}/apis/v2beta1/experiments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ display_name: 'from the test' }),
        });
        assert.equal(created.status, 200);

        // The embedded worker runs what is queued.
        const runId = await createRun(db, handle.dialect, { displayName: 'hello', pipelineSpec: SPEC });
        await until('the run to succeed', async () => {
          const run = await db.selectFrom('runs').select('state').where('id', '=', runId).executeTakeFirst();
          return run?.state === 'SUCCEEDED' ? true : undefined;
        });

        // The scheduler fires a recurring run every second.
        const now = await databaseNow(db, handle.dialect);
        const recurringId = await createRecurringRun(db, handle.dialect, {
          displayName: 'every second',
          pipelineSpec: SPEC,
          trigger: { kind: 'INTERVAL', intervalSeconds: 1, startTime: Math.floor(now / 1000) * 1000 },
          maxConcurrency: 10,
        });
        await until('a recurring run to fire', async () => {
          const fired = await db
            .selectFrom('runs')
            .select('id')
            .where('recurring_run_id', '=', recurringId)
            .execute();
          return fired.length > 0 ? true : undefined;
        });
        assert.ok(server.lines.some((line) => line.includes(`recurring run ${recurringId} fired run`)));

        assert.equal(await server.kill('SIGTERM'), 0, server.tail());
        assert.ok(server.lines.includes('Cairn stopped'), server.tail());
        await assert.rejects(fetch(`${url}/apis/v2beta1/healthz`), 'the port is closed');
      } finally {
        server.child.kill('SIGKILL');
      }
    });
  });
}
