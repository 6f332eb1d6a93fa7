/**
 * Proof, where the database can give it cheaply, that nothing has written to it since a moment: then a
 * move that copied the source in one snapshot taken after that moment knows the source still holds what
 * it copied, and need not read it all again to compare (see `compare-rows.ts`). Anything short of proof
 * (another database's writes on the same server, a dialect that cannot tell) only means the source is
 * read again.
 */
import { sql } from 'kysely';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';

export interface QuietWatch {
  /** True only when nothing can have been written to the database since the watch began. */
  stillQuiet(): Promise<boolean>;
}

/** Starts watching `db` for writes, or returns undefined when its dialect cannot tell. */
export async function watchForWrites(db: AnyDb, dialect: StoreDialect): Promise<QuietWatch | undefined> {
  switch (dialect.name) {
    case 'sqlite':
      return watchSqlite(db);
    case 'postgres':
      return watchPostgres(db);
    case 'mysql':
      // InnoDB keeps no counter of commits that a client may read without privileges or parsing
      // `SHOW ENGINE INNODB STATUS`.
      return undefined;
  }
}

/**
 * SQLite: `data_version` changes when another connection commits, `total_changes()` when this one
 * writes (the store's handle is one connection, the one the snapshot reads on).
 */
async function watchSqlite(db: AnyDb): Promise<QuietWatch> {
  const read = async () => {
    const [version] = (await sql<{ data_version: number }>`pragma data_version`.execute(db)).rows;
    const [changes] = (await sql<{ changes: number }>`select total_changes() as changes`.execute(db)).rows;
    return `${version?.data_version}:${changes?.changes}`;
  };
  const began = await read();
  return { stillQuiet: async () => (await read()) === began };
}

/**
 * PostgreSQL: a transaction is given an id when it first writes, and ids are handed out in order across
 * the server. With no transaction in progress when the watch began and the next id still unassigned,
 * nothing can have committed a write since, in any database of the server.
 */
async function watchPostgres(db: AnyDb): Promise<QuietWatch | undefined> {
  const read = async () => {
    const [row] = (
      await sql<{ snapshot: string }>`select txid_current_snapshot()::text as snapshot`.execute(db)
    ).rows;
    // xmin:xmax:in-progress ids, comma-separated.
    const [xmin, xmax, inProgress] = (row?.snapshot ?? '').split(':');
    return { xmin, xmax, idle: xmin === xmax && inProgress === '' };
  };
  const began = await read();
  if (!began.idle) return undefined;
  return { stillQuiet: async () => (await read()).xmax === began.xmax };
}
