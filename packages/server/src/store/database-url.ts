import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError } from '../errors.ts';
import type { DialectName } from './dialects/store-dialect.ts';

export type DatabaseLocation =
  | { dialect: 'sqlite' /** absolute file path, or ':memory:' */; path: string }
  | { dialect: 'mysql' | 'postgres'; url: string; host: string; port: number; database: string };

export const ACCEPTED_DATABASE_URLS =
  'sqlite:///absolute/path.sqlite, sqlite:relative/path.sqlite, sqlite::memory:, ' +
  'mysql://user:password@host:3306/database, postgres://user:password@host:5432/database';

const DEFAULT_PORTS: Record<'mysql' | 'postgres', number> = { mysql: 3306, postgres: 5432 };

function invalid(value: string, problem: string): CairnError {
  return new CairnError(
    'CONFIG_INVALID',
    `${JSON.stringify(redactDatabaseUrl(value))} ${problem}; accepted: ${ACCEPTED_DATABASE_URLS}`,
  );
}

/**
 * Reads a database URL. Errors say what is wrong with the value but not which setting it came from:
 * the configuration resolver adds that.
 */
export function parseDatabaseUrl(value: string, cwd = process.cwd()): DatabaseLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    const rest = value.slice('sqlite:'.length);
    if (rest === ':memory:') return { dialect: 'sqlite', path: ':memory:' };
    if (rest.startsWith('//')) {
      if (!rest.startsWith('///')) throw invalid(value, 'names a host; a SQLite URL holds only a file path');
      return { dialect: 'sqlite', path: fileURLToPath(`file:${rest}`) };
    }
    if (rest === '') throw invalid(value, 'has no file path');
    return { dialect: 'sqlite', path: path.resolve(cwd, decodeURIComponent(rest)) };
  }
  const dialect: DialectName | undefined =
    scheme === 'mysql' || scheme === 'mariadb'
      ? 'mysql'
      : scheme === 'postgres' || scheme === 'postgresql'
        ? 'postgres'
        : undefined;
  if (!dialect) {
    throw invalid(value, scheme ? `uses the unsupported scheme "${scheme}:"` : 'is not a URL');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw invalid(value, `is not a valid URL (${(cause as Error).message})`);
  }
  if (!url.hostname) throw invalid(value, 'has no host');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database || database.includes('/'))
    throw invalid(value, 'must name exactly one database after the host');
  return {
    dialect,
    url: value,
    host: url.hostname,
    port: url.port ? Number(url.port) : DEFAULT_PORTS[dialect],
    database,
  };
}

/** The URL with its password replaced, for messages and logs. */
export function redactDatabaseUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/** A short human description of where the metadata lives, without secrets. */
export function describeDatabase(location: DatabaseLocation): string {
  return location.dialect === 'sqlite'
    ? `sqlite ${location.path}`
    : `${location.dialect} ${location.host}:${location.port}/${location.database}`;
}
