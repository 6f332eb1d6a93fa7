// `cairn admin upgrade` as an operator uses it on the previous release's data (0.3.0, schema 10), on
// every dialect: --dry-run shows the plan and changes nothing; without --yes, and no terminal to ask on,
// it refuses and names --yes; with --yes it upgrades; `status -o json` shows the recorded plans.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { UpgradePlan } from '@cairn/sdk/api';
import { readMaintenance } from '../../../src/lifecycle/maintenance/maintenance-state.ts';
import { cli } from '../../cli/support/cli-harness.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import { CairnProcess } from './support/cairn-process.ts';
import {
  assertFixtureKept,
  deployFixture,
  recordedPlans,
  releaseEntry,
  schemaStatus,
} from './support/fixture-deployment.ts';

const FROM = releaseEntry('0.3.0');
const TO = releaseEntry('0.4.0');

for (const { dialect, skip } of await dialectTargets()) {
  describe(`cairn admin upgrade on ${dialect}`, { skip }, () => {
    test('--dry-run, a refusal without --yes, --yes, then status -o json', async () => {
      const deployment = await deployFixture(dialect, FROM.version);
      try {
        const args = deployment.args;

        const dryRun = await cli(['admin', 'upgrade', '--dry-run', ...args]);
        assert.equal(dryRun.code, 0, dryRun.err);
        assert.match(dryRun.out, /^dry run: schema 10 to 11; nothing is changed$/m);
        assert.match(dryRun.out, /^ {2}migrate {3}0011-index-runs-for-lists \(up\)$/m);
        assert.match(dryRun.out, /^ {2}- 0\.4\.0: Schema version 11 \(migration 0011\)/m);
        assert.match(dryRun.out, /^ {2}create index .*runs_namespace_state_name_idx/m);
        assert.equal((await schemaStatus(deployment)).databaseSchemaVersion, FROM.schema_version);
        assert.deepEqual(await recordedPlans(deployment), [], 'a dry run records no plan');

        // Standard input is not a terminal here, so there is no one to ask.
        const unconfirmed = new CairnProcess(['admin', 'upgrade', ...args]);
        const refusedCode = await unconfirmed.finished();
        assert.equal(refusedCode, 1, unconfirmed.describe(refusedCode));
        assert.match(
          unconfirmed.err.join('\n'),
          /^cairn: error: the upgrade failed: the notes above must be confirmed: run again with --yes/m,
        );
        assert.match(
          unconfirmed.out.join('\n'),
          /^upgrade notes:$/m,
          'the notes are shown before it refuses',
        );
        assert.equal((await schemaStatus(deployment)).databaseSchemaVersion, FROM.schema_version);
        assert.equal((await readMaintenance(deployment.handle.db, deployment.dialect)).mode, 'serving');

        const upgrade = await cli(['admin', 'upgrade', '--yes', ...args]);
        assert.equal(upgrade.code, 0, upgrade.err);
        const started = /^starting upgrade plan ([0-9a-f-]{36}): schema 10 to 11$/m.exec(upgrade.out);
        assert.ok(started, upgrade.out);
        assert.match(upgrade.out, /^upgrade finished: the database is at schema 11$/m);
        assert.equal((await schemaStatus(deployment)).databaseSchemaVersion, TO.schema_version);
        await assertFixtureKept(deployment);

        const status = await cli(['admin', 'upgrade', 'status', '-o', 'json', ...args]);
        assert.equal(status.code, 0, status.err);
        const plan = JSON.parse(status.out) as UpgradePlan;
        assert.deepEqual(
          {
            id: plan.plan_id,
            kind: plan.kind,
            state: plan.state,
            from: [plan.from_release, plan.from_schema],
            to: [plan.to_release, plan.to_schema],
          },
          {
            id: started[1],
            kind: 'UPGRADE',
            state: 'SUCCEEDED',
            from: [FROM.version, FROM.schema_version],
            to: [TO.version, TO.schema_version],
          },
        );
        assert.deepEqual(
          [...new Set(plan.steps.map((step) => step.phase))],
          ['PREFLIGHT', 'BACKUP', 'DRAIN', 'MIGRATE', 'VERIFY', 'RESUME'],
        );
        assert.deepEqual(
          plan.steps.filter((step) => step.state !== 'DONE' && step.state !== 'SKIPPED'),
          [],
        );
        assert.ok(plan.backup && existsSync(plan.backup), `the backup ${plan.backup} is kept`);

        const all = await cli(['admin', 'upgrade', 'status', '--all', '-o', 'json', ...args]);
        assert.equal(all.code, 0, all.err);
        const history = JSON.parse(all.out) as UpgradePlan[];
        assert.deepEqual(
          history.map((recorded) => [recorded.state, recorded.error?.match(/--yes/)?.[0] ?? null]),
          [
            ['SUCCEEDED', null],
            ['FAILED', '--yes'],
          ],
          'newest first: the upgrade, then the refused attempt and why',
        );
      } finally {
        await deployment.close();
      }
    });
  });
}
