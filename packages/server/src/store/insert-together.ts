import type { Insertable, Kysely, QueryCreator } from 'kysely';
import type { StoreDialect } from './dialects/store-dialect.ts';
import type { CairnDatabase } from './tables.ts';

/** Rows for one table. */
export type TableRows = {
  [T in keyof CairnDatabase]: readonly [table: T, rows: readonly Insertable<CairnDatabase[T]>[]];
}[keyof CairnDatabase];

/**
 * Inserts rows into several tables, in the caller's transaction. Where the database takes INSERTs inside
 * WITH (PostgreSQL), one statement writes them all, a round trip for all instead of one each; its
 * foreign keys are checked at the statement's end, so a row may reference one inserted beside it.
 * Elsewhere the inserts run one after another, in the order given.
 */
export async function insertTogether(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  inserts: readonly TableRows[],
): Promise<void> {
  const written = inserts.filter(([, rows]) => rows.length > 0);
  if (!dialect.capabilities.insertsInWith) {
    for (const [table, rows] of written)
      await db
        .insertInto(table)
        .values(rows as never)
        .execute();
    return;
  }
  const last = written.at(-1);
  if (last === undefined) return;
  // The tables differ from one insert to the next, which the builder's types cannot follow.
  type Untyped = QueryCreator<Record<string, Record<string, unknown>>>;
  let query = db as unknown as Untyped;
  written.slice(0, -1).forEach(([table, rows], index) => {
    query = query.with(`inserted_${index}`, (creator) =>
      creator.insertInto(table).values(rows as never),
    ) as unknown as Untyped;
  });
  await query
    .insertInto(last[0])
    .values(last[1] as never)
    .execute();
}
