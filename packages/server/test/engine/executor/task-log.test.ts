// The task log in a real file-system artifact store: chunks while it grows, the complete object after.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ArtifactStore } from '../../../src/artifacts/artifact-store.ts';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { logChunkKey } from '../../../src/engine/executor/logs/log-chunks.ts';
import { readTaskLog } from '../../../src/engine/executor/logs/read-task-log.ts';
import {
  TaskLogWriter,
  type TaskLogWriterOptions,
} from '../../../src/engine/executor/logs/task-log-writer.ts';
import { taskKeySegment, taskLogKey, taskOutputKey } from '../../../src/engine/executor/task-keys.ts';
import { CairnError } from '../../../src/errors.ts';

let scratch: string;
let store: ArtifactStore;
let count = 0;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'cairn-task-log-'));
  store = new FsArtifactStore(path.join(scratch, 'store'));
});
after(() => rm(scratch, { recursive: true, force: true }));

async function openLog(options: TaskLogWriterOptions = {}): Promise<TaskLogWriter> {
  count += 1;
  const key = taskLogKey({ pipelineName: 'logs', runId: `run-${count}`, taskPath: 'root/task' }, 0);
  return TaskLogWriter.open(store, key, path.join(scratch, `spool-${count}`), options);
}

/** Writes and waits until the writer has taken the bytes (and stored any chunk they completed). */
function write(log: TaskLogWriter, text: string): Promise<void> {
  return new Promise((resolve, reject) =>
    log.write(Buffer.from(text), (error) => (error ? reject(error) : resolve())),
  );
}

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(prefix)) keys.push(object.key);
  return keys;
}

async function read(key: string, offset = 0, maxBytes?: number) {
  const slice = await readTaskLog(store, key, { offset, ...(maxBytes === undefined ? {} : { maxBytes }) });
  return { text: slice.bytes.toString('utf8'), nextOffset: slice.nextOffset, complete: slice.complete };
}

describe('task log', () => {
  test('grows as offset-named chunks that a reader follows, then becomes one object', async () => {
    const log = await openLog({ chunkBytes: 4, flushIntervalMs: 60_000 });
    await write(log, 'abcd');
    await write(log, 'efgh');
    await write(log, 'ij');
    assert.deepEqual(await keysUnder(`${log.key}.chunks/`), [
      logChunkKey(log.key, 0),
      logChunkKey(log.key, 4),
    ]);
    assert.equal(logChunkKey(log.key, 4), `${log.key}.chunks/0000000000000004`);
    assert.deepEqual(await read(log.key), { text: 'abcdefgh', nextOffset: 8, complete: false });
    assert.deepEqual(await read(log.key, 3, 3), { text: 'def', nextOffset: 6, complete: false });
    assert.deepEqual(await read(log.key, 8), { text: '', nextOffset: 8, complete: false });
    const stored = await log.close();
    assert.equal(stored.size, 10);
    assert.deepEqual(await keysUnder(`${log.key}.chunks/`), []);
    assert.deepEqual(await read(log.key, 8), { text: 'ij', nextOffset: 10, complete: true });
    assert.deepEqual(await read(log.key, 0, 4), { text: 'abcd', nextOffset: 4, complete: false });
    assert.deepEqual(await read(log.key, 10), { text: '', nextOffset: 10, complete: true });
  });

  test('pending bytes are stored after the flush interval', async () => {
    const log = await openLog({ flushIntervalMs: 20 });
    await write(log, 'tick\n');
    assert.deepEqual(await read(log.key), { text: '', nextOffset: 0, complete: false });
    let seen = '';
    for (let i = 0; i < 100 && seen === ''; i++) {
      await sleep(10);
      seen = (await read(log.key)).text;
    }
    assert.equal(seen, 'tick\n');
    await log.close();
  });

  test('follows streams and puts its own notes on lines of their own', async () => {
    const log = await openLog();
    await log.follow(Readable.from([Buffer.from('no newline')]));
    log.note('first note');
    await log.follow(Readable.from([Buffer.from('line\n')]));
    log.note('second note');
    await log.close();
    assert.deepEqual(await read(log.key), {
      text: 'no newline\n[cairn] first note\nline\n[cairn] second note\n',
      nextOffset: 55,
      complete: true,
    });
  });

  test('a log nobody wrote to is complete and empty once closed, and reads as empty before it exists', async () => {
    const log = await openLog();
    assert.deepEqual(await read(log.key, 5), { text: '', nextOffset: 5, complete: false });
    await log.close();
    assert.deepEqual(await read(log.key), { text: '', nextOffset: 0, complete: true });
  });

  test('a reader that meets chunks being deleted reads the complete log instead', async () => {
    const log = await openLog();
    await store.put(logChunkKey(log.key, 3), 'def');
    assert.deepEqual(await read(log.key), { text: '', nextOffset: 0, complete: false }, 'a gap is not read');
    await store.put(log.key, 'abcdef');
    assert.deepEqual(await read(log.key, 1), { text: 'bcdef', nextOffset: 6, complete: true });
    await log.close();
  });

  test('rejects offsets that are not byte offsets', async () => {
    await assert.rejects(readTaskLog(store, 'logs/x/.cairn-logs/0.log', { offset: -1 }), RangeError);
    await assert.rejects(readTaskLog(store, 'logs/x/.cairn-logs/0.log', { maxBytes: 0 }), RangeError);
  });
});

describe('task keys', () => {
  test('a task is named by its path below the root DAG', () => {
    assert.equal(taskKeySegment('root/train'), 'train');
    assert.equal(taskKeySegment('root/for-loop-2/3/train'), 'for-loop-2.3.train');
    assert.equal(taskKeySegment('train'), 'train');
    const task = { pipelineName: 'hello', runId: 'r1', taskPath: 'root/condition-1/train' };
    assert.equal(taskOutputKey(task, 'model'), 'hello/r1/condition-1.train/model');
    assert.equal(taskLogKey(task, 2), 'hello/r1/condition-1.train/.cairn-logs/2.log');
  });

  test('names that cannot be key segments are refused', () => {
    const task = { pipelineName: '.cairn-tmp', runId: 'r1', taskPath: 'root/train' };
    assert.throws(
      () => taskOutputKey(task, 'model'),
      (error) => error instanceof CairnError && error.code === 'ARTIFACT_KEY_INVALID',
    );
    assert.throws(() => taskLogKey({ ...task, pipelineName: 'ok' }, -1), RangeError);
  });
});
