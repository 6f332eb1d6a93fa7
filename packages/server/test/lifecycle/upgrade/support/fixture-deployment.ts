/**
 * A deployment as a release left it: its frozen database fixture in a fresh test database, its objects
 * in a folder artifact store, a home directory for the backups, and the `--db/--artifacts/--home`
 * arguments that point `cairn` at them. With the checks the upgrade tests make after each attempt.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { PLANS_TABLE } from '../../../../src/lifecycle/upgrade/plan-tables.ts';
import { PLAN_STALE_MS } from '../../../../src/lifecycle/upgrade/run-upgrade.ts';
import { PlanStore, type UpgradePlan } from '../../../../src/lifecycle/upgrade/upgrade-plan.ts';
import { connectDatabase } from '../../../../src/store/connect-database.ts';
import type { AnyDb, DialectName, StoreDialect } from '../../../../src/store/dialects/store-dialect.ts';
import { Migrator } from '../../../../src/store/migrator/migrator.ts';
import type { SchemaStatus } from '../../../../src/store/migrator/schema-status.ts';
import type { DatabaseHandle } from '../../../../src/store/open-database.ts';
import type { CairnDatabase } from '../../../../src/store/tables.ts';
import { createTestDatabase, type TestDatabase } from '../../../support/test-databases.ts';
import {
  type FixtureManifest,
  type ReleaseEntry,
  readFixture,
  readReleases,
  restoreFixture,
} from '../../release-fixtures.ts';

export interface FixtureDeployment {
  readonly release: ReleaseEntry;
  readonly manifest: FixtureManifest;
  readonly database: TestDatabase;
  readonly handle: DatabaseHandle;
  /** The test's own connection; the schema may be any release's, so the types are the newest's. */
  readonly db: Kysely<CairnDatabase>;
  readonly dialect: StoreDialect;
  readonly artifactsDir: string;
  readonly home: string;
  /** `--db URL --artifacts DIR --home DIR`. */
  readonly args: readonly string[];
  close(): Promise<void>;
}

export function releaseEntry(version: string): ReleaseEntry {
  const found = readReleases().find((release) => release.version === version);
  if (!found) throw new Error(`releases.yaml has no ${version}`);
  return found;
}

export async function deployFixture(dialect: DialectName, version: string): Promise<FixtureDeployment> {
  const release = releaseEntry(version);
  const { dir, manifest } = readFixture(release);
  const database = await createTestDatabase(dialect);
  restoreFixture(dir, manifest, database);
  const scratch = mkdtempSync(path.join(os.tmpdir(), `cairn-upgrade-${dialect}-`));
  const artifactsDir = path.join(scratch, 'artifacts');
  cpSync(path.join(dir, 'artifacts'), artifactsDir, { recursive: true });
  const home = path.join(scratch, 'home');
  const handle = await connectDatabase(database.location);
  return {
    release,
    manifest,
    database,
    handle,
    db: handle.db as Kysely<CairnDatabase>,
    dialect: handle.dialect,
    artifactsDir,
    home,
    args: ['--db', database.url, '--artifacts', artifactsDir, '--home', home],
    async close() {
      await handle.close();
      await database.drop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export function schemaStatus(deployment: FixtureDeployment): Promise<SchemaStatus> {
  return new Migrator({ db: deployment.handle.db, dialect: deployment.dialect }).status();
}

/** Every plan recorded, newest first. */
export function recordedPlans(deployment: FixtureDeployment): Promise<UpgradePlan[]> {
  return new PlanStore(deployment.handle.db, deployment.dialect).history(100);
}

/**
 * Moves the plan's heartbeat back past PLAN_STALE_MS, as the time a person takes to notice a crash and
 * run the command again would: the next attempt then takes the plan over instead of waiting for it.
 */
export async function letPlanGoStale(deployment: FixtureDeployment, planId: string): Promise<void> {
  const plans = new PlanStore(deployment.handle.db, deployment.dialect);
  await deployment.handle.db
    .updateTable(PLANS_TABLE)
    .set({ heartbeat_at: (await plans.now()) - 2 * PLAN_STALE_MS })
    .where('id', '=', planId)
    .execute();
}

function comparable(value: unknown): unknown {
  return typeof value === 'string' && value.length > 4096
    ? { sha256: createHash('sha256').update(value).digest('hex'), length: value.length }
    : value;
}

/**
 * Every row and object the release's fixture holds is still there with the same values (later schemas
 * may add columns, which are not compared).
 */
export async function assertFixtureKept(deployment: FixtureDeployment): Promise<void> {
  const db = deployment.handle.db as AnyDb;
  for (const [table, expectedRows] of Object.entries(deployment.manifest.rows)) {
    for (const expected of expectedRows) {
      const keys =
        'id' in expected ? ['id'] : Object.keys(expected).filter((c) => c.endsWith('_id') || c === 'seq');
      let query = db.selectFrom(table).select(Object.keys(expected));
      for (const key of keys) query = query.where(key, '=', expected[key]);
      const stored = await query.executeTakeFirst();
      const which = `${table} row ${JSON.stringify(keys.map((key) => expected[key]))}`;
      assert.ok(stored, `${which} is missing`);
      assert.deepEqual(
        Object.fromEntries(Object.entries(stored).map(([column, value]) => [column, comparable(value)])),
        expected,
        which,
      );
    }
  }
  for (const object of deployment.manifest.artifacts) {
    const bytes = readFileSync(path.join(deployment.artifactsDir, object.key));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), object.sha256, `object ${object.key}`);
  }
}
