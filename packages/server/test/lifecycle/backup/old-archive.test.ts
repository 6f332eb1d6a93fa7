// A backup written by release 0.4.0, whose tar writer was Cairn's own, restores with today's reader onto
// every dialect. The fixture is that release's `writeBackup` of the test deployment (support/deployment.ts)
// with three generated runs: tables of every schema version, and objects whose keys need pax headers.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { restoreBackup } from '../../../src/lifecycle/backup/restore-backup.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import { createTestDatabase, dialectTargets } from '../../support/test-databases.ts';
import { dumpObjects, dumpTables } from './support/deployment.ts';
import { assertOpens } from './support/round-trip.ts';
import { createTestStore, scratchDir } from './support/test-stores.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'backup-0.4.0.tar.gz');
const targets = await dialectTargets();

describe('a backup written by Cairn 0.4.0', () => {
  const scratch = scratchDir('cairn-old-archive-');
  after(() => scratch.remove());
  const file = path.join(scratch.dir, 'backup-0.4.0.tar');
  writeFileSync(file, gunzipSync(readFileSync(FIXTURE)));

  for (const { dialect, skip } of targets) {
    test(`restores onto ${dialect} with every row and object it lists`, { skip }, async () => {
      const database = await createTestDatabase(dialect);
      const store = await createTestStore('fs');
      const handle = await connectDatabase(database.location);
      try {
        const { manifest } = await restoreBackup({
          db: handle.db,
          dialect: handle.dialect,
          location: handle.location,
          store: store.store,
          file,
        });
        assert.equal(manifest.cairn_version, '0.4.0');
        assert.ok(manifest.objects.some((object) => /[^\x20-\x7e]/.test(object.key)));
        assert.ok(manifest.objects.some((object) => object.key.length > 100));
        const tables = await dumpTables(handle.db);
        for (const table of manifest.tables) {
          // The restore's own audit row comes on top of the backup's.
          const expected = table.rows + (table.name === 'lifecycle_audit' ? 1 : 0);
          assert.equal(tables[table.name]?.length, expected, table.name);
        }
        assert.deepEqual(
          await dumpObjects(store.store),
          new Map(manifest.objects.map((object) => [object.key, object.sha256])),
        );
        await assertOpens(database);
      } finally {
        await handle.close();
        await database.drop();
        await store.remove();
      }
    });
  }
});
