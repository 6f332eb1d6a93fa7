// A deployment on each dialect moves onto every other one, and between a folder and S3: every row of
// every table and every object arrives, artifact URIs moved to the new store, the target verifies, the
// source is left byte for byte as it was, and running the move again does nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MoveEvent } from '../../../src/lifecycle/storage-move/move-storage.ts';
import type { DialectName } from '../../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION } from '../../../src/store/migrations/index.ts';
import { openStore } from '../../../src/store/open-store.ts';
import { dialectTargets } from '../../support/test-databases.ts';
import { removeTestBucket, type StoreKind, s3Service } from '../verify/support/verify-fixture.ts';
import {
  artifactsUnder,
  assertMoved,
  type Deployment,
  emptyDeployment,
  move,
  type Snapshot,
  snapshotOf,
  sourceDeployment,
} from './support/move-fixture.ts';

after(removeTestBucket);

const targets = await dialectTargets();
const skipOf = new Map(targets.map((target) => [target.dialect, target.skip]));

/** The generated runs' artifacts, the sample objects' and the real run's are all in the store. */
const RUNS_AT_LEAST = 40;

/** Moves `source` onto a new deployment of `dialect` and `storeKind`, and checks everything arrived. */
async function moveOnto(source: Deployment, before: Snapshot, dialect: DialectName, storeKind: StoreKind) {
  const target = await emptyDeployment(dialect, storeKind);
  try {
    const events: MoveEvent[] = [];
    const summary = await move(source, target, { onProgress: (event) => events.push(event) });
    assert.equal(summary.finishedBefore, false);
    assert.equal(summary.resumed, false);
    assert.equal(summary.schemaVersion, LATEST_SCHEMA_VERSION);
    assert.deepEqual(summary.uriRewrite, { from: source.store.store.url, to: target.store.store.url });
    assert.equal(summary.result.verify, 'the deployment is clean: every check passed');
    assert.deepEqual(
      events.flatMap((event) => (event.kind === 'phase' ? [event.phase] : [])),
      ['rows', 'objects', 'compare', 'verify'],
    );
    assert.deepEqual(
      summary.result.rows,
      Object.fromEntries(
        Object.entries(before.tables).flatMap(([table, rows]) =>
          rows.length > 0 ? [[table, rows.length]] : [],
        ),
      ),
    );
    assert.equal(summary.result.objects, before.objects.size);

    await assertMoved(before, source.store.store.url, target, summary);
    const moved = await snapshotOf(target);
    const inStore = artifactsUnder(before.tables, source.store.store.url);
    assert.ok(inStore > RUNS_AT_LEAST, `${inStore} artifacts of the source are in its store`);
    assert.equal(artifactsUnder(moved.tables, target.store.store.url), inStore, 'their URIs moved');
    assert.deepEqual(await snapshotOf(source), before, 'the source is unchanged');
    // Cairn opens the target as it is: at its schema, nothing pending.
    await (await openStore(target.database.location)).close();

    const again = await move(source, target);
    assert.equal(again.finishedBefore, true, 'a finished move is not repeated');
    assert.equal(again.moveId, summary.moveId);
    assert.deepEqual(await snapshotOf(target), moved, 'running it again changed nothing');
  } finally {
    await target.close();
  }
}

for (const { dialect: from, skip } of targets) {
  describe(`a deployment on ${from} with a folder store`, { skip }, () => {
    let source: Deployment;
    let original: Snapshot;
    before(async () => {
      source = await sourceDeployment(from, 'fs');
      original = await snapshotOf(source);
    });
    after(() => source?.close());

    for (const to of targets.map((target) => target.dialect).filter((dialect) => dialect !== from)) {
      test(`moves onto ${to} and another folder`, { skip: skipOf.get(to) }, () =>
        moveOnto(source, original, to, 'fs'),
      );
    }
    if (from === 'sqlite') {
      const to: DialectName = skipOf.get('postgres') === undefined ? 'postgres' : 'sqlite';
      test(`moves onto ${to} and S3`, { skip: s3Service.skip }, () => moveOnto(source, original, to, 's3'));
    }
  });
}

const [first, second] = targets.filter((target) => target.skip === undefined).map((target) => target.dialect);
describe('a deployment with an S3 store', {
  skip: s3Service.skip ?? (first === undefined ? 'no database' : undefined),
}, () => {
  // A server database with S3, the production pair, moved back to the embedded default.
  const from = (targets.find((target) => target.dialect === 'mysql' && target.skip === undefined)?.dialect ??
    first) as DialectName;
  let source: Deployment;
  let original: Snapshot;
  before(async () => {
    source = await sourceDeployment(from, 's3');
    original = await snapshotOf(source);
  });
  after(() => source?.close());

  test(`moves from ${from} onto SQLite and a folder, URIs moved from s3:// to file://`, () =>
    moveOnto(source, original, from === 'sqlite' ? (second ?? 'sqlite') : 'sqlite', 'fs'));
});
