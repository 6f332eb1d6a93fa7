// The maintenance row every process obeys: read as serving where it was never set (without creating
// anything), set and read back on a database of any schema, the first included. On every dialect.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databaseNow } from '../../../src/engine/leases/database-now.ts';
import {
  countActiveLeases,
  ensureMaintenanceTable,
  MAINTENANCE_TABLE,
  readMaintenance,
  setMaintenance,
} from '../../../src/lifecycle/maintenance/maintenance-state.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import type { DatabaseHandle } from '../../../src/store/open-database.ts';
import { createTestDatabase, dialectTargets, type TestDatabase } from '../../support/test-databases.ts';

const SERVING = { mode: 'serving', planId: null, reason: null, since: null };

for (const { dialect, skip } of await dialectTargets()) {
  describe(`maintenance state on ${dialect}`, { skip }, () => {
    let database: TestDatabase;
    let handle: DatabaseHandle;
    before(async () => {
      database = await createTestDatabase(dialect);
      handle = await connectDatabase(database.location);
    });
    after(async () => {
      await handle.close();
      await database.drop();
    });

    test('an empty database reads as serving, and reading creates nothing', async () => {
      assert.deepEqual(await readMaintenance(handle.db, handle.dialect), SERVING);
      assert.equal(await countActiveLeases(handle.db, handle.dialect), 0, 'no tasks table yet');
      assert.equal(await handle.dialect.tableExists(handle.db, MAINTENANCE_TABLE), false);
    });

    test('set and read back on a database at the first schema', async () => {
      const outcome = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo(1);
      assert.equal(outcome.error, undefined);
      await ensureMaintenanceTable(handle.db, handle.dialect);
      await ensureMaintenanceTable(handle.db, handle.dialect);
      assert.deepEqual(await readMaintenance(handle.db, handle.dialect), SERVING, 'no row yet');

      const before = await databaseNow(handle.db, handle.dialect);
      await setMaintenance(handle.db, handle.dialect, {
        mode: 'draining',
        planId: 'plan-1',
        reason: 'upgrading to Cairn 9.0.0',
      });
      const draining = await readMaintenance(handle.db, handle.dialect);
      assert.deepEqual(
        { ...draining, since: undefined },
        { mode: 'draining', planId: 'plan-1', reason: 'upgrading to Cairn 9.0.0', since: undefined },
      );
      assert.ok(draining.since !== null && draining.since >= before, 'since is the database clock');

      await setMaintenance(handle.db, handle.dialect, { mode: 'stopping', planId: 'plan-1', reason: null });
      assert.equal((await readMaintenance(handle.db, handle.dialect)).mode, 'stopping');
      await setMaintenance(handle.db, handle.dialect, { mode: 'serving', planId: null, reason: null });
      const serving = await readMaintenance(handle.db, handle.dialect);
      assert.deepEqual({ ...serving, since: null }, SERVING);
      const rows = await handle.db.selectFrom(MAINTENANCE_TABLE).selectAll().execute();
      assert.equal(rows.length, 1, 'one row, updated in place');
    });

    test('a mode written by a newer Cairn reads as draining', async () => {
      await handle.db.updateTable(MAINTENANCE_TABLE).set({ mode: 'frozen', reason: null }).execute();
      assert.deepEqual(
        { ...(await readMaintenance(handle.db, handle.dialect)), since: undefined },
        {
          mode: 'draining',
          planId: null,
          reason: 'maintenance mode "frozen", set by a newer Cairn',
          since: undefined,
        },
      );
      await setMaintenance(handle.db, handle.dialect, { mode: 'serving', planId: null, reason: null });
    });

    test('no lease is active on a database whose tasks table is new and empty', async () => {
      const outcome = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo(5);
      assert.equal(outcome.error, undefined);
      assert.equal(await countActiveLeases(handle.db, handle.dialect), 0);
    });
  });
}
