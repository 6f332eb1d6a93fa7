import type { AnyDb } from '../../store/dialects/store-dialect.ts';
import { HISTORY_TABLE } from '../../store/migrator/schema-history.ts';
import { COPY_TABLES } from '../rows/copy-tables.ts';

/**
 * Drops Cairn's tables and the migration history, children first, leaving the upgrade's own plan and
 * maintenance tables: what a rollback by restore does on a database without transactional DDL, where a
 * failed migration may have left the schema half changed and no down migration can be trusted.
 */
export async function dropCairnTables(db: AnyDb): Promise<void> {
  for (const { name } of [...COPY_TABLES].reverse()) await db.schema.dropTable(name).ifExists().execute();
  await db.schema.dropTable(HISTORY_TABLE).ifExists().execute();
}
