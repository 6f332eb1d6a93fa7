import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileHeader, parseHeader } from '../../../src/lifecycle/backup/tar-format.ts';
import { TarFormatError, TarReader } from '../../../src/lifecycle/backup/tar-reader.ts';
import { TarWriter } from '../../../src/lifecycle/backup/tar-writer.ts';
import { scratchDir } from './support/test-stores.ts';

const ENTRIES: { path: string; body: Buffer }[] = [
  { path: 'manifest-first.json', body: Buffer.from('{"a":1}\n') },
  { path: `objects/${'long-segment/'.repeat(30)}end`, body: Buffer.from('a path of 392 bytes') },
  { path: 'objects/ünïcödé/🪨/données', body: Buffer.from('non-ASCII path') },
  { path: 'objects/empty', body: Buffer.alloc(0) },
  { path: 'objects/exactly-one-block', body: Buffer.alloc(512, 7) },
  { path: 'objects/large', body: Buffer.alloc(2_500_000, 'large object ') },
];

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Splits a body into uneven chunks, as a download delivers it. */
function* chunked(body: Buffer): Generator<Buffer> {
  for (let offset = 0, size = 1; offset < body.length; offset += size, size = (size * 7) % 100_003) {
    yield body.subarray(offset, offset + size);
  }
}

describe('tar archives', () => {
  const scratch = scratchDir('cairn-tar-');
  after(() => scratch.remove());
  const file = path.join(scratch.dir, 'archive.tar');

  test('entries written as streams read back byte for byte, with their sizes and digests', async () => {
    const writer = await TarWriter.create(file);
    for (const entry of ENTRIES) {
      const written = await writer.writeEntry(entry.path, chunked(entry.body));
      assert.deepEqual(written, { size: entry.body.length, sha256: sha256(entry.body) }, entry.path);
    }
    const size = await writer.finish(false);
    assert.equal(size, statSync(file).size);
    assert.deepEqual(
      readdirSync(scratch.dir),
      ['archive.tar'],
      'the temporary file is gone once the archive is in place',
    );

    const reader = await TarReader.open(file);
    assert.deepEqual(
      [...reader.entries.keys()],
      ENTRIES.map((entry) => entry.path),
    );
    for (const entry of ENTRIES) {
      const stored = reader.entries.get(entry.path);
      assert.ok(stored);
      assert.ok((await reader.readAll(stored)).equals(entry.body), entry.path);
    }
  });

  test('GNU tar lists and extracts the archive as written', () => {
    const listed = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trimEnd().split('\n');
    assert.deepEqual(
      listed,
      ENTRIES.map((entry) => entry.path),
    );
    const extracted = path.join(scratch.dir, 'extracted');
    execFileSync('mkdir', [extracted]);
    execFileSync('tar', ['-xf', file, '-C', extracted]);
    for (const entry of ENTRIES) {
      assert.ok(readFileSync(path.join(extracted, entry.path)).equals(entry.body), entry.path);
    }
  });

  test('an existing file is kept unless replacing is asked for', async () => {
    const writer = await TarWriter.create(file);
    await writer.writeEntry('x', [Buffer.from('x')]);
    await assert.rejects(writer.finish(false), /already exists; choose another file, or pass --force/);
    assert.equal((await TarReader.open(file)).entries.size, ENTRIES.length);
  });

  test('sizes past 8 GiB use the base-256 size field', () => {
    const size = 3 * 2 ** 33 + 5;
    assert.equal(parseHeader(fileHeader('big', size, Date.now()), 0)?.size, size);
  });

  test('a truncated archive, or a file that is not one, is refused', async () => {
    const cut = path.join(scratch.dir, 'cut.tar');
    writeFileSync(cut, readFileSync(file));
    truncateSync(cut, statSync(cut).size - 2_000_000);
    await assert.rejects(TarReader.open(cut), (error) => {
      assert.ok(error instanceof TarFormatError);
      assert.match(error.message, /"objects\/large" needs 2500000 bytes .* the archive is truncated/);
      return true;
    });
    const text = path.join(scratch.dir, 'notes.txt');
    writeFileSync(text, 'not an archive\n'.repeat(100));
    await assert.rejects(TarReader.open(text), /block at byte 0 is not a tar header/);
  });
});
