// What a move refuses (a target that holds anything, the source itself, overlapping stores), what it
// detects (a source written to during the move), what it tolerates (problems the source already had),
// and the moves that are not the usual pair: the metadata alone, and a source at an older release's schema.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { CairnError } from '../../../src/errors.ts';
import { compareKeys } from '../../../src/lifecycle/storage-move/key-order.ts';
import { movesInto } from '../../../src/lifecycle/storage-move/move-marker.ts';
import { type MoveEvent, moveStorage } from '../../../src/lifecycle/storage-move/move-storage.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import { describeDatabase } from '../../../src/store/database-url.ts';
import type { DialectName } from '../../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION } from '../../../src/store/migrations/index.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import { delegatingStore } from '../../support/delegating-store.ts';
import { insertSampleRows } from '../../support/sample-rows.ts';
import { createTestDatabase, dialectTargets } from '../../support/test-databases.ts';
import { dumpObjects, dumpTables } from '../backup/support/deployment.ts';
import { readFixture, readReleases, restoreFixture } from '../release-fixtures.ts';
import { removeTestBucket } from '../verify/support/verify-fixture.ts';
import {
  assertMoved,
  type Deployment,
  emptyDeployment,
  expectedTables,
  move,
  type Snapshot,
  snapshotOf,
  sourceDeployment,
} from './support/move-fixture.ts';

after(removeTestBucket);

const targets = await dialectTargets();
const available = targets.filter((target) => target.skip === undefined).map((target) => target.dialect);
/** Targets on a server database where there is one: the usual move off the embedded default. */
const serverDialect: DialectName = available.find((dialect) => dialect !== 'sqlite') ?? 'sqlite';

function refusal(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof CairnError, String(error));
    assert.equal(error.code, 'STORAGE_MOVE_REFUSED');
    assert.match(error.message, pattern);
    return true;
  };
}

function failure(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof CairnError, String(error));
    assert.equal(error.code, 'STORAGE_MOVE_FAILED');
    assert.match(error.message, pattern);
    return true;
  };
}

describe('a move from SQLite', () => {
  let source: Deployment;
  let original: Snapshot;
  before(async () => {
    source = await sourceDeployment('sqlite', 'fs');
    original = await snapshotOf(source);
  });
  after(() => source?.close());

  test('into a database that holds rows is refused, and neither target store is touched', async () => {
    const target = await emptyDeployment(serverDialect, 'fs');
    try {
      const migrated = await new Migrator({ db: target.db, dialect: target.handle.dialect }).migrateTo();
      assert.equal(migrated.error, undefined);
      for (let version = 1; version <= LATEST_SCHEMA_VERSION; version++)
        await insertSampleRows(target.db, version);
      const held = await dumpTables(target.db);
      await assert.rejects(
        move(source, target),
        refusal(/the target database is not empty: it holds pipelines \(1 row\), .*create a new one/),
      );
      assert.deepEqual(await dumpTables(target.db), held);
      assert.equal((await dumpObjects(target.store.store)).size, 0);
    } finally {
      await target.close();
    }
  });

  test('into a store that holds objects is refused before the target database is written', async () => {
    const target = await emptyDeployment(serverDialect, 'fs');
    try {
      await target.store.store.put('someone/else', 'theirs');
      await assert.rejects(
        move(source, target),
        refusal(/artifact store .* is not empty: it holds "someone\/else"/),
      );
      assert.equal(await target.handle.dialect.tableExists(target.db, 'lifecycle_audit'), false);
    } finally {
      await target.close();
    }
  });

  test('onto itself, or into a store inside its own, is refused', async () => {
    await assert.rejects(moveStorage({ source: source.side, target: source.side }), refusal(/is the source/));
    const target = await emptyDeployment('sqlite', 'fs');
    try {
      const inside = new FsArtifactStore(path.join(source.store.location, 'moved'));
      await assert.rejects(
        moveStorage({ source: source.side, target: { ...target.side, store: inside } }),
        refusal(/overlap: one is inside the other/),
      );
    } finally {
      await target.close();
    }
  });

  test('of the metadata alone keeps the store and its URIs, and copies no object', async () => {
    const target = await emptyDeployment(serverDialect, 'fs');
    try {
      const events: MoveEvent[] = [];
      const summary = await moveStorage({
        source: source.side,
        target: { ...target.side, store: source.store.store },
        onProgress: (event) => events.push(event),
      });
      assert.equal(summary.uriRewrite, null);
      assert.equal(summary.result.objects, 0);
      const artifacts = events.find(
        (event) =>
          event.kind === 'verify' && event.progress.phase === 'done' && event.progress.check === 'artifacts',
      );
      assert.match(
        artifacts?.kind === 'verify' && artifacts.progress.phase === 'done'
          ? artifacts.progress.result.note
          : '',
        /sizes only, not hashed/,
        'objects the move did not copy are not read again',
      );
      const moved = await dumpTables(target.db);
      const own = (moved.lifecycle_audit ?? []).filter(
        (row) => !original.tables.lifecycle_audit?.some((kept) => kept.id === row.id),
      );
      assert.deepEqual(own.map((row) => row.operation).sort(), ['storage-move', 'verify']);
      moved.lifecycle_audit = original.tables.lifecycle_audit ?? [];
      assert.deepEqual(moved, original.tables, 'every row as it was, URIs included');
      assert.deepEqual(await snapshotOf(source), original, 'the source is unchanged');
    } finally {
      await target.close();
    }
  });

  test('whose object copy fails part-way resumes after the last object stored in order', async () => {
    const target = await emptyDeployment('sqlite', 'fs');
    try {
      const keys = [...original.objects.keys()].sort(compareKeys);
      const at = Math.floor(keys.length / 2);
      const failing = keys[at] as string;
      const store = target.store.store;
      const full = delegatingStore(store, {
        put: (key, body) =>
          key === failing ? Promise.reject(new Error('no space left')) : store.put(key, body),
      });
      await assert.rejects(
        moveStorage({ source: source.side, target: { ...target.side, store: full } }),
        /no space left/,
      );
      const [marker] = await movesInto(target.db, {
        dialect: 'sqlite',
        database: describeDatabase(target.database.location),
        artifact_store: store.url,
      });
      assert.equal(marker?.details.progress.phase, 'objects');
      assert.equal(
        marker?.details.progress.objects_after,
        keys[at - 1],
        'every object before the failed one',
      );
      assert.equal(marker?.details.progress.objects, at);
      assert.match(marker?.details.error ?? '', /no space left/);

      const stored: string[] = [];
      const counting = delegatingStore(store, {
        put: (key, body) => {
          stored.push(key);
          return store.put(key, body);
        },
      });
      const summary = await moveStorage({ source: source.side, target: { ...target.side, store: counting } });
      assert.equal(summary.resumed, true);
      assert.deepEqual(
        stored.sort(compareKeys),
        keys.slice(at),
        'the rerun stores the objects from the failed one on',
      );
      await assertMoved(original, source.store.store.url, target, summary);
    } finally {
      await target.close();
    }
  });

  test('that finds another source unfinished in the target is refused', async () => {
    const target = await emptyDeployment('sqlite', 'fs');
    try {
      const summary = await move(source, target);
      // As if it had stopped half-way: a move from elsewhere must not mix its rows in.
      await target.db
        .updateTable('lifecycle_audit')
        .set({ outcome: 'RUNNING' })
        .where('id', '=', summary.moveId)
        .execute();
      const elsewhere = new FsArtifactStore(path.join(target.store.location, '..', 'elsewhere'));
      await assert.rejects(
        moveStorage({ source: { ...source.side, store: elsewhere }, target: target.side }),
        refusal(/holds an unfinished move from sqlite .* run that move again to finish it/),
      );
    } finally {
      await target.close();
    }
  });
});

describe('a move whose source', () => {
  // PostgreSQL's side of the comparison is read with COPY, the others' row by row: both must see it.
  for (const targetDialect of available.filter((dialect) => dialect !== 'sqlite')) {
    test(`is written to during the move fails the comparison, then again on every rerun (into ${targetDialect})`, async () => {
      const source = await sourceDeployment('sqlite', 'fs');
      const target = await emptyDeployment(targetDialect, 'fs');
      try {
        const [run] = await source.db.selectFrom('runs').select('id').limit(1).execute();
        assert.ok(run);
        let written = false;
        // The store is first listed when the objects are copied, after the rows: a write then is one the
        // snapshot did not see.
        const store = source.store.store;
        const writing = delegatingStore(store, {
          async *list(prefix) {
            if (!written) {
              written = true;
              await source.db
                .updateTable('runs')
                .set({ display_name: 'renamed meanwhile' })
                .where('id', '=', run.id)
                .execute();
            }
            yield* store.list(prefix);
          },
        });
        const moving = { source: { ...source.side, store: writing }, target: target.side };
        const differs = failure(
          /rows differ from the source's in runs \((\d+) rows in the source, \1 in the target\): the source changed during the move/,
        );
        const events: MoveEvent[] = [];
        await assert.rejects(moveStorage({ ...moving, onProgress: (event) => events.push(event) }), differs);
        assert.deepEqual(
          events.filter((event) => event.kind === 'comparing-rows'),
          [{ kind: 'comparing-rows', sourceReadAgain: true }],
          'a source written to since the copy is read again',
        );
        const unfinished = (
          await target.db
            .selectFrom('lifecycle_audit')
            .selectAll()
            .where('operation', '=', 'storage-move')
            .execute()
        )[0];
        assert.equal(unfinished?.outcome, 'RUNNING');
        const details = JSON.parse(String(unfinished?.details));
        assert.equal(details.progress.phase, 'compare');
        assert.match(details.error, /the source changed during the move/);
        await assert.rejects(moveStorage(moving), differs);
      } finally {
        await target.close();
        await source.close();
      }
    });
  }

  for (const targetDialect of available) {
    test(`left alone is not read again, and a target row changed after the copy still fails the comparison (into ${targetDialect})`, async () => {
      const source = await sourceDeployment('sqlite', 'fs');
      const target = await emptyDeployment(targetDialect, 'fs');
      try {
        let tampered = false;
        // Between the rows and the comparison: the copy's digests must be held against what the target
        // holds, not against what it was sent.
        const store = source.store.store;
        const tampering = delegatingStore(store, {
          async *list(prefix) {
            if (!tampered) {
              tampered = true;
              await target.db
                .updateTable('tasks')
                .set({ state: 'FAILED' })
                .where('state', '=', 'SUCCEEDED')
                .execute();
            }
            yield* store.list(prefix);
          },
        });
        const events: MoveEvent[] = [];
        await assert.rejects(
          moveStorage({
            source: { ...source.side, store: tampering },
            target: target.side,
            onProgress: (event) => events.push(event),
          }),
          failure(/rows differ from the source's in tasks \((\d+) rows in the source, \1 in the target\)/),
        );
        assert.deepEqual(
          events.filter((event) => event.kind === 'comparing-rows'),
          [{ kind: 'comparing-rows', sourceReadAgain: false }],
          'the source, untouched since its snapshot, is compared through the digests the copy kept',
        );
      } finally {
        await target.close();
        await source.close();
      }
    });
  }

  for (const targetDialect of available.filter((dialect) => dialect !== 'sqlite')) {
    test(`keeps every character of text through the comparison (into ${targetDialect})`, async () => {
      const source = await sourceDeployment('sqlite', 'fs');
      const target = await emptyDeployment(targetDialect, 'fs');
      try {
        // Each character COPY's text format escapes, one it does not, a literal \N, and non-ASCII text.
        const description = 'tab\tnewline\ncr\rbs\bff\fvt\vbackslash\\ \\N \u0001 日本語 🚀';
        await source.db.updateTable('pipelines').set({ description }).execute();
        await moveStorage({ source: source.side, target: target.side });
        const moved = await target.db.selectFrom('pipelines').select('description').execute();
        assert.ok(moved.length > 0 && moved.every((row) => row.description === description));
      } finally {
        await target.close();
        await source.close();
      }
    });
  }

  test('already has problems moves, carrying them over without blaming the move (sizes only)', async () => {
    const source = await sourceDeployment('sqlite', 'fs');
    const target = await emptyDeployment(serverDialect, 'fs');
    try {
      await source.store.store.put('stray/object', 'nobody claims this');
      const original = await snapshotOf(source);
      const events: MoveEvent[] = [];
      const summary = await move(source, target, { hash: false, onProgress: (event) => events.push(event) });
      assert.equal(summary.result.verify, '1 problem found: 1 orphan-object');
      const compared = events.find((event) => event.kind === 'compared-objects');
      assert.equal(compared?.kind === 'compared-objects' && compared.comparison.hashed, false, 'sizes only');
      await assertMoved(original, source.store.store.url, target, summary);
    } finally {
      await target.close();
      await source.close();
    }
  });

  const release = readReleases().find((entry) => entry.schema_version < LATEST_SCHEMA_VERSION);
  test(`is at an older release's schema (${release?.version}) moves at that schema`, {
    skip: release === undefined,
  }, async () => {
    const { dir, manifest } = readFixture(release as NonNullable<typeof release>);
    const database = await createTestDatabase('sqlite');
    restoreFixture(dir, manifest, database);
    const target = await emptyDeployment(serverDialect, 'fs');
    const handle = await connectDatabase(database.location);
    // The release's frozen objects are only read: the move changes nothing in its source.
    const store = new FsArtifactStore(path.join(dir, 'artifacts'));
    try {
      const tables = await dumpTables(handle.db);
      const objects = await dumpObjects(store);
      const summary = await moveStorage({
        source: { db: handle.db, dialect: handle.dialect, location: database.location, store },
        target: target.side,
      });
      assert.equal(summary.schemaVersion, manifest.schema_version);
      assert.equal(summary.latestSchemaVersion, LATEST_SCHEMA_VERSION);
      assert.match(summary.result.verify, /^skipped: the schema is at version \d+, before this Cairn's/);
      const status = await new Migrator({ db: target.db, dialect: target.handle.dialect }).status();
      assert.equal(status.databaseSchemaVersion, manifest.schema_version);
      const moved = await dumpTables(target.db);
      moved.lifecycle_audit = (moved.lifecycle_audit ?? []).filter((row) => row.id !== summary.moveId);
      assert.deepEqual(moved, expectedTables(tables, store.url, target.store.store.url));
      assert.deepEqual(await dumpObjects(target.store.store), objects);
      assert.deepEqual(await dumpTables(handle.db), tables, 'the source is unchanged');
    } finally {
      await handle.close();
      await database.drop();
      await target.close();
    }
  });
});
