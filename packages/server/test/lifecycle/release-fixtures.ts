import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { mariadbToolArgs, type TestDatabase } from '../support/test-databases.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface ReleaseEntry {
  version: string;
  date: string;
  schema_version: number;
  upgrades_from: string | null;
  breaking_changes: string[];
  notices: string[];
  fixture: string;
}

export interface FixtureManifest {
  cairn_version: string;
  schema_version: number;
  databases: Record<'sqlite' | 'mysql' | 'postgres', string>;
  artifacts: { key: string; size: number; sha256: string }[];
  rows: Record<string, Record<string, unknown>[]>;
}

export function readReleases(): ReleaseEntry[] {
  return (parse(readFileSync(path.join(REPO_ROOT, 'releases.yaml'), 'utf8')) as { releases: ReleaseEntry[] })
    .releases;
}

export function readFixture(release: ReleaseEntry): { dir: string; manifest: FixtureManifest } {
  const dir = path.join(REPO_ROOT, release.fixture);
  return {
    dir,
    manifest: JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as FixtureManifest,
  };
}

/** Loads a release's frozen database into an empty test database, with the database's own tools. */
export function restoreFixture(dir: string, manifest: FixtureManifest, database: TestDatabase): void {
  const location = database.location;
  const file = path.join(dir, manifest.databases[location.dialect]);
  switch (location.dialect) {
    case 'sqlite':
      copyFileSync(file, location.path);
      return;
    case 'mysql': {
      execFileSync('mariadb', [...mariadbToolArgs(location), location.database], {
        input: readFileSync(file),
        maxBuffer: 1 << 30,
      });
      return;
    }
    case 'postgres':
      execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '--dbname', location.url, '-f', file], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      return;
  }
}
