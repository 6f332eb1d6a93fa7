import { type RawBuilder, sql } from 'kysely';
import type { DialectName } from '../../store/dialects/store-dialect.ts';

/**
 * The database server's current time in milliseconds since the Unix epoch (UTC), as SQL. Each expression
 * is constant within one statement, so a statement that uses it twice writes the same instant twice.
 * MySQL's date arithmetic is done on UTC_TIMESTAMP so the session's time zone cannot shift it.
 */
const CLOCK_MS: Record<DialectName, RawBuilder<number>> = {
  sqlite: sql<number>`cast(round(unixepoch('subsec') * 1000) as integer)`,
  mysql: sql<number>`(timestampdiff(microsecond, '1970-01-01 00:00:00', utc_timestamp(6)) div 1000)`,
  postgres: sql<number>`(floor(extract(epoch from statement_timestamp()) * 1000)::bigint)`,
};

/** Leases are measured on this clock only: workers' clocks may be skewed, the database's is shared. */
export function databaseClock(dialect: DialectName): RawBuilder<number> {
  return CLOCK_MS[dialect];
}
