import { sql } from 'kysely';
import type { AnyDb, StoreDialect } from '../dialects/store-dialect.ts';
import { withTableSuffix } from './migration-context.ts';

export const HISTORY_TABLE = 'cairn_schema_history';

/** `applying` and `reverting` rows are migrations that were interrupted (only possible without transactional DDL). */
export type HistoryState = 'applying' | 'applied' | 'reverting';

export interface HistoryRow {
  version: number;
  name: string;
  checksum: string;
  cairn_version: string;
  state: HistoryState;
  started_at: number;
  finished_at: number | null;
}

/**
 * The history table is created outside the migrations because it records them. Its layout is
 * therefore frozen for good: every release, old and new, must be able to read it.
 */
export async function ensureHistoryTable(db: AnyDb, dialect: StoreDialect): Promise<void> {
  const t = dialect.columnTypes;
  const table = db.schema
    .createTable(HISTORY_TABLE)
    .ifNotExists()
    .addColumn('version', sql.raw(t.integer), (c) => c.primaryKey())
    .addColumn('name', sql.raw(t.name), (c) => c.notNull().unique())
    .addColumn('checksum', sql.raw(t.sha256), (c) => c.notNull())
    .addColumn('cairn_version', sql.raw(t.name), (c) => c.notNull())
    .addColumn('state', sql.raw(t.name), (c) => c.notNull())
    .addColumn('started_at', sql.raw(t.timestamp), (c) => c.notNull())
    .addColumn('finished_at', sql.raw(t.timestamp));
  await withTableSuffix(table, dialect).execute();
}

/** The recorded history, oldest first; empty when the table does not exist yet (a new database). */
export async function readHistory(db: AnyDb, dialect: StoreDialect): Promise<HistoryRow[]> {
  if (!(await dialect.tableExists(db, HISTORY_TABLE))) return [];
  const rows = await db.selectFrom(HISTORY_TABLE).selectAll().orderBy('version').execute();
  return rows.map((row) => ({
    version: Number(row.version),
    name: String(row.name),
    checksum: String(row.checksum),
    cairn_version: String(row.cairn_version),
    state: row.state as HistoryState,
    started_at: Number(row.started_at),
    finished_at: row.finished_at === null ? null : Number(row.finished_at),
  }));
}
