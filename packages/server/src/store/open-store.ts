import { connectDatabase } from './connect-database.ts';
import type { DatabaseLocation } from './database-url.ts';
import { Migrator } from './migrator/migrator.ts';
import { assertSchemaCurrent } from './migrator/schema-status.ts';
import type { DatabaseHandle } from './open-database.ts';

/**
 * Opens the metadata store for use. Never migrates on its own (KFP's auto-migration is what broke its
 * upgrades): a database whose schema is behind, ahead of, or different from this code is refused with
 * a message that says what to run.
 */
export async function openStore(location: DatabaseLocation): Promise<DatabaseHandle> {
  const handle = await connectDatabase(location);
  try {
    assertSchemaCurrent(await new Migrator({ db: handle.db, dialect: handle.dialect }).status());
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}
