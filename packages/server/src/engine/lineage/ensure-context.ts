import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { skipDuplicateKeys } from './skip-duplicate-keys.ts';

export interface ContextName {
  type: string;
  name: string;
}

function contextId(trx: Kysely<CairnDatabase>, { type, name }: ContextName) {
  return trx
    .selectFrom('contexts')
    .select('id')
    .where('type', '=', type)
    .where('name', '=', name)
    .executeTakeFirst();
}

/**
 * The id of the context `type`/`name`, created if there is none. Two transactions may create the same
 * context at once: the unique index on (type, name) lets one insert win, the other's insert waits for it
 * and does nothing, and then reads the winner's row. That read sees it at READ COMMITTED, the level
 * `inWriteTransaction` runs at (SQLite has one writer at a time, so there the race cannot happen).
 * Under REPEATABLE READ PostgreSQL fails the second transaction with a serialization error instead,
 * which a retry of the whole transaction resolves.
 */
export async function ensureContext(
  trx: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  context: ContextName,
  now: number,
): Promise<string> {
  const existing = await contextId(trx, context);
  if (existing) return existing.id;
  await skipDuplicateKeys(
    trx.insertInto('contexts').values({
      id: randomUUID(),
      type: context.type,
      name: context.name,
      metadata: null,
      created_at: now,
    }),
    dialect,
    'id',
  ).execute();
  const created = await contextId(trx, context);
  if (!created) {
    throw new Error(
      `the ${context.type} context ${JSON.stringify(context.name)} was created by another transaction that ` +
        'this one cannot see; lineage must be written at READ COMMITTED (see inWriteTransaction)',
    );
  }
  return created.id;
}
