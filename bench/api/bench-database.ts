/**
 * A fresh, migrated database of one dialect for a benchmark: a SQLite file in a temp folder (on disk, so
 * its commits pay the fsync they pay in production), or a new database on the PostgreSQL server, dropped
 * afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { connectDatabase } from '../../packages/server/src/store/connect-database.ts';
import { parseDatabaseUrl } from '../../packages/server/src/store/database-url.ts';
import type { StoreDialect } from '../../packages/server/src/store/dialects/store-dialect.ts';
import { Migrator } from '../../packages/server/src/store/migrator/migrator.ts';
import type { CairnDatabase } from '../../packages/server/src/store/tables.ts';

export type BenchDialect = 'sqlite' | 'postgres';

/** The server a PostgreSQL benchmark creates its database on (the test suites' default). */
export const POSTGRES_URL =
  process.env.CAIRN_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  readonly dialect: StoreDialect;
  readonly db: Kysely<CairnDatabase>;
  /** Where it is, for messages. */
  readonly where: string;
  /** Disconnects, then deletes the file or drops the database. */
  close(): Promise<void>;
}

export async function onServer(query: string): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(query);
  } finally {
    await admin.end();
  }
}

export async function createBenchDatabase(dialect: BenchDialect): Promise<BenchDatabase> {
  let url: string;
  let drop: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-api-'));
    url = `sqlite://${path.join(dir, 'metadata.sqlite')}`;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const name = `cairn_bench_${randomBytes(6).toString('hex')}`;
    await onServer(`create database "${name}"`);
    const server = new URL(POSTGRES_URL);
    server.pathname = `/${name}`;
    url = server.toString();
    drop = () => onServer(`drop database if exists "${name}" with (force)`);
  }
  try {
    const handle = await connectDatabase(parseDatabaseUrl(url));
    const outcome = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo();
    if (outcome.error) {
      await handle.close();
      throw outcome.error;
    }
    return {
      dialect: handle.dialect,
      db: handle.db as Kysely<CairnDatabase>,
      where: url,
      async close() {
        await handle.close();
        await drop();
      },
    };
  } catch (error) {
    await drop();
    throw error;
  }
}
