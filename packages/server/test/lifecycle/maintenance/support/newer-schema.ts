import type { Kysely } from 'kysely';
import { LATEST_SCHEMA_VERSION } from '../../../../src/store/migrations/index.ts';
import { HISTORY_TABLE } from '../../../../src/store/migrator/schema-history.ts';
import type { CairnDatabase } from '../../../../src/store/tables.ts';

/** Records a migration this code does not know, as a newer Cairn's upgrade would; returns its version. */
export async function recordNewerSchema(db: Kysely<CairnDatabase>): Promise<number> {
  const version = LATEST_SCHEMA_VERSION + 1;
  const now = Date.now();
  await (db as Kysely<Record<string, Record<string, unknown>>>)
    .insertInto(HISTORY_TABLE)
    .values({
      version,
      name: 'a-migration-of-a-newer-cairn',
      checksum: '0'.repeat(64),
      cairn_version: '99.0.0',
      state: 'applied',
      started_at: now,
      finished_at: now,
    })
    .execute();
  return version;
}
