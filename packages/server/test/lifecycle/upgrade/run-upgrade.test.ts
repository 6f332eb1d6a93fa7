import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import type { CairnError } from '../../../src/errors.ts';
import {
  ensureMaintenanceTable,
  readMaintenance,
} from '../../../src/lifecycle/maintenance/maintenance-state.ts';
import { ensurePlanTables, PLANS_TABLE } from '../../../src/lifecycle/upgrade/plan-tables.ts';
import {
  PLAN_STALE_MS,
  previewUpgrade,
  runUpgrade,
  type UpgradeRequest,
} from '../../../src/lifecycle/upgrade/run-upgrade.ts';
import { PlanStore } from '../../../src/lifecycle/upgrade/upgrade-plan.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import type { AnyDb } from '../../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION } from '../../../src/store/migrations/index.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import type { DatabaseHandle } from '../../../src/store/open-database.ts';
import { CAIRN_VERSION } from '../../../src/version.ts';
import { assertSampleRows, SAMPLE_ROWS } from '../../support/sample-rows.ts';
import { createTestDatabase, dialectTargets, type TestDatabase } from '../../support/test-databases.ts';
import { readFixture, readReleases, restoreFixture } from '../release-fixtures.ts';

const releases = readReleases();

/**
 * The first release's sample rows are all still there as written. lifecycle_audit gains the plan's own
 * records (its backup, its verify), so there the sample row is looked up alone.
 */
async function assertReleaseRows(db: AnyDb): Promise<void> {
  for (let version = 1; version <= 6; version++) await assertSampleRows(db, version);
  for (const row of SAMPLE_ROWS[7]?.lifecycle_audit ?? []) {
    const stored = await db
      .selectFrom('lifecycle_audit')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirst();
    assert.deepEqual({ ...stored }, row);
  }
}
const release = (version: string) => {
  const found = releases.find((candidate) => candidate.version === version);
  if (!found) throw new Error(`no release ${version}`);
  return found;
};

for (const { dialect, skip } of await dialectTargets()) {
  describe(`cairn admin upgrade / downgrade on ${dialect}`, { skip }, () => {
    let scratch: string;
    before(() => {
      scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-upgrade-'));
    });
    after(() => rmSync(scratch, { recursive: true, force: true }));

    /** A database holding a release's fixture, with its objects in a store of its own. */
    async function fromRelease(version: string) {
      const { dir, manifest } = readFixture(release(version));
      const database: TestDatabase = await createTestDatabase(dialect);
      restoreFixture(dir, manifest, database);
      const root = mkdtempSync(path.join(scratch, 'artifacts-'));
      cpSync(path.join(dir, 'artifacts'), root, { recursive: true });
      const handle: DatabaseHandle = await connectDatabase(database.location);
      const store = new FsArtifactStore(root);
      return {
        deps: { db: handle.db, dialect: handle.dialect, location: handle.location, store },
        handle,
        async close() {
          await store.close();
          await handle.close();
          await database.drop();
        },
      };
    }

    function request(overrides: Partial<UpgradeRequest> = {}): UpgradeRequest {
      return {
        kind: 'upgrade',
        backup: true,
        backupDir: mkdtempSync(path.join(scratch, 'backups-')),
        drainTimeoutMs: 2000,
        pollMs: 50,
        confirm: async () => true,
        ...overrides,
      };
    }

    test('upgrades the first release to the newest schema as a recorded plan, keeping every row', async () => {
      const target = await fromRelease('0.1.0');
      try {
        const notes: string[] = [];
        const plan = await runUpgrade(
          target.deps,
          request({
            confirm: async (shown) => {
              notes.push(...shown);
              return true;
            },
          }),
        );
        assert.equal(plan.state, 'succeeded', plan.error ?? '');
        assert.equal(plan.fromSchema, 7);
        assert.equal(plan.toSchema, LATEST_SCHEMA_VERSION);
        assert.deepEqual(
          plan.steps.filter((step) => step.state !== 'done' && step.state !== 'skipped'),
          [],
          'every step ran',
        );
        assert.deepEqual(
          [...new Set(plan.steps.map((step) => step.phase))],
          ['preflight', 'backup', 'drain', 'migrate', 'verify', 'resume'],
        );
        const migrated = plan.steps.filter((step) => step.phase === 'migrate');
        assert.equal(migrated.length, LATEST_SCHEMA_VERSION - 7);
        assert.deepEqual(
          migrated.filter((step) => step.detail !== null || step.startedAt === null),
          [],
          'each migration is recorded as run by this plan, with its time, not as found already applied',
        );
        assert.ok(plan.backup && existsSync(plan.backup), 'the backup archive is kept');
        assert.ok(
          notes.some((note) => note.startsWith('0.2.0')),
          `the notes of the releases crossed are shown: ${notes}`,
        );
        const status = await new Migrator({ db: target.handle.db, dialect: target.handle.dialect }).status();
        assert.equal(status.databaseSchemaVersion, LATEST_SCHEMA_VERSION);
        await assertReleaseRows(target.handle.db);
        assert.equal((await readMaintenance(target.handle.db, target.handle.dialect)).mode, 'serving');
        // Nothing left to do: a second upgrade records an empty plan and succeeds.
        const again = await runUpgrade(target.deps, request({ backup: false }));
        assert.equal(again.state, 'succeeded');
        assert.equal(again.steps.filter((step) => step.phase === 'migrate').length, 0);
      } finally {
        await target.close();
      }
    });

    test('--to stops at that release, and downgrade goes back to an earlier one', async () => {
      const target = await fromRelease('0.1.0');
      try {
        const migrator = new Migrator({ db: target.handle.db, dialect: target.handle.dialect });
        const up = await runUpgrade(target.deps, request({ toRelease: '0.2.0', backup: false }));
        assert.equal(up.state, 'succeeded', up.error ?? '');
        assert.equal((await migrator.status()).databaseSchemaVersion, 8);
        assert.equal(up.steps.find((step) => step.name === 'integrity')?.state, 'skipped');

        await runUpgrade(target.deps, request({ backup: false }));
        const down = await runUpgrade(target.deps, request({ kind: 'downgrade', toRelease: '0.3.0' }));
        assert.equal(down.state, 'succeeded', down.error ?? '');
        assert.equal((await migrator.status()).databaseSchemaVersion, release('0.3.0').schema_version);
        await assertReleaseRows(target.handle.db);

        await assert.rejects(
          runUpgrade(target.deps, request({ kind: 'downgrade', toRelease: '0.9.9' })),
          (error: CairnError) => error.code === 'UPGRADE_INVALID' && /no such release/.test(error.message),
        );
        await assert.rejects(
          runUpgrade(target.deps, request({ toRelease: '0.1.0' })),
          (error: CairnError) =>
            error.code === 'UPGRADE_INVALID' && /cairn admin downgrade/.test(error.message),
        );
      } finally {
        await target.close();
      }
    });

    test('a failed migration rolls back and leaves the old schema serving, with a report', async () => {
      const target = await fromRelease('0.2.0');
      try {
        const db = target.handle.db;
        // Migration 0009 makes (recurring_run_id, scheduled_at) unique: two runs on one slot make it fail.
        const run = await db
          .selectFrom('runs')
          .selectAll()
          .where('recurring_run_id', 'is not', null)
          .executeTakeFirst();
        assert.ok(run, 'the 0.2.0 fixture has a run fired by a recurring run');
        await db
          .insertInto('runs')
          .values({ ...run, id: '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e00ff' })
          .execute();
        const plan = await runUpgrade(target.deps, request());
        assert.equal(plan.state, 'rolled-back', plan.error ?? '');
        assert.match(plan.error ?? '', /0009/);
        assert.equal(plan.steps.find((step) => step.state === 'failed')?.phase, 'migrate');
        assert.deepEqual(
          plan.steps.filter((step) => step.phase === 'rollback').map((step) => step.state),
          ['done', 'done'],
        );
        const status = await new Migrator({ db, dialect: target.handle.dialect }).status();
        assert.equal(status.databaseSchemaVersion, 8);
        assert.deepEqual(status.interrupted, []);
        // Nothing was lost, the offending run included; without it the release's rows are as written.
        await db
          .deleteFrom('runs')
          .where('id', '=', '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e00ff')
          .executeTakeFirstOrThrow();
        await assertReleaseRows(db);
        assert.equal((await readMaintenance(db, target.handle.dialect)).mode, 'serving');
      } finally {
        await target.close();
      }
    });

    /** A new, empty database, with nothing in its store. */
    async function newDeployment() {
      const database = await createTestDatabase(dialect);
      const handle = await connectDatabase(database.location);
      const store = new FsArtifactStore(mkdtempSync(path.join(scratch, 'artifacts-')));
      return {
        deps: { db: handle.db, dialect: handle.dialect, location: handle.location, store },
        async close() {
          await store.close();
          await handle.close();
          await database.drop();
        },
      };
    }

    const tableNames = async (db: AnyDb) =>
      (await db.introspection.getTables()).map((table) => table.name).sort();

    test('a new database whose migration fails is left new, whatever its DDL', async () => {
      const target = await newDeployment();
      try {
        const { db } = target.deps;
        // Something of the user's holds a name migration 0004 (runs) needs: a foreign key name on MySQL
        // (database-wide there), an index name elsewhere.
        const own = db.schema
          .createTable('users_own')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('parent', 'integer');
        if (dialect === 'mysql') {
          await own.addForeignKeyConstraint('runs_experiment_fk', ['parent'], 'users_own', ['id']).execute();
        } else {
          await own.execute();
          await db.schema.createIndex('runs_created_at_idx').on('users_own').column('id').execute();
        }
        const before = await tableNames(db);
        const plan = await runUpgrade(target.deps, request());
        assert.equal(plan.state, 'rolled-back', plan.error ?? '');
        assert.match(plan.error ?? '', /0004/);
        const undo = plan.steps.filter((step) => step.phase === 'rollback');
        assert.deepEqual(
          undo.map((step) => [step.name, step.state]),
          [
            [dialect === 'mysql' ? 'drop the new tables' : 'down migrations to schema 0', 'done'],
            ['serve', 'done'],
          ],
        );
        const status = await new Migrator({ db, dialect: target.deps.dialect }).status();
        assert.equal(status.databaseSchemaVersion, 0);
        // The user's table is kept; of Cairn's, only what records the upgrade and the mode remains.
        const after = await tableNames(db);
        assert.deepEqual(
          after.filter((name) => !before.includes(name) && !name.startsWith('cairn_')),
          [],
          `left behind: ${after.join(', ')}`,
        );
        assert.ok(after.includes('users_own'));
        // Once the name is free, the next attempt upgrades it.
        if (dialect !== 'mysql') await db.schema.dropIndex('runs_created_at_idx').execute();
        await db.schema.dropTable('users_own').execute();
        const retried = await runUpgrade(target.deps, request());
        assert.equal(retried.state, 'succeeded', retried.error ?? '');
      } finally {
        await target.close();
      }
    });

    test("a database with no history but Cairn's tables is refused before anything changes", async () => {
      const target = await newDeployment();
      try {
        const { db } = target.deps;
        await db.schema
          .createTable('pipelines')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .execute();
        await db
          .insertInto('pipelines' as never)
          .values({ id: 7 } as never)
          .execute();
        const plan = await runUpgrade(target.deps, request());
        assert.equal(plan.state, 'failed', plan.error ?? '');
        assert.match(plan.error ?? '', /no migration history but holds Cairn's tables \(pipelines\)/);
        const rows = await db
          .selectFrom('pipelines' as never)
          .selectAll()
          .execute();
        assert.deepEqual(
          rows.map((row) => ({ ...(row as object) })),
          [{ id: 7 }],
        );
      } finally {
        await target.close();
      }
    });

    type Deployment = Awaited<ReturnType<typeof fromRelease>>;

    /** A plan of the whole upgrade recorded as another process's, running, its preflight not begun. */
    async function othersPlan(target: Deployment, owner: string) {
      const { db, dialect: storeDialect } = target.handle;
      const preview = await previewUpgrade(target.deps, request({ backup: false }));
      return new PlanStore(db, storeDialect).create({
        kind: 'upgrade',
        fromRelease: '0.3.0',
        toRelease: null,
        fromSchema: preview.fromSchema,
        toSchema: preview.toSchema,
        cairnVersion: CAIRN_VERSION,
        options: { backup: false, backupDir: null, drainTimeoutMs: 1000 },
        owner,
        steps: preview.steps,
      });
    }

    /** The plan's process last heard from twice as long ago as a live one ever is. */
    async function silenceOf(target: Deployment, planId: string): Promise<void> {
      await target.handle.db
        .updateTable(PLANS_TABLE)
        .set({ heartbeat_at: Date.now() - PLAN_STALE_MS * 2 })
        .where('id', '=', planId)
        .execute();
    }

    if (dialect === 'sqlite') {
      test('a plan silent in a long migration is not taken over while its process holds the write lock', async () => {
        const target = await fromRelease('0.3.0');
        try {
          const { db, dialect: storeDialect, location } = target.handle;
          // What the silent plan's process made before it planned.
          await ensurePlanTables(db, storeDialect);
          await ensureMaintenanceTable(db, storeDialect);
          const silent = await othersPlan(target, 'migrating:1');
          await silenceOf(target, silent.id);
          // The plan's process, deep in a migration: its thread too busy to beat, its lock held.
          const migrating = new DatabaseSync(location.dialect === 'sqlite' ? location.path : '');
          migrating.exec('begin exclusive');
          try {
            await assert.rejects(
              runUpgrade(target.deps, request({ backup: false })),
              (error: CairnError) =>
                error.code === 'UPGRADE_IN_PROGRESS' &&
                /migrating:1/.test(error.message) &&
                /holds the database's write lock/.test(error.message),
            );
          } finally {
            // It dies: SQLite lets the lock go with it.
            migrating.close();
          }
          const resumed = await runUpgrade(target.deps, request({ backup: false }));
          assert.equal(resumed.id, silent.id, 'the same plan is continued');
          assert.equal(resumed.state, 'succeeded', resumed.error ?? '');
        } finally {
          await target.close();
        }
      });
    }

    test('an interrupted plan is continued by the next attempt; a live one is refused', async () => {
      const target = await fromRelease('0.3.0');
      try {
        const first = await runUpgrade(target.deps, request({ toRelease: '0.3.0', backup: false }));
        assert.equal(first.state, 'succeeded');
        // A plan whose process is gone: recorded as running, then its heartbeat long past.
        const crashed = await othersPlan(target, 'gone:1');
        await assert.rejects(
          runUpgrade(target.deps, request({ backup: false })),
          (error: CairnError) => error.code === 'UPGRADE_IN_PROGRESS' && /gone:1/.test(error.message),
        );
        await silenceOf(target, crashed.id);
        const resumed = await runUpgrade(target.deps, request({ backup: false }));
        assert.equal(resumed.id, crashed.id, 'the same plan is continued');
        assert.equal(resumed.state, 'succeeded', resumed.error ?? '');
        assert.notEqual(resumed.owner, 'gone:1');
      } finally {
        await target.close();
      }
    });

    test('--dry-run shows the plan, the notes and the SQL, and writes nothing', async () => {
      const target = await fromRelease('0.2.0');
      try {
        const preview = await previewUpgrade(target.deps, request());
        assert.equal(preview.fromSchema, 8);
        assert.equal(preview.toSchema, LATEST_SCHEMA_VERSION);
        assert.ok(preview.sql.length === LATEST_SCHEMA_VERSION - 8);
        assert.ok(preview.notes.some((note) => note.startsWith('0.3.0')));
        assert.equal(await target.handle.dialect.tableExists(target.handle.db, PLANS_TABLE), false);
        const status = await new Migrator({ db: target.handle.db, dialect: target.handle.dialect }).status();
        assert.equal(status.databaseSchemaVersion, 8);
      } finally {
        await target.close();
      }
    });

    test('notes not confirmed: nothing changes and the plan says why', async () => {
      const target = await fromRelease('0.2.0');
      try {
        const plan = await runUpgrade(target.deps, request({ confirm: async () => false }));
        assert.equal(plan.state, 'failed');
        assert.match(plan.error ?? '', /not confirmed/);
        const status = await new Migrator({ db: target.handle.db, dialect: target.handle.dialect }).status();
        assert.equal(status.databaseSchemaVersion, 8);
      } finally {
        await target.close();
      }
    });
  });
}
