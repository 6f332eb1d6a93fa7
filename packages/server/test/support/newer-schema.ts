import type { AnyDb } from '../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION } from '../../src/store/migrations/index.ts';
import { HISTORY_TABLE } from '../../src/store/migrator/schema-history.ts';

/**
 * Records in the database's migration history a migration newer than this code has, applied by Cairn
 * `cairnVersion`: the database as a later release leaves it.
 */
export async function recordNewerMigration(db: AnyDb, cairnVersion: string): Promise<void> {
  const version = LATEST_SCHEMA_VERSION + 1;
  await db
    .insertInto(HISTORY_TABLE)
    .values({
      version,
      name: `${String(version).padStart(4, '0')}-from-the-future`,
      checksum: 'f'.repeat(64),
      cairn_version: cairnVersion,
      state: 'applied',
      started_at: Date.now(),
      finished_at: Date.now(),
    })
    .execute();
}
