import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type Dialect, Kysely, MysqlDialect, PostgresDialect } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import type { DatabaseLocation } from './database-url.ts';
import { mysqlDialect } from './dialects/mysql-dialect.ts';
import { postgresDialect } from './dialects/postgres-dialect.ts';
import { sqliteDialect } from './dialects/sqlite-dialect.ts';
import { GroupCommitSqliteDialect } from './dialects/sqlite-group-commit.ts';
import type { AnyDb, StoreDialect } from './dialects/store-dialect.ts';

export interface DatabaseHandle {
  db: AnyDb;
  dialect: StoreDialect;
  location: DatabaseLocation;
  close(): Promise<void>;
}

const PG_INT8_OID = 20;

function kyselyDialect(location: DatabaseLocation): Dialect {
  switch (location.dialect) {
    case 'sqlite': {
      if (location.path !== ':memory:') mkdirSync(path.dirname(location.path), { recursive: true });
      return new GroupCommitSqliteDialect(() => {
        const database = new DatabaseSync(location.path, { timeout: 5000 });
        // WAL lets readers continue while a writer commits; FULL sync because a committed run state
        // must survive a power cut, not just a process kill (the group commit shares those syncs).
        database.exec('pragma journal_mode = wal; pragma synchronous = full; pragma foreign_keys = on;');
        database.exec('pragma cache_size = -65536');
        return database;
      });
    }
    case 'mysql':
      return new MysqlDialect({
        pool: createPool({
          uri: location.url,
          charset: 'utf8mb4',
          timezone: 'Z',
          connectionLimit: 10,
          connectTimeout: 5000,
        }),
      });
    case 'postgres': {
      const pool = new pg.Pool({
        connectionString: location.url,
        max: 10,
        connectionTimeoutMillis: 5000,
        // Timestamps and sizes are bigint columns; their values fit a JS number exactly.
        types: {
          getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
            oid === PG_INT8_OID
              ? Number
              : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
        },
      });
      // An idle connection the server closes (a restart, a failover, a dropped database) is discarded by
      // the pool, which then emits 'error'; unheard, that event would crash the process. The next query
      // opens a fresh connection, and its own failure, if any, reaches its caller.
      pool.on('error', () => {});
      return new PostgresDialect({ pool });
    }
  }
}

const STORE_DIALECTS = { sqlite: sqliteDialect, mysql: mysqlDialect, postgres: postgresDialect } as const;

/** Opens a connection pool; nothing is sent to the server until the first query. */
export function openDatabase(location: DatabaseLocation): DatabaseHandle {
  const db: AnyDb = new Kysely({ dialect: kyselyDialect(location) });
  return {
    db,
    dialect: STORE_DIALECTS[location.dialect],
    location,
    close: () => db.destroy(),
  };
}
