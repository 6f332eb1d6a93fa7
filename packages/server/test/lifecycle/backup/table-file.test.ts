// A table's file is cut into parts of whole lines, each at least the part size, and hashed whole.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { TableFile } from '../../../src/lifecycle/backup/metadata-parts.ts';

/** The parts `chunks` make at `partBytes`, as text, and the file's summary. */
function cut(chunks: readonly string[], partBytes: number) {
  const file = new TableFile(partBytes);
  const parts: [number, string][] = [];
  for (const chunk of chunks) {
    for (const { part, data } of file.add(Buffer.from(chunk))) parts.push([part, data.toString()]);
  }
  const last = file.end();
  if (last !== undefined) parts.push([last.part, last.data.toString()]);
  return { parts, summary: file.summary() };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test('a part ends at the first line end once it holds the part size, wherever the chunks end', () => {
  const chunks = ['aaaa\n', 'bb\n', 'cccccc\n', 'd\n', 'eeeeeeeeeeee\n'];
  const { parts, summary } = cut(chunks, 8);
  assert.deepEqual(parts, [
    [1, 'aaaa\nbb\n'],
    [2, 'cccccc\nd\n'],
    [3, 'eeeeeeeeeeee\n'],
  ]);
  assert.deepEqual(summary, { bytes: chunks.join('').length, sha256: sha256(chunks.join('')), parts: 3 });
});

test('one chunk makes as many parts as it holds', () => {
  assert.deepEqual(cut(['one\ntwo\nthree\n'], 4).parts, [
    [1, 'one\n'],
    [2, 'two\n'],
    [3, 'three\n'],
  ]);
});

test('a line longer than a part makes its part longer, across chunks', () => {
  assert.deepEqual(cut(['abcdefghij', 'klm\nn\n'], 4).parts, [
    [1, 'abcdefghijklm\n'],
    [2, 'n\n'],
  ]);
});

test('what is left after the last full part is the last part; an empty file is one empty part', () => {
  assert.deepEqual(cut(['aaaa\nb\n'], 4).parts, [
    [1, 'aaaa\n'],
    [2, 'b\n'],
  ]);
  const empty = cut([], 4);
  assert.deepEqual(empty.parts, [[1, '']]);
  assert.deepEqual(empty.summary, { bytes: 0, sha256: sha256(''), parts: 1 });
});
