import { type Kysely, sql } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { databaseClock } from './database-clock.ts';

/** The database server's clock, in milliseconds since the Unix epoch (UTC). */
export async function databaseNow(db: Kysely<CairnDatabase>, dialect: StoreDialect): Promise<number> {
  const { rows } = await sql<{ now: number | string }>`select ${databaseClock(dialect.name)} as now`.execute(
    db,
  );
  const now = Number(rows[0]?.now);
  if (!Number.isSafeInteger(now)) throw new Error(`the database returned no usable clock reading (${now})`);
  return now;
}
