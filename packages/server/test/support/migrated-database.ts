/** A fresh test database of one dialect, migrated to the latest schema and connected. */
import type { Kysely } from 'kysely';
import { connectDatabase } from '../../src/store/connect-database.ts';
import type { DialectName, StoreDialect } from '../../src/store/dialects/store-dialect.ts';
import { Migrator } from '../../src/store/migrator/migrator.ts';
import type { DatabaseHandle } from '../../src/store/open-database.ts';
import type { CairnDatabase } from '../../src/store/tables.ts';
import { createTestDatabase, type TestDatabase } from './test-databases.ts';

export interface MigratedDatabase {
  readonly database: TestDatabase;
  readonly handle: DatabaseHandle;
  readonly db: Kysely<CairnDatabase>;
  readonly dialect: StoreDialect;
  /** Disconnects and drops the database. */
  close(): Promise<void>;
}

export async function createMigratedDatabase(dialect: DialectName): Promise<MigratedDatabase> {
  const database = await createTestDatabase(dialect);
  const handle = await connectDatabase(database.location);
  const outcome = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo();
  if (outcome.error) throw outcome.error;
  return {
    database,
    handle,
    db: handle.db as Kysely<CairnDatabase>,
    dialect: handle.dialect,
    async close() {
      await handle.close();
      await database.drop();
    },
  };
}
