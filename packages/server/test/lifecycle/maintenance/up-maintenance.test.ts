// `cairn up` as a real process under maintenance: one watch serves its API, ticker and worker; each
// change of mode is logged; writes are refused while draining and taken again once serving. On every
// dialect.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { compile, containerComponent, pipeline } from '@cairn/sdk';
import { createRun } from '../../../src/engine/runs/create-run.ts';
import {
  ensureMaintenanceTable,
  setMaintenance,
} from '../../../src/lifecycle/maintenance/maintenance-state.ts';
import { WorkerProcess } from '../../engine/crash/worker-process.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import { waitFor } from './support/wait-for.ts';

const SPEC = compile(
  pipeline({ name: 'hello' }, () => {
    containerComponent({ name: 'say', image: 'alpine', command: ['echo', 'hello'] })().setCachingOptions(
      false,
    );
  }),
);

for (const { dialect, skip } of await dialectTargets()) {
  describe(`cairn up under maintenance on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    let scratch: string;
    before(async () => {
      store = await createMigratedDatabase(dialect);
      await ensureMaintenanceTable(store.db, store.dialect);
      scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-up-maintenance-'));
    });
    after(async () => {
      await store.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    test('draining refuses writes and runs nothing; serving resumes both', async () => {
      const server = new WorkerProcess({
        command: 'up',
        db: store.database.url,
        artifacts: `file://${path.join(scratch, 'artifacts')}`,
        home: scratch,
        name: 'up-in-maintenance',
        args: ['--port', '0', '--poll-ms', '50'],
      });
      try {
        await server.waitForLine(/^ {2}worker /, 30_000);
        const url = server.lines.find((line) => line.includes(' is up at '))?.split(' is up at ')[1] ?? '';
        const createExperiment = (name: string) =>
          fetch(`${url}/apis/v2beta1/experiments`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ display_name: name }),
          });

        // Waited for from before the mode is set: the server may see it before setMaintenance returns.
        await Promise.all([
          server.waitForLine(
            /cairn up: draining for maintenance \(plan plan-9\), upgrading to Cairn 9\.0\.0: writes refused/,
            10_000,
          ),
          setMaintenance(store.db, store.dialect, {
            mode: 'draining',
            planId: 'plan-9',
            reason: 'upgrading to Cairn 9.0.0',
          }),
        ]);
        const refused = await createExperiment('refused');
        assert.equal(refused.status, 503);
        assert.equal(refused.headers.get('retry-after'), '30');
        const runId = await createRun(store.db, store.dialect, { displayName: 'hello', pipelineSpec: SPEC });
        const health = (await (await fetch(`${url}/apis/v2beta1/healthz`)).json()) as {
          maintenance_mode: string;
        };
        assert.equal(health.maintenance_mode, 'DRAINING');
        // Several of the worker's polls.
        await sleep(500);
        const say = await store.db
          .selectFrom('tasks')
          .select(['state', 'attempt'])
          .where('run_id', '=', runId)
          .where('path', '=', 'root/say')
          .executeTakeFirst();
        assert.deepEqual([say?.state, say?.attempt], ['QUEUED', 0], 'the embedded worker claims nothing');

        await Promise.all([
          server.waitForLine(/cairn up: serving again/, 10_000),
          setMaintenance(store.db, store.dialect, { mode: 'serving', planId: null, reason: null }),
        ]);
        assert.equal((await createExperiment('accepted')).status, 200);
        await waitFor('the run to succeed', async () => {
          const run = await store.db
            .selectFrom('runs')
            .select('state')
            .where('id', '=', runId)
            .executeTakeFirst();
          return run?.state === 'SUCCEEDED' ? true : undefined;
        });
        assert.equal(await server.kill('SIGTERM'), 0, server.tail());
      } finally {
        server.child.kill('SIGKILL');
      }
    });
  });
}
