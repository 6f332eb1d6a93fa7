// The API under maintenance: while an upgrade drains the deployment, every write is answered 503 with
// Retry-After and KFP's error shape, reads and healthz go on, and writes work again once it serves; a
// database upgraded by a newer Cairn is never written. On every dialect.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiApp } from '../../../src/api/api-app.ts';
import { buildApiServer } from '../../../src/api/api-server.ts';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import {
  ensureMaintenanceTable,
  type MaintenanceChange,
  setMaintenance,
} from '../../../src/lifecycle/maintenance/maintenance-state.ts';
import { MaintenanceWatch } from '../../../src/lifecycle/maintenance/maintenance-watch.ts';
import { LATEST_SCHEMA_VERSION } from '../../../src/store/migrations/index.ts';
import { CAIRN_VERSION } from '../../../src/version.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import { recordNewerSchema } from './support/newer-schema.ts';

const EXPERIMENTS = '/apis/v2beta1/experiments';
const HEALTHZ = '/apis/v2beta1/healthz';
const WATCH_MS = 20;

for (const { dialect, skip } of await dialectTargets()) {
  describe(`the API under maintenance on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    let scratch: string;
    let app: ApiApp;

    async function call(method: 'GET' | 'POST' | 'DELETE', url: string, body?: object) {
      const response = await app.inject({ method, url, ...(body === undefined ? {} : { payload: body }) });
      return {
        status: response.statusCode,
        retryAfter: response.headers['retry-after'],
        body: JSON.parse(response.body),
      };
    }

    /** Sets the mode as an upgrade does, and waits past the watch's interval so the server sees it. */
    async function enter(change: MaintenanceChange): Promise<void> {
      await setMaintenance(store.db, store.dialect, change);
      await sleep(WATCH_MS * 3);
    }

    before(async () => {
      store = await createMigratedDatabase(dialect);
      await ensureMaintenanceTable(store.db, store.dialect);
      scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-maintenance-api-'));
      app = await buildApiServer(
        {
          db: store.db,
          dialect: store.dialect,
          artifactStore: new FsArtifactStore(scratch),
          version: CAIRN_VERSION,
          schemaVersion: LATEST_SCHEMA_VERSION,
          maintenance: new MaintenanceWatch(store.db, store.dialect, { intervalMs: WATCH_MS }),
        },
        { bodyLimitBytes: 1024 * 1024 },
      );
    });
    after(async () => {
      await app.close();
      await store.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    test('draining refuses writes with 503 and lets reads through; serving takes writes again', async () => {
      const kept = await call('POST', EXPERIMENTS, { display_name: 'kept' });
      assert.equal(kept.status, 200);
      assert.equal((await call('GET', HEALTHZ)).body.maintenance_mode, 'SERVING');

      await enter({ mode: 'draining', planId: 'plan-7', reason: 'upgrading to Cairn 9.0.0' });
      const message =
        'Cairn is in maintenance (plan plan-7): upgrading to Cairn 9.0.0; writes resume when it ends';
      const refused = await call('POST', EXPERIMENTS, { display_name: 'refused' });
      assert.deepEqual(refused, { status: 503, retryAfter: '30', body: { code: 14, message, details: [] } });
      const deleted = await call('DELETE', `${EXPERIMENTS}/${kept.body.experiment_id}`);
      assert.equal(deleted.status, 503);

      const read = await call('GET', `${EXPERIMENTS}/${kept.body.experiment_id}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.display_name, 'kept', 'the refused delete did nothing');
      const listed = await call('GET', EXPERIMENTS);
      assert.equal(listed.status, 200);
      assert.deepEqual(
        listed.body.experiments.map((experiment: { display_name: string }) => experiment.display_name),
        ['kept'],
      );
      const health = await call('GET', HEALTHZ);
      assert.equal(health.status, 200);
      assert.equal(health.body.maintenance_mode, 'DRAINING');
      assert.equal(health.body.maintenance_message, message);

      await enter({ mode: 'stopping', planId: 'plan-7', reason: null });
      assert.equal((await call('POST', EXPERIMENTS, { display_name: 'refused' })).status, 503);
      assert.equal((await call('GET', HEALTHZ)).body.maintenance_mode, 'STOPPING');

      await enter({ mode: 'serving', planId: null, reason: null });
      const health2 = await call('GET', HEALTHZ);
      assert.equal(health2.body.maintenance_mode, 'SERVING');
      assert.equal(health2.body.maintenance_message, undefined);
      assert.equal((await call('POST', EXPERIMENTS, { display_name: 'after' })).status, 200);
      assert.equal((await call('DELETE', `${EXPERIMENTS}/${kept.body.experiment_id}`)).status, 200);
    });

    test('a database upgraded to a newer schema is never written', async () => {
      const version = await recordNewerSchema(store.db);
      await sleep(WATCH_MS * 3);
      const refused = await call('POST', EXPERIMENTS, { display_name: 'refused' });
      assert.equal(refused.status, 503);
      assert.equal(refused.retryAfter, '30');
      assert.equal(
        refused.body.message,
        `Cairn no longer writes to its database: the database was upgraded to schema ${version}; ` +
          'restart Cairn on a release that knows it',
      );
      assert.equal((await call('GET', EXPERIMENTS)).status, 200);
      const health = await call('GET', HEALTHZ);
      assert.equal(health.status, 200);
      assert.equal(health.body.maintenance_mode, 'DRAINING');
      const names = await store.db.selectFrom('experiments').select('display_name').execute();
      assert.deepEqual(names.map((row) => row.display_name).sort(), ['after']);
    });
  });
}
