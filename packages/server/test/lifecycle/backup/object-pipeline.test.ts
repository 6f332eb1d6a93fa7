import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ArtifactStore, ObjectInfo } from '../../../src/artifacts/artifact-store.ts';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { forEachKeepingPrefix } from '../../../src/lifecycle/backup/finished-prefix.ts';
import { loadAhead } from '../../../src/lifecycle/backup/load-ahead.ts';
import { restoreBackup } from '../../../src/lifecycle/backup/restore-backup.ts';
import { writeBackup } from '../../../src/lifecycle/backup/write-backup.ts';
import { delegatingStore } from '../../support/delegating-store.ts';
import { createMigratedDatabase } from '../../support/migrated-database.ts';
import { dumpObjects } from './support/deployment.ts';
import { scratchDir } from './support/test-stores.ts';

async function* numbers(count: number, failAt?: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) {
    if (i === failAt) throw new Error(`listing failed at ${i}`);
    await sleep(0);
    yield i;
  }
}

describe('loadAhead', () => {
  test('yields every load in order, with loads running ahead up to the depth', async () => {
    let running = 0;
    let most = 0;
    const results: number[] = [];
    const loads = loadAhead(
      numbers(50),
      8,
      async (n) => {
        most = Math.max(most, ++running);
        await sleep(50 - n);
        running--;
        return n * 2;
      },
      () => assert.fail('nothing is discarded'),
    );
    for await (const loaded of loads) {
      assert.ok('value' in loaded);
      results.push(loaded.value);
    }
    assert.deepEqual(
      results,
      Array.from({ length: 50 }, (_, n) => n * 2),
    );
    assert.ok(most > 1 && most <= 8, `at most 8 loads at once, saw ${most}`);
  });

  test('a failed load is yielded in its place; a failed listing ends the loads with its error', async () => {
    const seen: string[] = [];
    const loads = loadAhead(
      numbers(10, 6),
      4,
      async (n) => {
        if (n === 2) throw new Error('load 2 failed');
        return n;
      },
      () => undefined,
    );
    await assert.rejects(async () => {
      for await (const loaded of loads)
        seen.push('error' in loaded ? `error ${loaded.item}` : `${loaded.value}`);
    }, /listing failed at 6/);
    assert.deepEqual(seen, ['0', '1', 'error 2', '3', '4', '5']);
  });

  test('a consumer that stops early has the loads made ahead discarded', async () => {
    async function* immediate() {
      for (let n = 0; n < 20; n++) yield n;
    }
    const discarded: number[] = [];
    for await (const loaded of loadAhead(
      immediate(),
      5,
      async (n) => n,
      (n) => discarded.push(n),
    )) {
      if ('value' in loaded && loaded.value === 3) break;
    }
    assert.ok(discarded.length > 0 && discarded.every((n) => n > 3), `discarded ${discarded.join()}`);
  });
});

describe('forEachKeepingPrefix', () => {
  test('reports only prefixes whose every item is done, and runs items side by side', async () => {
    const prefixes: number[] = [];
    const done = new Set<number>();
    await forEachKeepingPrefix(
      3,
      20,
      4,
      async (index) => {
        await sleep((index * 7) % 5);
        done.add(index);
      },
      async (prefix) => {
        for (let index = 3; index < prefix; index++)
          assert.ok(done.has(index), `${index} done before ${prefix}`);
        prefixes.push(prefix);
      },
    );
    assert.equal(prefixes.at(-1), 20);
    assert.deepEqual(
      prefixes,
      [...prefixes].sort((a, b) => a - b),
    );
    assert.equal(done.size, 17);
  });

  test('stops at the first failure, waits for the items under way, and rejects with it', async () => {
    const started: number[] = [];
    let underWay = 0;
    await assert.rejects(
      forEachKeepingPrefix(
        0,
        100,
        4,
        async (index) => {
          started.push(index);
          underWay++;
          await sleep(5);
          underWay--;
          if (index === 5) throw new Error('item 5 failed');
        },
        async () => undefined,
      ),
      /item 5 failed/,
    );
    assert.equal(underWay, 0);
    assert.ok(started.length < 20, `started ${started.length} items`);
  });
});

/** The filesystem store, listing one key more than it holds: an object deleted after it was listed. */
function withVanishingObject(store: ArtifactStore): ArtifactStore {
  return delegatingStore(store, {
    async *list(prefix?: string): AsyncIterable<ObjectInfo> {
      yield { key: 'a/vanished', size: 10, lastModified: new Date() };
      yield* store.list(prefix);
    },
  });
}

test('an object deleted between listing and reading is counted as vanished, not a failure', async () => {
  const database = await createMigratedDatabase('sqlite');
  const scratch = scratchDir('cairn-vanish-');
  try {
    const store = new FsArtifactStore(path.join(scratch.dir, 'artifacts'));
    await store.put('b/kept', 'kept');
    const { manifest } = await writeBackup({
      db: database.db,
      dialect: database.dialect,
      location: database.handle.location,
      store: withVanishingObject(store),
      file: path.join(scratch.dir, 'backup.tar'),
    });
    assert.equal(manifest.objects_vanished, 1);
    assert.deepEqual(
      manifest.objects.map((object) => object.key),
      ['b/kept'],
    );
  } finally {
    await database.close();
    scratch.remove();
  }
});

/**
 * The filesystem store, listing (and, with `always`, stating) the objects under `big/` at another size than
 * they have: objects replaced by ones of another size after they were listed.
 */
function withResizedObjects(store: ArtifactStore, always = false): ArtifactStore {
  const resized = (info: ObjectInfo): ObjectInfo =>
    info.key.startsWith('big/')
      ? { ...info, size: info.size + (info.key.endsWith('grew') ? -1000 : 1000) }
      : info;
  return delegatingStore(store, {
    stat: async (key) => {
      const info = await store.stat(key);
      return info === undefined || !always ? info : resized(info);
    },
    async *list(prefix?: string): AsyncIterable<ObjectInfo> {
      for await (const info of store.list(prefix)) yield resized(info);
    },
  });
}

test('an object that changed size between listing and reading is read at its new size', async () => {
  const database = await createMigratedDatabase('sqlite');
  const target = await createMigratedDatabase('sqlite');
  const scratch = scratchDir('cairn-resized-');
  try {
    const store = new FsArtifactStore(path.join(scratch.dir, 'artifacts'));
    const bodies = new Map([
      ['big/emptied', Buffer.alloc(0)],
      ['big/grew', Buffer.alloc(600_000, 'grew ')],
      ['big/shrank', Buffer.alloc(500_000, 'shrank ')],
      ['small', Buffer.from('small')],
    ]);
    for (const [key, body] of bodies) await store.put(key, body);
    const file = path.join(scratch.dir, 'backup.tar');
    const { manifest } = await writeBackup({
      db: database.db,
      dialect: database.dialect,
      location: database.handle.location,
      store: withResizedObjects(store),
      file,
    });
    const digests = new Map(
      [...bodies].map(([key, body]) => [key, createHash('sha256').update(body).digest('hex')]),
    );
    assert.deepEqual(new Map(manifest.objects.map((object) => [object.key, object.sha256])), digests);

    const restored = new FsArtifactStore(path.join(scratch.dir, 'restored'));
    await restoreBackup({
      db: target.db,
      dialect: target.dialect,
      location: target.handle.location,
      store: restored,
      file,
    });
    assert.deepEqual(await dumpObjects(restored), digests);

    await assert.rejects(
      writeBackup({
        db: database.db,
        dialect: database.dialect,
        location: database.handle.location,
        store: withResizedObjects(store, true),
        file: path.join(scratch.dir, 'never.tar'),
      }),
      /object "big\/grew" changed size each of the 3 times it was read/,
    );
  } finally {
    await database.close();
    await target.close();
    scratch.remove();
  }
});
