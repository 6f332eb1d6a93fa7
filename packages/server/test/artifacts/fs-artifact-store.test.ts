import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { FsArtifactStore } from '../../src/artifacts/fs-artifact-store.ts';
import { CairnError } from '../../src/errors.ts';
import { describeArtifactStoreContract } from './artifact-store-contract.ts';

async function tempRoot(): Promise<{ parent: string; root: string }> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'cairn-fs-store-'));
  return { parent, root: path.join(parent, 'store') };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function entriesIn(directory: string): Promise<string[]> {
  return readdir(directory).catch(() => []);
}

describeArtifactStoreContract('FsArtifactStore', async () => {
  const { parent, root } = await tempRoot();
  const store = new FsArtifactStore(root);
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(parent, { recursive: true, force: true });
    },
    pendingWrites: () => entriesIn(path.join(root, '.cairn-tmp')),
  };
});

describe('FsArtifactStore (file-system specifics)', () => {
  async function withStore(run: (store: FsArtifactStore, root: string) => Promise<void>): Promise<void> {
    const { parent, root } = await tempRoot();
    try {
      await run(new FsArtifactStore(root), root);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  }

  test('its url is the file URL of the absolute root', async () => {
    await withStore(async (store, root) => {
      assert.equal(store.url, pathToFileURL(root).href);
      assert.ok(store.url.startsWith('file:///'));
    });
  });

  test('creates the root on the first write, and reads a missing root as empty', async () => {
    await withStore(async (store, root) => {
      assert.equal(await store.stat('a'), undefined);
      assert.deepEqual(await collect(store.list()), []);
      await assert.rejects(store.get('a'), { code: 'ARTIFACT_NOT_FOUND' });
      await store.delete('a');
      await assert.rejects(stat(root), { code: 'ENOENT' });
      await store.put('a', 'x');
      assert.ok((await stat(path.join(root, 'a'))).isFile());
    });
  });

  test('stores each object at <root>/<key>', async () => {
    await withStore(async (store, root) => {
      await store.put('pipeline/run-1/task/output', 'content');
      assert.equal((await stat(path.join(root, 'pipeline', 'run-1', 'task', 'output'))).size, 7);
    });
  });

  test('writes into .cairn-tmp and renames into place', async () => {
    await withStore(async (store, root) => {
      const gate = Promise.withResolvers<void>();
      const started = Promise.withResolvers<void>();
      async function* body(): AsyncGenerator<Uint8Array> {
        yield Buffer.from('first half;');
        await sleep(10);
        started.resolve();
        await gate.promise;
        yield Buffer.from('second half');
      }
      const putting = store.put('a/b', body());
      await started.promise;
      assert.equal((await entriesIn(path.join(root, '.cairn-tmp'))).length, 1);
      assert.deepEqual(await entriesIn(root), ['.cairn-tmp']);
      gate.resolve();
      await putting;
      assert.deepEqual(await entriesIn(path.join(root, '.cairn-tmp')), []);
    });
  });

  test('list skips the temp directory and reserved names at the root', async () => {
    await withStore(async (store, root) => {
      await store.put('visible', 'x');
      await writeFile(path.join(root, '.cairn-tmp', 'leftover'), 'partial');
      await mkdir(path.join(root, '.CAIRN-other'));
      await writeFile(path.join(root, '.CAIRN-other', 'file'), 'x');
      assert.deepEqual(
        (await collect(store.list())).map((info) => info.key),
        ['visible'],
      );
    });
  });

  test('delete removes directories it empties, up to but not including the root', async () => {
    await withStore(async (store, root) => {
      await store.put('a/b/c/d', '1');
      await store.put('a/x', '2');
      await store.delete('a/b/c/d');
      assert.deepEqual(await entriesIn(path.join(root, 'a')), ['x']);
      await store.delete('a/x');
      assert.deepEqual(await entriesIn(root), ['.cairn-tmp']);
    });
  });

  test('puts and deletes racing in one directory do not lose objects', async () => {
    await withStore(async (store) => {
      const work: Array<Promise<unknown>> = [];
      for (let round = 0; round < 50; round++) {
        work.push(store.put(`shared/dir/keep-${round}`, 'k'), store.put(`shared/dir/drop-${round}`, 'd'));
      }
      await Promise.all(work);
      const racing: Array<Promise<unknown>> = [];
      for (let round = 0; round < 50; round++) {
        racing.push(store.delete(`shared/dir/drop-${round}`), store.put(`shared/dir/late-${round}`, 'l'));
      }
      await Promise.all(racing);
      const keys = (await collect(store.list('shared/'))).map((info) => info.key);
      assert.equal(keys.filter((key) => key.includes('/keep-')).length, 50);
      assert.equal(keys.filter((key) => key.includes('/late-')).length, 50);
      assert.equal(keys.filter((key) => key.includes('/drop-')).length, 0);
    });
  });

  test('cannot hold an object and keys below it, and says so', async () => {
    await withStore(async (store, root) => {
      await store.put('a/b', 'object');
      await assert.rejects(store.put('a/b/c/d', 'below'), (error: unknown) => {
        assert.ok(error instanceof CairnError);
        assert.equal(error.code, 'ARTIFACT_STORE_FAILED');
        assert.match(error.message, /"a\/b\/c\/d".*an object exists at "a\/b"/);
        return true;
      });
      await assert.rejects(store.put('a', 'above'), (error: unknown) => {
        assert.ok(error instanceof CairnError);
        assert.equal(error.code, 'ARTIFACT_STORE_FAILED');
        assert.match(error.message, /"a".*objects exist below "a\/"/);
        return true;
      });
      assert.equal(await store.stat('a/b').then((info) => info?.size), 6);
      assert.deepEqual(await entriesIn(path.join(root, '.cairn-tmp')), []);
    });
  });

  test('resolves a relative root against the working directory', () => {
    const store = new FsArtifactStore('relative/root');
    assert.equal(store.url, pathToFileURL(path.resolve('relative/root')).href);
  });
});
