import { type RawBuilder, sql } from 'kysely';
import type { AnyDb } from './store-dialect.ts';

/**
 * Runs `fn` between `begin` and `commit` on a connection that is already pinned, rolling back on failure.
 * Kysely's own transaction() would take another connection from the pool, outside the migration lock.
 */
export async function runInTransaction<T>(
  connection: AnyDb,
  begin: RawBuilder<unknown>,
  fn: (executor: AnyDb) => Promise<T>,
): Promise<T> {
  await begin.execute(connection);
  try {
    const result = await fn(connection);
    await sql`commit`.execute(connection);
    return result;
  } catch (error) {
    // The original error matters more than a failed rollback (the connection may already be gone).
    await sql`rollback`.execute(connection).catch(() => undefined);
    throw error;
  }
}
