import { type QueryExecutorProvider, type SelectQueryBuilder, sql } from 'kysely';
import { MAX_PROBLEMS_PER_KIND } from './verify-report.ts';

/**
 * The first rows a problem query finds, as many as a report lists, and how many it finds in all: a
 * damaged database can hold millions of bad rows, which are counted rather than read.
 */
export async function cappedRows<DB, TB extends keyof DB, O>(
  db: QueryExecutorProvider,
  query: SelectQueryBuilder<DB, TB, O>,
): Promise<{ rows: O[]; total: number }> {
  const rows = await query.limit(MAX_PROBLEMS_PER_KIND).execute();
  if (rows.length < MAX_PROBLEMS_PER_KIND) return { rows, total: rows.length };
  const { rows: counted } = await sql<{
    n: number | string;
  }>`select count(*) as n from (${query}) as q`.execute(db);
  return { rows, total: Number(counted[0]?.n ?? rows.length) };
}
