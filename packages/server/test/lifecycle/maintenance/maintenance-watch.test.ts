// A process's view of the maintenance mode: read once per interval however often it is asked, told of
// changes, kept at its last reading while the database does not answer. On every dialect.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ensureMaintenanceTable,
  setMaintenance,
} from '../../../src/lifecycle/maintenance/maintenance-state.ts';
import {
  MaintenanceWatch,
  type ProcessMaintenance,
} from '../../../src/lifecycle/maintenance/maintenance-watch.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import { OLDEST_WRITABLE_SCHEMA_VERSION } from '../../../src/store/migrations/index.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/migrated-database.ts';
import { dialectTargets } from '../../support/test-databases.ts';

const INTERVAL_MS = 300;

async function migrateTo(migrator: Migrator, version: number): Promise<void> {
  const outcome = await migrator.migrateTo(version);
  if (outcome.error) throw outcome.error;
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`the maintenance watch on ${dialect}`, { skip }, () => {
    let store: MigratedDatabase;
    before(async () => {
      store = await createMigratedDatabase(dialect);
    });
    after(() => store.close());

    test('a reading is used for its interval, and each change is told once', async () => {
      const unset = new MaintenanceWatch(store.db, store.dialect);
      assert.equal((await unset.current()).mode, 'serving', 'no table yet: serving');
      await ensureMaintenanceTable(store.db, store.dialect);
      const changes: ProcessMaintenance[] = [];
      const watch = new MaintenanceWatch(store.db, store.dialect, {
        intervalMs: INTERVAL_MS,
        onChange: (maintenance) => changes.push(maintenance),
      });
      assert.equal((await watch.current()).mode, 'serving');
      await setMaintenance(store.db, store.dialect, { mode: 'draining', planId: 'p', reason: 'upgrading' });
      const [a, b] = await Promise.all([watch.current(), watch.current()]);
      assert.equal(a.mode, 'serving', 'the reading in hand, within its interval');
      assert.equal(b, a);
      await sleep(INTERVAL_MS + 20);
      const draining = await watch.current();
      assert.deepEqual(
        { ...draining, since: undefined },
        {
          mode: 'draining',
          planId: 'p',
          reason: 'upgrading',
          since: undefined,
          writable: true,
          message: 'Cairn is in maintenance (plan p): upgrading; writes resume when it ends',
        },
      );
      await sleep(INTERVAL_MS + 20);
      await watch.current();
      await setMaintenance(store.db, store.dialect, { mode: 'serving', planId: null, reason: null });
      await sleep(INTERVAL_MS + 20);
      await watch.current();
      assert.deepEqual(
        changes.map((change) => change.mode),
        ['draining', 'serving'],
      );
    });

    test('a database taken back past a migration this code needs is not written; one at the oldest schema is', async () => {
      const older = await createMigratedDatabase(dialect);
      try {
        const migrator = new Migrator({ db: older.db, dialect: older.dialect });
        await migrateTo(migrator, OLDEST_WRITABLE_SCHEMA_VERSION);
        const watch = new MaintenanceWatch(older.db, older.dialect, { intervalMs: 0 });
        assert.deepEqual(
          { ...(await watch.current()), since: undefined },
          { mode: 'serving', planId: null, reason: null, since: undefined, writable: true, message: '' },
          'the migrations after it only add indexes',
        );
        await migrateTo(migrator, OLDEST_WRITABLE_SCHEMA_VERSION - 1);
        const refused = await watch.current();
        assert.equal(refused.writable, false);
        assert.equal(refused.mode, 'draining');
        assert.equal(
          refused.message,
          `Cairn no longer writes to its database: the database was taken back to schema ` +
            `${OLDEST_WRITABLE_SCHEMA_VERSION - 1}, and this Cairn writes to schema ` +
            `${OLDEST_WRITABLE_SCHEMA_VERSION} or later; restart Cairn on the release of that schema, or ` +
            "upgrade the database again ('cairn admin upgrade')",
        );
      } finally {
        await older.close();
      }
    });

    test('while the database does not answer, the last reading stands', async () => {
      const handle = await connectDatabase(store.database.location);
      const watch = new MaintenanceWatch(handle.db, handle.dialect, { intervalMs: 10 });
      await setMaintenance(store.db, store.dialect, { mode: 'stopping', planId: null, reason: null });
      assert.equal((await watch.current()).mode, 'stopping');
      await handle.close();
      await sleep(20);
      assert.equal((await watch.current()).mode, 'stopping');
      const unread = new MaintenanceWatch(handle.db, handle.dialect);
      await assert.rejects(unread.current(), "with no reading yet, the failure is the caller's");
      await setMaintenance(store.db, store.dialect, { mode: 'serving', planId: null, reason: null });
    });
  });
}
