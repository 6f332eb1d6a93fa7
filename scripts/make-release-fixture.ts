/**
 * Writes the frozen data fixture of the release in package.json, with that release's own code:
 * the sample rows of every table into SQLite, MariaDB and PostgreSQL (kept as a file and two dumps),
 * and sample objects into a filesystem artifact store. Every later release's upgrade tests start
 * from these files, so they are written once and never regenerated.
 *
 * Usage: npm run release:fixture   (needs MariaDB, PostgreSQL and their client tools, as in CI)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { FsArtifactStore } from '../packages/server/src/artifacts/fs-artifact-store.ts';
import { connectDatabase } from '../packages/server/src/store/connect-database.ts';
import type { DialectName } from '../packages/server/src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION } from '../packages/server/src/store/migrations/index.ts';
import { Migrator } from '../packages/server/src/store/migrator/migrator.ts';
import { CAIRN_VERSION } from '../packages/server/src/version.ts';
import { SAMPLE_OBJECTS } from '../packages/server/test/support/sample-objects.ts';
import { insertSampleRows, SAMPLE_ROWS } from '../packages/server/test/support/sample-rows.ts';
import { createTestDatabase, mariadbToolArgs } from '../packages/server/test/support/test-databases.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'fixtures', 'releases', CAIRN_VERSION);
if (existsSync(target)) {
  console.error(`${path.relative(root, target)} exists: release fixtures are frozen and never rewritten`);
  process.exit(1);
}
const staging = `${target}.partial`;
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });

async function writeDatabase(dialect: DialectName): Promise<string> {
  const database = await createTestDatabase(dialect);
  try {
    const handle = await connectDatabase(database.location);
    try {
      const outcome = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo();
      if (outcome.error) throw outcome.error;
      for (let version = 1; version <= LATEST_SCHEMA_VERSION; version++)
        await insertSampleRows(handle.db, version);
      if (dialect === 'sqlite') {
        // One self-contained file: fold the WAL back in and leave WAL mode.
        await sql`pragma wal_checkpoint(truncate)`.execute(handle.db);
        await sql`pragma journal_mode = delete`.execute(handle.db);
      }
    } finally {
      await handle.close();
    }
    const location = database.location;
    switch (location.dialect) {
      case 'sqlite':
        renameSync(location.path, path.join(staging, 'metadata.sqlite'));
        return 'metadata.sqlite';
      case 'mysql': {
        const dump = execFileSync(
          'mariadb-dump',
          [
            ...mariadbToolArgs(location),
            '--skip-comments',
            '--skip-dump-date',
            '--single-transaction',
            '--hex-blob',
            location.database,
          ],
          { maxBuffer: 1 << 30 },
        );
        writeFileSync(path.join(staging, 'mariadb.sql'), dump);
        return 'mariadb.sql';
      }
      case 'postgres': {
        const dump = execFileSync('pg_dump', ['--no-owner', '--no-privileges', '--dbname', location.url], {
          maxBuffer: 1 << 30,
        });
        writeFileSync(path.join(staging, 'postgres.sql'), dump);
        return 'postgres.sql';
      }
    }
  } finally {
    await database.drop();
  }
}

/** Large values are recorded by digest so the expectations stay readable. */
function frozenValue(value: unknown): unknown {
  return typeof value === 'string' && value.length > 4096
    ? { sha256: createHash('sha256').update(value).digest('hex'), length: value.length }
    : value;
}

const files: Record<string, string> = {};
for (const dialect of ['sqlite', 'mysql', 'postgres'] as const) files[dialect] = await writeDatabase(dialect);

const store = new FsArtifactStore(path.join(staging, 'artifacts'));
const objects = [];
for (const object of SAMPLE_OBJECTS) objects.push(await store.put(object.key, object.body));
await store.close();

const expectedRows = Object.fromEntries(
  Object.values(SAMPLE_ROWS).flatMap((tables) =>
    Object.entries(tables).map(([table, rows]) => [
      table,
      rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, frozenValue(v)]))),
    ]),
  ),
);
const manifest = {
  cairn_version: CAIRN_VERSION,
  schema_version: LATEST_SCHEMA_VERSION,
  written_at: new Date().toISOString(),
  databases: files,
  artifacts: objects,
  rows: expectedRows,
};
writeFileSync(path.join(staging, 'fixture.json'), `${JSON.stringify(manifest, null, 2)}\n`);
renameSync(staging, target);
console.log(
  `wrote ${path.relative(root, target)}: ${Object.values(files).join(', ')}, ${objects.length} artifacts`,
);
