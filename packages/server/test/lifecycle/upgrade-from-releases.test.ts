import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { FsArtifactStore } from '../../src/artifacts/fs-artifact-store.ts';
import { connectDatabase } from '../../src/store/connect-database.ts';
import type { AnyDb } from '../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION } from '../../src/store/migrations/index.ts';
import { Migrator } from '../../src/store/migrator/migrator.ts';
import { openStore } from '../../src/store/open-store.ts';
import { CAIRN_VERSION } from '../../src/version.ts';
import { createTestDatabase, dialectTargets } from '../support/test-databases.ts';
import { REPO_ROOT, readFixture, readReleases, restoreFixture } from './release-fixtures.ts';

const releases = readReleases();

function comparable(value: unknown): unknown {
  return typeof value === 'string' && value.length > 4096
    ? { sha256: createHash('sha256').update(value).digest('hex'), length: value.length }
    : value;
}

/** Every row the release wrote is still there with the same values (later releases may add columns). */
async function assertRowsSurvived(db: AnyDb, rows: Record<string, Record<string, unknown>[]>): Promise<void> {
  for (const [table, expectedRows] of Object.entries(rows)) {
    for (const expected of expectedRows) {
      const keys =
        'id' in expected ? ['id'] : Object.keys(expected).filter((c) => c.endsWith('_id') || c === 'seq');
      let query = db.selectFrom(table).select(Object.keys(expected));
      for (const key of keys) query = query.where(key, '=', expected[key]);
      const stored = await query.executeTakeFirst();
      assert.ok(stored, `${table} row ${JSON.stringify(keys.map((k) => expected[k]))} is missing`);
      const actual = Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, comparable(v)]));
      assert.deepEqual(actual, expected, `${table} row ${JSON.stringify(keys.map((k) => expected[k]))}`);
    }
  }
}

describe('releases.yaml', () => {
  test('the newest release is this code, with its schema version and a fixture for every release', () => {
    const newest = releases.at(-1);
    assert.equal(newest?.version, CAIRN_VERSION, 'package.json and releases.yaml disagree on the version');
    assert.equal(newest?.schema_version, LATEST_SCHEMA_VERSION, 'a schema change needs a release entry');
    for (const release of releases) {
      assert.ok(
        existsSync(path.join(REPO_ROOT, release.fixture, 'fixture.json')),
        `${release.version} has no fixture`,
      );
      const { manifest } = readFixture(release);
      assert.equal(manifest.cairn_version, release.version);
      assert.equal(manifest.schema_version, release.schema_version);
    }
  });
});

describe('artifact fixtures', () => {
  for (const release of releases) {
    test(`objects written by ${release.version} read back with their recorded digests`, async () => {
      const { dir, manifest } = readFixture(release);
      const store = new FsArtifactStore(path.join(dir, 'artifacts'));
      for (const object of manifest.artifacts) {
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of await store.get(object.key)) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
        assert.deepEqual(
          { size, sha256: hash.digest('hex') },
          { size: object.size, sha256: object.sha256 },
          object.key,
        );
      }
      await store.close();
    });
  }
});

for (const { dialect, skip } of await dialectTargets()) {
  describe(`upgrade from every release's data on ${dialect}`, { skip }, () => {
    for (const release of releases) {
      test(`from ${release.version} (schema ${release.schema_version}) to ${CAIRN_VERSION} (schema ${LATEST_SCHEMA_VERSION})`, async () => {
        const { dir, manifest } = readFixture(release);
        const database = await createTestDatabase(dialect);
        try {
          restoreFixture(dir, manifest, database);
          const handle = await connectDatabase(database.location);
          try {
            const migrator = new Migrator({ db: handle.db, dialect: handle.dialect });
            assert.equal((await migrator.status()).databaseSchemaVersion, release.schema_version);
            const outcome = await migrator.migrateTo();
            assert.equal(outcome.error, undefined, outcome.error?.message);
            assert.equal(
              outcome.results.length,
              LATEST_SCHEMA_VERSION - release.schema_version,
              'each newer migration runs once',
            );
            await assertRowsSurvived(handle.db, manifest.rows);
          } finally {
            await handle.close();
          }
          const store = await openStore(database.location);
          await store.close();
        } finally {
          await database.drop();
        }
      });
    }
  });
}
