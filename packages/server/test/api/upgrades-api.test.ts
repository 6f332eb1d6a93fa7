// The upgrade plans over the API: what `cairn admin upgrade status` shows, read-only. On every dialect.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FsArtifactStore } from '../../src/artifacts/fs-artifact-store.ts';
import { runUpgrade } from '../../src/lifecycle/upgrade/run-upgrade.ts';
import { dialectTargets } from '../support/test-databases.ts';
import { startApi, type TestApi } from './support/api-harness.ts';

const UPGRADES = '/apis/v2beta1/lifecycle/upgrades';

for (const { dialect, skip } of await dialectTargets()) {
  describe(`upgrade plans over the API on ${dialect}`, { skip }, () => {
    let api: TestApi;
    let scratch: string;
    before(async () => {
      api = await startApi(dialect);
      scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-upgrades-api-'));
    });
    after(async () => {
      await api.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    test('before any upgrade: an empty list, and no latest plan', async () => {
      assert.deepEqual((await api.call('GET', UPGRADES)).body, { upgrades: [] });
      const latest = await api.call('GET', `${UPGRADES}/latest`);
      assert.equal(latest.status, 404);
      assert.equal(latest.body.message, 'no upgrade has run on this deployment');
    });

    test('plans are listed newest first with their steps; one is read by id or as the latest', async () => {
      const store = new FsArtifactStore(path.join(scratch, 'artifacts'));
      const plan = await runUpgrade(
        { db: api.db, dialect: api.dialect, location: api.location, store },
        {
          kind: 'upgrade',
          backup: false,
          backupDir: scratch,
          drainTimeoutMs: 1000,
          pollMs: 20,
          confirm: async () => true,
        },
      );
      await store.close();
      assert.equal(plan.state, 'succeeded', plan.error ?? '');

      const list = await api.call('GET', `${UPGRADES}?page_size=5`);
      assert.equal(list.status, 200);
      assert.equal(list.body.upgrades.length, 1);
      const wire = list.body.upgrades[0];
      assert.equal(wire.plan_id, plan.id);
      assert.equal(wire.kind, 'UPGRADE');
      assert.equal(wire.state, 'SUCCEEDED');
      assert.equal(wire.from_schema, plan.fromSchema);
      assert.equal(wire.to_schema, plan.toSchema);
      assert.match(wire.created_at, /^\d{4}-\d\d-\d\dT.*Z$/);
      assert.deepEqual(
        wire.steps.map((step: { phase: string; name: string; state: string }) => [step.phase, step.state]),
        plan.steps.map((step) => [step.phase.toUpperCase(), step.state.toUpperCase()]),
      );
      assert.ok(wire.steps.some((step: { name: string }) => step.name === 'backup (skipped: --no-backup)'));

      assert.deepEqual((await api.call('GET', `${UPGRADES}/${plan.id}`)).body, wire);
      assert.deepEqual((await api.call('GET', `${UPGRADES}/latest`)).body, wire);
      const missing = await api.call('GET', `${UPGRADES}/0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0fff`);
      assert.equal(missing.status, 404);
      assert.equal((await api.call('GET', `${UPGRADES}/not-a-plan`)).status, 404);
      assert.equal((await api.call('GET', `${UPGRADES}?page_size=500`)).status, 400);
    });
  });
}
