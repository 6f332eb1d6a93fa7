import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CairnError } from '../../src/errors.ts';
import { connectDatabase } from '../../src/store/connect-database.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { Migrator } from '../../src/store/migrator/migrator.ts';
import { HISTORY_TABLE, readHistory } from '../../src/store/migrator/schema-history.ts';
import { assertSchemaCurrent } from '../../src/store/migrator/schema-status.ts';
import type { DatabaseHandle } from '../../src/store/open-database.ts';
import { openStore } from '../../src/store/open-store.ts';
import { CAIRN_VERSION } from '../../src/version.ts';
import { spawnJsonLines } from '../support/child-process.ts';
import { recordNewerMigration } from '../support/newer-schema.ts';
import { assertSampleRows, insertSampleRows, SAMPLE_ROWS } from '../support/sample-rows.ts';
import { createTestDatabase, dialectTargets, type TestDatabase } from '../support/test-databases.ts';
import probe from './fixtures/9001-test-interruptible.ts';

const CHILD = fileURLToPath(new URL('./fixtures/migrate-in-child.ts', import.meta.url));
const LATEST = MIGRATIONS.at(-1)?.version ?? 0;

async function rejectsWith(promise: Promise<unknown>, code: string, ...fragments: string[]) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CairnError, `expected a CairnError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const fragment of fragments) assert.match(error.message, new RegExp(fragment));
    return true;
  });
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`migrations on ${dialect}`, { skip }, () => {
    let database: TestDatabase;
    let handle: DatabaseHandle;
    const tablesOf = (version: number) => Object.keys(SAMPLE_ROWS[version] ?? {});

    // A fresh database per test: each one starts from an empty schema.
    async function fresh(): Promise<Migrator> {
      await handle?.close();
      await database?.drop();
      database = await createTestDatabase(dialect);
      handle = await connectDatabase(database.location);
      return new Migrator({ db: handle.db, dialect: handle.dialect });
    }

    after(async () => {
      await handle?.close();
      await database?.drop();
    });

    test('a new database is migrated to the latest schema and the history records each migration', async () => {
      const migrator = await fresh();
      const before = Date.now();
      const outcome = await migrator.migrateTo();
      assert.equal(outcome.error, undefined);
      assert.deepEqual(
        outcome.results.map((r) => [r.name, r.direction, r.status]),
        MIGRATIONS.map((m) => [m.name, 'up', 'done']),
      );
      const history = await readHistory(handle.db, handle.dialect);
      assert.equal(history.length, MIGRATIONS.length);
      for (const [i, row] of history.entries()) {
        const migration = MIGRATIONS[i];
        assert.equal(row.name, migration?.name);
        assert.equal(row.checksum, migration?.checksum);
        assert.match(row.checksum, /^[0-9a-f]{64}$/);
        assert.equal(row.cairn_version, CAIRN_VERSION);
        assert.equal(row.state, 'applied');
        assert.ok(row.started_at >= before && (row.finished_at ?? 0) >= row.started_at);
      }
      const status = await migrator.status();
      assert.equal(status.databaseSchemaVersion, LATEST);
      assert.deepEqual(status.pending, []);
      // Migrating again is a no-op.
      assert.deepEqual((await migrator.migrateTo()).results, []);
    });

    test('each migration goes up with seeded rows, down, and up again without losing earlier data', async () => {
      const migrator = await fresh();
      for (const migration of MIGRATIONS) {
        const v = migration.version;
        assert.equal((await migrator.migrateTo(v)).error, undefined);
        for (const table of tablesOf(v)) assert.ok(await handle.dialect.tableExists(handle.db, table), table);
        await insertSampleRows(handle.db, v);
        await assertSampleRows(handle.db, v);

        const down = await migrator.migrateTo(v - 1);
        assert.equal(down.error, undefined);
        assert.deepEqual(
          down.results.map((r) => [r.name, r.direction]),
          [[migration.name, 'down']],
        );
        for (const table of tablesOf(v))
          assert.ok(!(await handle.dialect.tableExists(handle.db, table)), table);
        for (let earlier = 1; earlier < v; earlier++) await assertSampleRows(handle.db, earlier);

        assert.equal((await migrator.migrateTo(v)).error, undefined);
        await insertSampleRows(handle.db, v);
        for (let upTo = 1; upTo <= v; upTo++) await assertSampleRows(handle.db, upTo);
      }
      // All the way down leaves only the history table, empty.
      assert.equal((await migrator.migrateTo(0)).error, undefined);
      for (const migration of MIGRATIONS) {
        for (const table of tablesOf(migration.version)) {
          assert.ok(!(await handle.dialect.tableExists(handle.db, table)), table);
        }
      }
      assert.deepEqual(await readHistory(handle.db, handle.dialect), []);
    });

    test('openStore refuses a database that is behind, and names what to run', async () => {
      const migrator = await fresh();
      await rejectsWith(
        openStore(database.location),
        'SCHEMA_NOT_CURRENT',
        'cairn admin upgrade',
        `version ${LATEST}`,
      );
      await migrator.migrateTo(3);
      await rejectsWith(
        openStore(database.location),
        'SCHEMA_NOT_CURRENT',
        'at version 3',
        '0004-create-runs',
      );
      await migrator.migrateTo();
      const store = await openStore(database.location);
      await store.close();
    });

    test('a database written by a newer Cairn is refused by openStore and by the migrator', async () => {
      const migrator = await fresh();
      await migrator.migrateTo();
      await recordNewerMigration(handle.db, '9.4.0');
      await rejectsWith(
        openStore(database.location),
        'SCHEMA_NEWER_THAN_CODE',
        '9\\.4\\.0',
        CAIRN_VERSION.replaceAll('.', '\\.'),
        'from-the-future',
      );
      const outcome = await migrator.migrateTo();
      assert.equal(outcome.error?.code, 'SCHEMA_NEWER_THAN_CODE');
      assert.deepEqual(outcome.results, []);
    });

    test('an edited migration (checksum mismatch) is refused with both versions named', async () => {
      const migrator = await fresh();
      await migrator.migrateTo();
      await handle.db
        .updateTable(HISTORY_TABLE)
        .set({ checksum: '0'.repeat(64), cairn_version: '0.0.9' })
        .where('version', '=', 2)
        .execute();
      await rejectsWith(
        openStore(database.location),
        'SCHEMA_CHECKSUM_MISMATCH',
        '0002-create-experiments',
        '0\\.0\\.9',
        CAIRN_VERSION.replaceAll('.', '\\.'),
      );
      assert.equal((await migrator.migrateTo()).error?.code, 'SCHEMA_CHECKSUM_MISMATCH');
    });

    test('a dry run returns the SQL of the pending steps and changes nothing', async () => {
      const migrator = await fresh();
      const planned = await migrator.plannedSql();
      assert.deepEqual(
        planned.map((p) => p.name),
        MIGRATIONS.map((m) => m.name),
      );
      const sqlText = planned.flatMap((p) => p.statements.map((s) => s.sql)).join('\n');
      assert.match(sqlText, /create table .pipelines./i);
      assert.match(sqlText, /create unique index .runs_created_at_idx|create index .runs_created_at_idx/i);
      assert.ok(!(await handle.dialect.tableExists(handle.db, 'pipelines')));
      await migrator.migrateTo(5);
      const downPlan = await migrator.plannedSql(3);
      assert.deepEqual(
        downPlan.map((p) => [p.name, p.direction]),
        [
          ['0005-create-tasks', 'down'],
          ['0004-create-runs', 'down'],
        ],
      );
      assert.match(downPlan[0]?.statements[0]?.sql ?? '', /drop table .tasks./i);
      await assert.rejects(migrator.plannedSql(42), /target schema version 42/);
    });

    test('two migrator processes at once apply each migration exactly once', async () => {
      await fresh();
      const first = spawnJsonLines(CHILD, [database.url]);
      const second = spawnJsonLines(CHILD, [database.url]);
      assert.deepEqual(await Promise.all([first.exited, second.exited]), [0, 0]);
      const done = [...first.lines, ...second.lines].filter((l) => l.phase === 'done').map((l) => l.name);
      const applied = [...first.lines, ...second.lines]
        .flatMap((l) => (l.outcome as { results?: { name: string; status: string }[] })?.results ?? [])
        .filter((r) => r.status === 'done')
        .map((r) => r.name)
        .sort();
      assert.deepEqual(
        applied,
        MIGRATIONS.map((m) => m.name),
      );
      assert.ok(done.length >= MIGRATIONS.length);
      const history = await readHistory(handle.db, handle.dialect);
      assert.deepEqual(
        history.map((r) => [r.name, r.state]),
        MIGRATIONS.map((m) => [m.name, 'applied']),
      );
    });

    test('migrations recorded as interrupted are finished in the direction they were going', async () => {
      const migrator = await fresh();
      await migrator.migrateTo();
      for (let v = 1; v <= LATEST; v++) await insertSampleRows(handle.db, v);
      const mark = (state: string) =>
        handle.db
          .updateTable(HISTORY_TABLE)
          .set({ state, finished_at: null })
          .where('version', '=', LATEST)
          .execute();
      const last = MIGRATIONS.at(-1)?.name;
      // As a crash on MySQL leaves it: a downgrade stopped halfway through the newest migration.
      await mark('reverting');
      await rejectsWith(
        openStore(database.location),
        'SCHEMA_NOT_CURRENT',
        `${last}.*interrupted while reverting`,
      );
      const steps = async () =>
        (await migrator.migrateTo()).results.map((r) => [r.name, r.direction, r.status]);
      assert.deepEqual(await steps(), [
        [last, 'down', 'done'],
        [last, 'up', 'done'],
      ]);
      // An upgrade stopped halfway: finishing it re-runs its steps over what is there, keeping the rows.
      await insertSampleRows(handle.db, LATEST);
      await mark('applying');
      assert.deepEqual(await steps(), [[last, 'up', 'done']]);
      await assertSampleRows(handle.db, LATEST);
      const status = await migrator.status();
      assert.deepEqual([status.pending, status.interrupted, status.databaseSchemaVersion], [[], [], LATEST]);
    });

    test('a migrator that cannot get the lock in time gives up with MIGRATION_LOCK_TIMEOUT and changes nothing', async () => {
      await fresh();
      const holder = await connectDatabase(database.location);
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let holding = () => {};
      const held = new Promise<void>((resolve) => {
        holding = resolve;
      });
      // Hold the lock the way a migrator does: the session lock, and on SQLite the exclusive transaction.
      const holdingLock = holder.dialect.withMigrationLock(holder.db, 1000, (connection) =>
        holder.dialect.runMigrationUnit(connection, async () => {
          holding();
          await released;
        }),
      );
      await held;
      const waiting = new Migrator({ db: handle.db, dialect: handle.dialect, lockTimeoutMs: 300 });
      const outcome = await waiting.migrateTo();
      assert.equal(outcome.error?.code, 'MIGRATION_LOCK_TIMEOUT', outcome.error?.message);
      assert.match(outcome.error?.message ?? '', /wait for it to finish.* try again/);
      assert.deepEqual(outcome.results, []);
      release();
      await holdingLock;
      await holder.close();
      assert.equal((await waiting.migrateTo()).error, undefined);
    });

    test('a migrator SIGKILLed in the middle of a migration leaves a state that a re-run completes', async () => {
      await fresh();
      const child = spawnJsonLines(CHILD, [database.url, '--with-probe'], {
        CAIRN_TEST_PROBE_PAUSE_MS: '60000',
      });
      await child.waitFor((line) => line.probe === 'first-step-done');
      child.child.kill('SIGKILL');
      assert.equal(await child.exited, 'SIGKILL');

      const migrations = [...MIGRATIONS, probe];
      const migrator = new Migrator({ db: handle.db, dialect: handle.dialect, migrations });
      const status = await migrator.status();
      if (handle.dialect.capabilities.transactionalDdl) {
        // The whole migration rolled back with its transaction, history row included.
        assert.deepEqual(status.interrupted, []);
        assert.deepEqual(
          status.pending.map((m) => m.name),
          [probe.name],
        );
        assert.ok(!(await handle.dialect.tableExists(handle.db, 'interrupt_probe_a')));
      } else {
        // The first step stayed; the history row says the migration is unfinished.
        assert.deepEqual(
          status.interrupted.map((r) => [r.name, r.state]),
          [[probe.name, 'applying']],
        );
        assert.ok(await handle.dialect.tableExists(handle.db, 'interrupt_probe_a'));
        assert.throws(
          () => assertSchemaCurrent(status),
          (error: CairnError) =>
            error.code === 'SCHEMA_NOT_CURRENT' &&
            /9001-test-interruptible.*interrupted while applying/.test(error.message),
        );
      }

      const outcome = await migrator.migrateTo();
      assert.equal(outcome.error, undefined);
      assert.deepEqual(
        outcome.results.map((r) => [r.name, r.status]),
        [[probe.name, 'done']],
      );
      assert.ok(await handle.dialect.tableExists(handle.db, 'interrupt_probe_b'));
      const after = await migrator.status();
      assert.deepEqual([after.pending, after.interrupted], [[], []]);
      assert.equal(after.databaseSchemaVersion, probe.version);
    });

    test('a migrator SIGKILLed while applying the real migrations is completed by a re-run', async () => {
      await fresh();
      const child = spawnJsonLines(CHILD, [database.url]);
      await child.waitFor((line) => line.phase === 'start' && line.name === '0004-create-runs');
      child.child.kill('SIGKILL');
      await child.exited;
      const migrator = new Migrator({ db: handle.db, dialect: handle.dialect });
      const outcome = await migrator.migrateTo();
      assert.equal(outcome.error, undefined, outcome.error?.message);
      const status = await migrator.status();
      assert.equal(status.databaseSchemaVersion, LATEST);
      assert.deepEqual([status.pending, status.interrupted], [[], []]);
      for (let v = 1; v <= LATEST; v++) await insertSampleRows(handle.db, v);
      for (let v = 1; v <= LATEST; v++) await assertSampleRows(handle.db, v);
    });
  });
}
