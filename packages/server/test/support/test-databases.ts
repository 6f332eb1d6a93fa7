/**
 * Each test file gets databases of its own (a fresh SQLite file, or a new MySQL/PostgreSQL database on
 * the shared server), so test files run in parallel without seeing each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { type DatabaseLocation, parseDatabaseUrl } from '../../src/store/database-url.ts';
import type { DialectName } from '../../src/store/dialects/store-dialect.ts';
import { checkService, MYSQL_URL, POSTGRES_URL } from './services.ts';

const ALL_DIALECTS: DialectName[] = ['sqlite', 'mysql', 'postgres'];

/** `CAIRN_TEST_DIALECTS=sqlite,postgres` narrows the list. */
function selectedDialects(): DialectName[] {
  const raw = process.env.CAIRN_TEST_DIALECTS;
  if (!raw) return ALL_DIALECTS;
  const names = raw.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!ALL_DIALECTS.includes(name as DialectName)) {
      throw new Error(
        `CAIRN_TEST_DIALECTS: unknown dialect "${name}"; expected some of ${ALL_DIALECTS.join(',')}`,
      );
    }
  }
  return names as DialectName[];
}

export interface DialectTarget {
  dialect: DialectName;
  /** Set when the dialect's server is absent outside CI; pass it as `describe(..., { skip })`. */
  skip: string | undefined;
}

/** The dialects every store test runs on, each checked for a reachable server. */
export async function dialectTargets(): Promise<DialectTarget[]> {
  return Promise.all(
    selectedDialects().map(async (dialect) => ({
      dialect,
      skip:
        dialect === 'mysql'
          ? (
              await checkService(
                'MySQL',
                MYSQL_URL,
                'start MariaDB on 127.0.0.1:3306 or set CAIRN_TEST_MYSQL_URL',
              )
            ).skip
          : dialect === 'postgres'
            ? (
                await checkService(
                  'PostgreSQL',
                  POSTGRES_URL,
                  'start PostgreSQL on 127.0.0.1:5432 or set CAIRN_TEST_POSTGRES_URL',
                )
              ).skip
            : undefined,
    })),
  );
}

export interface TestDatabase {
  location: DatabaseLocation;
  /** The URL form, for child processes and the CLI. */
  url: string;
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const name = `cairn_t_${randomBytes(6).toString('hex')}`;
  switch (dialect) {
    case 'sqlite': {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-test-'));
      const url = `sqlite://${path.join(dir, 'metadata.sqlite')}`;
      return {
        location: parseDatabaseUrl(url),
        url,
        drop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    }
    case 'mysql': {
      const admin = await mysql.createConnection(MYSQL_URL);
      await admin.query(`create database \`${name}\` character set utf8mb4 collate utf8mb4_bin`);
      await admin.end();
      const url = withDatabase(MYSQL_URL, name);
      return {
        location: parseDatabaseUrl(url),
        url,
        drop: async () => {
          const conn = await mysql.createConnection(MYSQL_URL);
          await conn.query(`drop database if exists \`${name}\``);
          await conn.end();
        },
      };
    }
    case 'postgres': {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`create database "${name}"`);
      await admin.end();
      const url = withDatabase(POSTGRES_URL, name);
      return {
        location: parseDatabaseUrl(url),
        url,
        drop: async () => {
          const conn = new pg.Client({ connectionString: POSTGRES_URL });
          await conn.connect();
          await conn.query(`drop database if exists "${name}" with (force)`);
          await conn.end();
        },
      };
    }
  }
}

/** Connection arguments for the `mariadb` and `mariadb-dump` command-line tools. */
export function mariadbToolArgs(location: { url: string; port: number }): string[] {
  const url = new URL(location.url);
  return [
    '--protocol=tcp',
    '-h',
    url.hostname,
    '-P',
    String(location.port),
    '-u',
    decodeURIComponent(url.username),
  ];
}
