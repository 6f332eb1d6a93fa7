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

async function readAll(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
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

  test('get without a range streams the object at the size its open file has, a small one in one chunk', async () => {
    await withStore(async (store) => {
      const small = Buffer.alloc(10 * 1024, 7);
      const large = Buffer.alloc(200 * 1024, 9);
      await store.put('small', small);
      await store.put('large', large);
      await store.put('empty', '');
      const chunksOf = async (key: string) => collect((await store.get(key)) as AsyncIterable<Buffer>);
      const smallChunks = await chunksOf('small');
      assert.equal(smallChunks.length, 1);
      assert.deepEqual(Buffer.concat(smallChunks), small);
      assert.deepEqual(Buffer.concat(await chunksOf('large')), large);
      assert.deepEqual(await chunksOf('empty'), []);
    });
  });

  test('a batch stores objects as put does, and its sync makes them durable', async () => {
    await withStore(async (store, root) => {
      const batch = store.batch();
      const stored = await batch.put('run-1/task/output', 'hello');
      assert.deepEqual(stored, {
        key: 'run-1/task/output',
        size: 5,
        sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
      });
      await batch.put('run-1/task/log', Buffer.from('log'));
      await batch.put(
        'run-2/deep/er/output',
        (async function* () {
          yield Buffer.from('a');
          yield Buffer.from('b');
        })(),
      );
      // Readable at once, before the sync: only durability waits for it.
      assert.equal(await readAll(await store.get('run-2/deep/er/output')), 'ab');
      await store.delete('run-1/task/log');
      // A file deleted since its put is skipped: nothing of it is left to keep.
      await batch.sync();
      await batch.sync();
      assert.deepEqual(
        (await collect(store.list())).map((info) => info.key),
        ['run-1/task/output', 'run-2/deep/er/output'],
      );
      assert.deepEqual(await entriesIn(path.join(root, '.cairn-tmp')), []);
      await assert.rejects(batch.put('run-1/task/output/below', 'x'), (error) => {
        assert.ok(error instanceof CairnError);
        assert.equal(error.code, 'ARTIFACT_STORE_FAILED');
        assert.match(error.message, /an object exists at "run-1\/task\/output"/);
        return true;
      });
      assert.deepEqual(await entriesIn(path.join(root, '.cairn-tmp')), []);
    });
  });

  test('listWithBytes lists as list does, with the bytes of the objects up to the size asked', async () => {
    await withStore(async (store, root) => {
      assert.deepEqual(await collect(store.listWithBytes('', 1024)), []);
      const bodies = new Map([
        ['a-c', 'ac'],
        ['a.d', 'x'.repeat(2000)],
        ['a/b/c', ''],
        ['a/b/d', 'abd'],
        ['b/e', 'be'],
      ]);
      for (const [key, body] of bodies) await store.put(key, body);
      await mkdir(path.join(root, '.CAIRN-other'));
      await writeFile(path.join(root, '.CAIRN-other', 'file'), 'x');
      for (const prefix of ['', 'a', 'a/', 'a/b/', 'a/b/d', 'b', 'c']) {
        const listed = await collect(store.listWithBytes(prefix, 1024));
        assert.deepEqual(
          listed.map(({ info }) => ({ key: info.key, size: info.size })),
          (await collect(store.list(prefix))).map(({ key, size }) => ({ key, size })),
          `prefix ${JSON.stringify(prefix)}`,
        );
        for (const { info, bytes } of listed) {
          const body = bodies.get(info.key) as string;
          if (body.length > 1024) assert.equal(bytes, undefined);
          else assert.equal(bytes?.toString(), body);
          assert.ok(info.lastModified instanceof Date);
        }
      }
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
