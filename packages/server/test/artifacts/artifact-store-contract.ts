/**
 * The behaviour every ArtifactStore must have, asserted identically for each implementation.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { ArtifactStore, ByteRange } from '../../src/artifacts/artifact-store.ts';
import { CairnError } from '../../src/errors.ts';

export interface OpenedStore {
  store: ArtifactStore;
  /** Removes everything the test stored. */
  cleanup(): Promise<void>;
  /** Leftovers of unfinished writes (temp files), for backends that can show them. */
  pendingWrites?(): Promise<string[]>;
}

export interface ContractOptions {
  /** Skips the whole suite, with this reason. */
  skip?: string;
  /** Tests the backing server cannot pass, each with the reason; every real backend passes them. */
  limitations?: {
    keyOrderAcrossSeparator?: string;
    concurrentPuts?: string;
  };
}

const MiB = 1024 * 1024;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Registers the contract suite: each test gets a fresh, empty store from `open` and cleans it up after.
 */
export function describeArtifactStoreContract(
  name: string,
  open: () => Promise<OpenedStore>,
  options: ContractOptions = {},
): void {
  const limitations = options.limitations ?? {};
  describe(`${name} (ArtifactStore contract)`, { skip: options.skip ?? false }, () => {
    let opened: OpenedStore;
    let store: ArtifactStore;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });

    afterEach(async () => {
      await opened.cleanup();
    });

    async function pendingWrites(): Promise<string[]> {
      return (await opened.pendingWrites?.()) ?? [];
    }

    describe('put and get', () => {
      test('round-trips a string body, returning its size and sha256', async () => {
        const stored = await store.put('greeting.txt', 'héllo, wörld');
        const bytes = Buffer.from('héllo, wörld');
        assert.deepEqual(stored, { key: 'greeting.txt', size: bytes.length, sha256: sha256(bytes) });
        assert.deepEqual(await readAll(await store.get('greeting.txt')), bytes);
      });

      test('round-trips a Uint8Array body', async () => {
        const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
        const stored = await store.put('bytes.bin', bytes);
        assert.deepEqual(stored, { key: 'bytes.bin', size: 6, sha256: sha256(bytes) });
        assert.deepEqual(await readAll(await store.get('bytes.bin')), Buffer.from(bytes));
      });

      test('round-trips a Readable body of many chunks', async () => {
        const chunks = Array.from({ length: 50 }, (_, index) => Buffer.alloc(1000 + index, index));
        const stored = await store.put('stream.bin', Readable.from(chunks));
        const expected = Buffer.concat(chunks);
        assert.deepEqual(stored, { key: 'stream.bin', size: expected.length, sha256: sha256(expected) });
        assert.deepEqual(await readAll(await store.get('stream.bin')), expected);
      });

      test('round-trips an async iterable body', async () => {
        async function* body(): AsyncGenerator<Uint8Array> {
          for (let index = 0; index < 10; index++) {
            await nextTurn();
            yield Buffer.from(`line ${index}\n`);
          }
        }
        const stored = await store.put('lines.txt', body());
        const expected = Buffer.from(Array.from({ length: 10 }, (_, index) => `line ${index}\n`).join(''));
        assert.deepEqual(stored, { key: 'lines.txt', size: expected.length, sha256: sha256(expected) });
        assert.deepEqual(await readAll(await store.get('lines.txt')), expected);
      });

      test('accepts a Readable that emits strings', async () => {
        const stored = await store.put('text.txt', Readable.from(['ä', 'b', 'c'], { objectMode: true }));
        assert.equal(stored.size, 4);
        assert.equal((await readAll(await store.get('text.txt'))).toString(), 'äbc');
      });

      test('stores an empty object', async () => {
        const stored = await store.put('empty', '');
        assert.deepEqual(stored, { key: 'empty', size: 0, sha256: EMPTY_SHA256 });
        assert.equal((await readAll(await store.get('empty'))).length, 0);
        assert.equal((await store.stat('empty'))?.size, 0);
        assert.deepEqual(await keysOf(store.list()), ['empty']);
      });

      test('overwrites an existing object', async () => {
        await store.put('model', 'first version, longer than the second');
        const stored = await store.put('model', 'second');
        assert.equal(stored.size, 6);
        assert.equal(await text(store, 'model'), 'second');
        assert.equal((await store.stat('model'))?.size, 6);
        assert.deepEqual(await keysOf(store.list()), ['model']);
      });

      test('stores nested keys side by side', async () => {
        await store.put('pipeline/run-1/train/model', 'model');
        await store.put('pipeline/run-1/train/metrics', 'metrics');
        await store.put('pipeline/run-2/train/model', 'other run');
        assert.equal(await text(store, 'pipeline/run-1/train/model'), 'model');
        assert.equal(await text(store, 'pipeline/run-1/train/metrics'), 'metrics');
        assert.equal(await text(store, 'pipeline/run-2/train/model'), 'other run');
      });

      test('keeps keys with unusual but valid characters', async () => {
        const key = 'ünï cödé/with space/日本語 🙂/a+b=c&d?e#f%20';
        await store.put(key, 'unicode');
        assert.equal(await text(store, key), 'unicode');
        assert.deepEqual(await keysOf(store.list()), [key]);
      });
    });

    describe('ranged get', () => {
      beforeEach(async () => {
        await store.put('digits', '0123456789');
      });

      const validRanges: Array<[ByteRange, string]> = [
        [{ start: 0, end: 0 }, '0'],
        [{ start: 3, end: 6 }, '3456'],
        [{ start: 7, end: 9 }, '789'],
        [{ start: 0, end: 9 }, '0123456789'],
        [{ start: 4 }, '456789'],
        [{ start: 9 }, '9'],
        [{ start: 0 }, '0123456789'],
      ];
      for (const [range, expected] of validRanges) {
        test(`reads ${JSON.stringify(range)}`, async () => {
          assert.equal(await text(store, 'digits', range), expected);
        });
      }

      const invalidRanges: Array<[ByteRange, string]> = [
        [{ start: 10 }, 'start is at or after the end of the object'],
        [{ start: 10, end: 12 }, 'start is at or after the end of the object'],
        [{ start: 5, end: 10 }, 'end is after the last byte of the object'],
        [{ start: 6, end: 5 }, 'start is after end'],
        [{ start: -1 }, 'start is not a non-negative integer'],
        [{ start: 1.5 }, 'start is not a non-negative integer'],
        [{ start: 0, end: 2.5 }, 'end is not an integer'],
      ];
      for (const [range, problem] of invalidRanges) {
        test(`rejects ${JSON.stringify(range)} naming the object size`, async () => {
          await assertCairnError(store.get('digits', range), 'ARTIFACT_RANGE_INVALID', [
            JSON.stringify(range),
            '"digits"',
            problem,
            'the object is 10 bytes',
          ]);
        });
      }

      test('rejects any range of an empty object', async () => {
        await store.put('empty', '');
        await assertCairnError(store.get('empty', { start: 0 }), 'ARTIFACT_RANGE_INVALID', ['0 bytes']);
        await assertCairnError(store.get('empty', { start: 0, end: 0 }), 'ARTIFACT_RANGE_INVALID', [
          '0 bytes',
        ]);
      });

      test('reports a missing object before an invalid range', async () => {
        await assertCairnError(store.get('missing', { start: 5, end: 1 }), 'ARTIFACT_NOT_FOUND', [
          '"missing"',
        ]);
        await assertCairnError(store.get('missing', { start: 0 }), 'ARTIFACT_NOT_FOUND', ['"missing"']);
      });
    });

    describe('missing objects and stat', () => {
      test('get of a missing key rejects with ARTIFACT_NOT_FOUND naming the key and the store', async () => {
        await assertCairnError(store.get('no/such/key'), 'ARTIFACT_NOT_FOUND', ['"no/such/key"', store.url]);
      });

      test('a key that is only the prefix of other keys is not an object', async () => {
        await store.put('dir/child', 'x');
        await assertCairnError(store.get('dir'), 'ARTIFACT_NOT_FOUND', ['"dir"']);
        assert.equal(await store.stat('dir'), undefined);
      });

      test('a key below an existing object is not an object', async () => {
        await store.put('file', 'x');
        await assertCairnError(store.get('file/child'), 'ARTIFACT_NOT_FOUND', ['"file/child"']);
        assert.equal(await store.stat('file/child'), undefined);
      });

      test('stat returns size and modification time, or undefined', async () => {
        const before = Date.now();
        await store.put('a/b', '12345');
        const info = await store.stat('a/b');
        assert.ok(info !== undefined);
        assert.equal(info.key, 'a/b');
        assert.equal(info.size, 5);
        // S3 reports whole seconds.
        assert.ok(Math.abs(info.lastModified.getTime() - before) < 5000, `lastModified ${info.lastModified}`);
        assert.equal(await store.stat('a/c'), undefined);
      });
    });

    describe('list', () => {
      const keys = ['a/b/c', 'a/bc', 'a0', 'a/b/d', 'ab', 'b/x', 'a/b_e/f'];
      const sorted = ['a/b/c', 'a/b/d', 'a/b_e/f', 'a/bc', 'a0', 'ab', 'b/x'];

      beforeEach(async () => {
        for (const key of keys) await store.put(key, key.repeat(2));
      });

      test('lists everything in lexicographic key order, with sizes', async () => {
        const listed = await collect(store.list());
        assert.deepEqual(
          listed.map((info) => info.key),
          sorted,
        );
        for (const info of listed) {
          assert.equal(info.size, info.key.length * 2);
          assert.ok(info.lastModified instanceof Date);
        }
      });

      const prefixes: Array<[string, string[]]> = [
        ['', sorted],
        ['a', ['a/b/c', 'a/b/d', 'a/b_e/f', 'a/bc', 'a0', 'ab']],
        ['a/', ['a/b/c', 'a/b/d', 'a/b_e/f', 'a/bc']],
        ['a/b', ['a/b/c', 'a/b/d', 'a/b_e/f', 'a/bc']],
        ['a/b/', ['a/b/c', 'a/b/d']],
        ['a/b/c', ['a/b/c']],
        ['a/bc', ['a/bc']],
        ['b', ['b/x']],
        ['c', []],
        ['a/b/c/', []],
        ['zz/top/', []],
      ];
      for (const [prefix, expected] of prefixes) {
        test(`lists prefix ${JSON.stringify(prefix)} as a key prefix, not only a directory`, async () => {
          assert.deepEqual(await keysOf(store.list(prefix)), expected);
        });
      }

      test('orders by key, not by directory: "a-c" and "a.d" come before "a/b/c"', {
        skip: limitations.keyOrderAcrossSeparator ?? false,
      }, async () => {
        await store.put('a-c', 'x');
        await store.put('a.d', 'x');
        assert.deepEqual(await keysOf(store.list('a')), ['a-c', 'a.d', ...sorted.slice(0, -1)]);
      });

      test('lists many objects across pages', async () => {
        const many = Array.from({ length: 23 }, (_, index) => `many/${String(index).padStart(3, '0')}`);
        await Promise.all(many.map((key) => store.put(key, key)));
        assert.deepEqual(await keysOf(store.list('many/')), many);
      });
    });

    describe('delete', () => {
      test('removes the object, and deleting again is not an error', async () => {
        await store.put('x/y/z', 'data');
        await store.delete('x/y/z');
        assert.equal(await store.stat('x/y/z'), undefined);
        await assertCairnError(store.get('x/y/z'), 'ARTIFACT_NOT_FOUND', ['"x/y/z"']);
        assert.deepEqual(await keysOf(store.list()), []);
        await store.delete('x/y/z');
      });

      test('deleting a key that never existed, or only as a prefix, is not an error', async () => {
        await store.delete('never/was');
        await store.put('kept/child', 'x');
        await store.delete('kept');
        assert.deepEqual(await keysOf(store.list()), ['kept/child']);
      });

      test('leaves sibling objects', async () => {
        await store.put('p/one', '1');
        await store.put('p/two', '2');
        await store.delete('p/one');
        assert.deepEqual(await keysOf(store.list()), ['p/two']);
        assert.equal(await text(store, 'p/two'), '2');
      });
    });

    describe('invalid keys', () => {
      const badKeys = ['', '/abs', 'a/../b', 'a//b', 'a\\b', 'trailing/', '.cairn-tmp/x', 'nul\0'];
      for (const key of badKeys) {
        test(`rejects ${JSON.stringify(key)} in every method before any I/O`, async () => {
          let bodyRead = false;
          const body = (async function* () {
            bodyRead = true;
            yield Buffer.from('never');
          })();
          await assertCairnError(store.put(key, body), 'ARTIFACT_KEY_INVALID', [JSON.stringify(key)]);
          assert.equal(bodyRead, false, 'the body was read');
          await assertCairnError(store.get(key), 'ARTIFACT_KEY_INVALID', [JSON.stringify(key)]);
          await assertCairnError(store.get(key, { start: 0 }), 'ARTIFACT_KEY_INVALID', [JSON.stringify(key)]);
          await assertCairnError(store.stat(key), 'ARTIFACT_KEY_INVALID', [JSON.stringify(key)]);
          await assertCairnError(store.delete(key), 'ARTIFACT_KEY_INVALID', [JSON.stringify(key)]);
          assert.deepEqual(await keysOf(store.list()), []);
        });
      }

      test('rejects an invalid list prefix', async () => {
        for (const prefix of ['/', '../', 'a//', '.cairn-tmp/']) {
          await assertCairnError(collect(store.list(prefix)), 'ARTIFACT_KEY_INVALID', [
            JSON.stringify(prefix),
          ]);
        }
      });
    });

    describe('failed and concurrent writes', () => {
      for (const [label, failAfter] of [
        ['after a few small chunks', 3 * 64 * 1024],
        ['after more than one upload part', 9 * MiB],
      ] as const) {
        test(`a body that fails ${label} leaves no object and no temp file`, async () => {
          const failure = new Error('the body broke');
          await assertCairnError(
            store.put('broken', failingBody(failAfter, failure)),
            'ARTIFACT_STORE_FAILED',
            ['"broken"', 'the body broke'],
          );
          assert.equal(await store.stat('broken'), undefined);
          await assertCairnError(store.get('broken'), 'ARTIFACT_NOT_FOUND', ['"broken"']);
          assert.deepEqual(await keysOf(store.list()), []);
          assert.deepEqual(await pendingWrites(), []);
        });
      }

      test('a failed overwrite keeps the previous object and chains the cause', async () => {
        await store.put('model', 'previous');
        const failure = new Error('the body broke');
        const error = await store.put('model', failingBody(1000, failure)).then(
          () => assert.fail('put resolved'),
          (rejection: unknown) => rejection,
        );
        assert.ok(causes(error).includes(failure), 'the body error is in the cause chain');
        assert.equal(await text(store, 'model'), 'previous');
        assert.deepEqual(await pendingWrites(), []);
      });

      test('concurrent puts to one key end with one complete object', {
        skip: limitations.concurrentPuts ?? false,
      }, async () => {
        const fills = [0x41, 0x42, 0x43, 0x44, 0x45];
        const size = 256 * 1024;
        async function* body(fill: number): AsyncGenerator<Uint8Array> {
          for (let offset = 0; offset < size; offset += 16 * 1024) {
            await nextTurn();
            yield Buffer.alloc(16 * 1024, fill);
          }
        }
        const results = await Promise.all(fills.map((fill) => store.put('contended', body(fill))));
        const content = await readAll(await store.get('contended'));
        assert.equal(content.length, size);
        const fill = content[0] ?? -1;
        assert.ok(fills.includes(fill));
        assert.ok(
          content.every((byte) => byte === fill),
          'the object mixes bytes of different puts',
        );
        assert.ok(results.some((result) => result.sha256 === sha256(content)));
        assert.deepEqual(await keysOf(store.list()), ['contended']);
        assert.deepEqual(await pendingWrites(), []);
      });

      test('readers see the previous object, or nothing, until a slow put completes', async () => {
        await store.put('slow', 'previous');
        const gate = Promise.withResolvers<void>();
        const halfway = Promise.withResolvers<void>();
        async function* slowBody(): AsyncGenerator<Uint8Array> {
          for (let index = 0; index < 4; index++) {
            await sleep(10);
            yield Buffer.from(`new part ${index};`);
          }
          halfway.resolve();
          await gate.promise;
          yield Buffer.from('end');
        }
        const putting = store.put('slow', slowBody());
        const fresh = store.put('fresh/key', slowBody());
        await halfway.promise;
        try {
          assert.equal(await text(store, 'slow'), 'previous');
          assert.equal((await store.stat('slow'))?.size, 'previous'.length);
          assert.deepEqual(await collectSizes(store.list()), [['slow', 'previous'.length]]);
          assert.equal(await store.stat('fresh/key'), undefined);
          await assertCairnError(store.get('fresh/key'), 'ARTIFACT_NOT_FOUND', ['"fresh/key"']);
        } finally {
          gate.resolve();
        }
        await Promise.all([putting, fresh]);
        const expected = 'new part 0;new part 1;new part 2;new part 3;end';
        assert.equal(await text(store, 'slow'), expected);
        assert.equal(await text(store, 'fresh/key'), expected);
      });
    });

    test('[large: 200 MB] streams through put and get with bounded memory', {
      timeout: 180_000,
    }, async (t) => {
      const chunkCount = 200;
      const expected = createHash('sha256');
      async function* body(): AsyncGenerator<Uint8Array> {
        for (let index = 0; index < chunkCount; index++) {
          const chunk = pseudoRandomChunk(index);
          expected.update(chunk);
          yield chunk;
        }
      }
      const memory = sampleRss();
      const putStarted = performance.now();
      const stored = await store.put('large/object.bin', body());
      const putMs = performance.now() - putStarted;
      const getStarted = performance.now();
      const actual = createHash('sha256');
      let size = 0;
      for await (const chunk of await store.get('large/object.bin')) {
        actual.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      const getMs = performance.now() - getStarted;
      const peakGrowth = memory.stop();
      t.diagnostic(
        `put ${Math.round(putMs)} ms, get ${Math.round(getMs)} ms, peak RSS growth ${(peakGrowth / MiB).toFixed(1)} MiB`,
      );
      const digest = expected.digest('hex');
      assert.deepEqual(stored, { key: 'large/object.bin', size: chunkCount * MiB, sha256: digest });
      assert.equal(size, chunkCount * MiB);
      assert.equal(actual.digest('hex'), digest);
      assert.ok(
        peakGrowth < 150 * MiB,
        `RSS grew by ${(peakGrowth / MiB).toFixed(1)} MiB; expected < 150 MiB`,
      );
    });
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function text(store: ArtifactStore, key: string, range?: ByteRange): Promise<string> {
  return (await readAll(await store.get(key, range))).toString('utf8');
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function keysOf(infos: AsyncIterable<{ key: string }>): Promise<string[]> {
  return (await collect(infos)).map((info) => info.key);
}

async function collectSizes(
  infos: AsyncIterable<{ key: string; size: number }>,
): Promise<Array<[string, number]>> {
  return (await collect(infos)).map((info) => [info.key, info.size]);
}

async function assertCairnError(promise: Promise<unknown>, code: string, fragments: string[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CairnError, `expected a CairnError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const fragment of fragments) {
      assert.ok(
        error.message.includes(fragment),
        `expected ${JSON.stringify(fragment)} in: ${error.message}`,
      );
    }
    return true;
  });
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
  }
  return chain;
}

/** A Readable that delivers `failAfter` bytes in 64 KiB chunks and then errors. */
function failingBody(failAfter: number, failure: Error): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= failAfter) {
        this.destroy(failure);
        return;
      }
      const chunk = Buffer.alloc(Math.min(64 * 1024, failAfter - sent), 0x5a);
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

/** 1 MiB of xorshift32 output seeded by `index`: deterministic, incompressible, and cheap to make. */
function pseudoRandomChunk(index: number): Buffer {
  const words = new Uint32Array(MiB / 4);
  let state = (index + 1) * 0x9e3779b9;
  for (let word = 0; word < words.length; word++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[word] = state;
  }
  return Buffer.from(words.buffer);
}

/** Samples RSS every 20 ms; `stop` returns the peak growth over the RSS when sampling started. */
function sampleRss(): { stop(): number } {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return peak - baseline;
    },
  };
}
