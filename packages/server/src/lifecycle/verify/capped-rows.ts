import { type Compilable, type QueryExecutorProvider, type SelectQueryBuilder, sql } from 'kysely';
import { MAX_PROBLEMS_PER_KIND } from './verify-report.ts';

/**
 * The first rows a problem query finds, as many as a report lists, and how many it finds in all: a
 * damaged database can hold millions of bad rows, which are counted rather than read.
 *
 * Whether there is any is asked first, unordered: the order that makes a report stable would have the
 * database walk a big table by its key index, fetching rows out of order (seconds for a million tasks
 * on SQLite), while a healthy database has nothing to order.
 */
export async function cappedRows<DB, TB extends keyof DB, O>(
  db: QueryExecutorProvider,
  query: SelectQueryBuilder<DB, TB, O>,
): Promise<{ rows: O[]; total: number }> {
  if (!(await anyRow(db, query.clearOrderBy()))) return { rows: [], total: 0 };
  const rows = await query.limit(MAX_PROBLEMS_PER_KIND).execute();
  if (rows.length < MAX_PROBLEMS_PER_KIND) return { rows, total: rows.length };
  const { rows: counted } = await sql<{
    n: number | string;
  }>`select count(*) as n from (${query}) as q`.execute(db);
  return { rows, total: Number(counted[0]?.n ?? rows.length) };
}

/** Whether `query` finds a row. */
async function anyRow(db: QueryExecutorProvider, query: Compilable): Promise<boolean> {
  const { rows } = await sql`select 1 as found from (${query}) as q limit 1`.execute(db);
  return rows.length > 0;
}
