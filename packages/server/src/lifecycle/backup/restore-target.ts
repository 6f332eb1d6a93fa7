import { sql } from 'kysely';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { COPY_TABLES } from '../rows/copy-tables.ts';
import { type RestoreMarker, unfinishedRestores } from './restore-marker.ts';

/** What a restore finds in its target database. */
export type TargetState =
  /** No Cairn rows (with or without Cairn's tables): a restore starts here. */
  | { kind: 'empty' }
  /** Restores that started here and did not finish, newest first; nothing else has been written since. */
  | { kind: 'unfinished'; markers: RestoreMarker[] }
  /** Rows a restore did not put there: never overwritten. */
  | { kind: 'occupied'; tables: { name: string; rows: number }[] };

export async function inspectTarget(db: AnyDb, dialect: StoreDialect): Promise<TargetState> {
  if (await dialect.tableExists(db, 'lifecycle_audit')) {
    const markers = await unfinishedRestores(db);
    if (markers.length > 0) return { kind: 'unfinished', markers };
  }
  const tables: { name: string; rows: number }[] = [];
  for (const { name } of COPY_TABLES) {
    if (!(await dialect.tableExists(db, name))) continue;
    const rows = await countRows(db, name);
    if (rows > 0) tables.push({ name, rows });
  }
  return tables.length === 0 ? { kind: 'empty' } : { kind: 'occupied', tables };
}

/** Rows per table, for checking a restore's counts. */
export async function countRows(db: AnyDb, table: string): Promise<number> {
  const row = await db.selectFrom(table).select(sql<number | string>`count(*)`.as('rows')).executeTakeFirst();
  return Number(row?.rows ?? 0);
}
