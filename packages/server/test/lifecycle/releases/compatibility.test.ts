import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SUPPORTED_SCHEMA_VERSIONS } from '@cairn/spec';
import type { CairnError } from '../../../src/errors.ts';
import { accepts, describeUse, storedUses } from '../../../src/lifecycle/releases/compatibility.ts';
import { findRelease, readReleases } from '../../../src/lifecycle/releases/release-manifest.ts';
import { checkCompatibility } from '../../../src/lifecycle/upgrade/preflight.ts';
import { CAIRN_VERSION } from '../../../src/version.ts';
import { createMigratedDatabase } from '../../support/migrated-database.ts';
import { insertSampleRows } from '../../support/sample-rows.ts';
import { dialectTargets } from '../../support/test-databases.ts';

describe('the compatibility matrix', () => {
  test("this release's entry states what this code runs", () => {
    const current = findRelease(CAIRN_VERSION);
    assert.deepEqual(
      [...current.compatibility.pipelineSpecSchemaVersions].sort(),
      [...SUPPORTED_SCHEMA_VERSIONS].sort(),
    );
    assert.ok(current.compatibility.sdkVersions.kfp, 'KFP SDK range');
    assert.ok(current.compatibility.sdkVersions['cairn-sdk'], 'Cairn SDK range');
  });

  test('a use is accepted by its schemaVersion, and by its SDK version within the range', () => {
    const current = findRelease(CAIRN_VERSION);
    assert.equal(accepts(current, { kind: 'schemaVersion', value: '2.1.0' }), true);
    assert.equal(accepts(current, { kind: 'schemaVersion', value: '3.0.0' }), false);
    assert.equal(accepts(current, { kind: 'sdk', value: 'kfp-2.14.3' }), true);
    assert.equal(accepts(current, { kind: 'sdk', value: 'kfp-1.8.22' }), false);
    assert.equal(accepts(current, { kind: 'sdk', value: 'kfp-3.0.0' }), false);
    // An SDK the matrix does not name only says who wrote the spec; the spec itself is checked.
    assert.equal(accepts(current, { kind: 'sdk', value: 'someone-else-1.0.0' }), true);
    assert.equal(
      describeUse({
        kind: 'schemaVersion',
        value: '2.0.0',
        count: 3,
        acceptedBy: ['0.2.0', '0.3.0', '0.4.0'],
      }),
      '3 pipeline(s) use schemaVersion 2.0.0: run by 0.2.0 to 0.4.0',
    );
    assert.equal(readReleases()[0]?.compatibility.pipelineSpecSchemaVersions.length, 0);
  });
});

for (const { dialect, skip } of await dialectTargets()) {
  describe(`stored pipelines against the matrix on ${dialect}`, { skip }, () => {
    test('uses are counted from pipeline versions and inline recurring runs; a release that cannot run one is refused', async () => {
      const store = await createMigratedDatabase(dialect);
      try {
        const { db, dialect: storeDialect } = store.handle;
        for (let version = 1; version <= 3; version++) await insertSampleRows(db, version);
        const uses = await storedUses(db, storeDialect);
        assert.deepEqual(
          uses.map((use) => [use.kind, use.value, use.count]).sort(),
          [
            ['schemaVersion', '2.1.0', 1],
            ['sdk', 'kfp-2.14.0', 1],
          ].sort(),
        );
        const current = findRelease(CAIRN_VERSION);
        assert.match(
          await checkCompatibility(db, storeDialect, current),
          /schemaVersion 2\.1\.0: run by 0\.2\.0 to/,
        );

        await db
          .updateTable('pipeline_versions')
          .set({ spec_schema_version: '3.0.0', sdk_version: 'kfp-3.1.0' })
          .execute();
        await assert.rejects(
          checkCompatibility(db, storeDialect, current),
          (error: CairnError) =>
            error.code === 'UPGRADE_REFUSED' &&
            error.message.includes(`release ${CAIRN_VERSION} cannot run what is stored`) &&
            error.message.includes('schemaVersion 3.0.0: run by no release') &&
            error.message.includes('SDK kfp-3.1.0: run by no release'),
        );
      } finally {
        await store.close();
      }
    });
  });
}
