import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { HISTORY_TABLE } from '../../store/migrator/schema-history.ts';

/**
 * The newest schema version the database records, a migration under way included (0 for a new
 * database). Read from the history table, whose layout every release shares, so that a process can tell
 * that a newer Cairn migrated the database under it.
 */
export async function recordedSchemaVersion(db: AnyDb, dialect: StoreDialect): Promise<number> {
  if (!(await dialect.tableExists(db, HISTORY_TABLE))) return 0;
  const row = await db
    .selectFrom(HISTORY_TABLE)
    .select((eb) => eb.fn.max('version').as('newest'))
    .executeTakeFirst();
  return Number(row?.newest ?? 0);
}
