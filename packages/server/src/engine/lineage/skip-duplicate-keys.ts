import { type InsertQueryBuilder, type InsertResult, sql } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';

/**
 * Makes an insert leave alone the rows whose primary or unique key is already taken, in the dialect's
 * syntax: `ON CONFLICT DO NOTHING` (PostgreSQL, SQLite), a no-op `ON DUPLICATE KEY UPDATE` (MySQL).
 * MySQL's `INSERT IGNORE` is not used: it also turns other errors (a foreign key, a value too long) into
 * warnings. When the key belongs to a concurrent transaction's uncommitted row, the insert waits for that
 * transaction and then does nothing if it committed.
 *
 * `column` is one of the table's own columns: MySQL's no-op sets it to itself.
 */
export function skipDuplicateKeys<T extends keyof CairnDatabase & string>(
  query: InsertQueryBuilder<CairnDatabase, T, InsertResult>,
  dialect: StoreDialect,
  column: keyof CairnDatabase[T] & string,
): InsertQueryBuilder<CairnDatabase, T, InsertResult> {
  if (dialect.name === 'mysql') {
    return query.modifyEnd(sql`on duplicate key update ${sql.ref(column)} = ${sql.ref(column)}`);
  }
  return query.onConflict((conflict) => conflict.doNothing());
}
