/**
 * Loading a large SQLite table with its lookup indexes in place inserts every row into each of them at a
 * random place; dropping them for the load and making them again after (CREATE INDEX sorts once) is about
 * twice as fast for a million tasks. Only plain indexes are deferred: unique ones and the primary key
 * stay, so every constraint is still checked as the rows go in.
 *
 * SQLite's DDL is transactional, so the drop commits with whatever records it (a restore's progress), and
 * the caller keeps the definitions there until the indexes are made again: a load killed in between is
 * finished, indexes included, by the run that takes it over.
 */
import { sql } from 'kysely';
import type { AnyDb } from '../../store/dialects/store-dialect.ts';

/** An index as `sqlite_master` holds it: its name and the statement that made it. */
export interface DeferredIndex {
  readonly name: string;
  readonly sql: string;
}

/** Drops the plain (not unique) indexes of `table` and returns their definitions. */
export async function dropLookupIndexes(trx: AnyDb, table: string): Promise<DeferredIndex[]> {
  const { rows } = await sql<DeferredIndex>`
    select m.name, m.sql from sqlite_master m
    join pragma_index_list(${table}) i on i.name = m.name
    where m.type = 'index' and m.tbl_name = ${table} and i."unique" = 0 and i.origin = 'c'
    order by m.name`.execute(trx);
  for (const index of rows) await sql`drop index ${sql.id(index.name)}`.execute(trx);
  return rows.map(({ name, sql: statement }) => ({ name, sql: statement }));
}

/** Makes the indexes again; one that exists already (made by a run that stopped after it) is left alone. */
export async function createIndexes(trx: AnyDb, indexes: readonly DeferredIndex[]): Promise<void> {
  for (const index of indexes) {
    const { rows } =
      await sql`select 1 from sqlite_master where type = 'index' and name = ${index.name}`.execute(trx);
    if (rows.length === 0) await sql.raw(index.sql).execute(trx);
  }
}
