import { sql } from 'kysely';
import { CairnError, errorMessage } from '../errors.ts';
import { type DatabaseLocation, describeDatabase } from './database-url.ts';
import { type DatabaseHandle, openDatabase } from './open-database.ts';

/**
 * Opens the database and proves it answers, so an unreachable server is reported once, clearly,
 * instead of surfacing from whichever query happens to run first.
 */
export async function connectDatabase(location: DatabaseLocation): Promise<DatabaseHandle> {
  const handle = openDatabase(location);
  try {
    await sql`select 1`.execute(handle.db);
    return handle;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw new CairnError(
      'DB_UNREACHABLE',
      `cannot reach the metadata database (${describeDatabase(location)}): ${errorMessage(error)}`,
      { cause: error },
    );
  }
}
