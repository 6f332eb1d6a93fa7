import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  ArchiveReadError,
  ArchiveReader,
  TarFormatError,
} from '../../../src/lifecycle/backup/archive-reader.ts';
import { ArchiveWriter } from '../../../src/lifecycle/backup/archive-writer.ts';
import { scratchDir } from './support/test-stores.ts';

const ENTRIES: { path: string; body: Buffer }[] = [
  { path: 'manifest-first.json', body: Buffer.from('{"a":1}\n') },
  { path: `objects/${'long-segment/'.repeat(30)}end`, body: Buffer.from('a path of 392 bytes') },
  {
    path: `objects/${'a-segment-longer-than-a-ustar-name-'.repeat(4)}/x`,
    body: Buffer.from('one long segment'),
  },
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

async function readBack(file: string): Promise<Map<string, Buffer>> {
  const reader = await ArchiveReader.open(file);
  try {
    const bodies = new Map<string, Buffer>();
    for (const entry of reader.entries.values()) bodies.set(entry.path, await reader.readAll(entry));
    return bodies;
  } finally {
    await reader.close();
  }
}

describe('tar archives', () => {
  const scratch = scratchDir('cairn-tar-');
  after(() => scratch.remove());
  const file = path.join(scratch.dir, 'archive.tar');

  test('entries of unknown and of known size read back byte for byte, with their sizes and digests', async () => {
    const writer = await ArchiveWriter.create(file);
    for (const [index, entry] of ENTRIES.entries()) {
      const written =
        index % 2 === 0
          ? await writer.writeEntry(entry.path, chunked(entry.body))
          : await writer.writeSizedEntry(entry.path, entry.body.length, chunked(entry.body));
      assert.deepEqual(written, { size: entry.body.length, sha256: sha256(entry.body) }, entry.path);
    }
    const size = await writer.finish(false);
    assert.equal(size, statSync(file).size);
    assert.deepEqual(
      readdirSync(scratch.dir),
      ['archive.tar'],
      'the temporary file is gone once the archive is in place',
    );
    const bodies = await readBack(file);
    assert.deepEqual(
      [...bodies.keys()],
      ENTRIES.map((entry) => entry.path),
    );
    for (const entry of ENTRIES) assert.ok(bodies.get(entry.path)?.equals(entry.body), entry.path);
  });

  test('GNU tar lists and extracts the archive as written', () => {
    const listed = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trimEnd().split('\n');
    assert.deepEqual(
      listed,
      ENTRIES.map((entry) => entry.path),
    );
    const extracted = path.join(scratch.dir, 'extracted');
    mkdirSync(extracted);
    execFileSync('tar', ['-xf', file, '-C', extracted]);
    for (const entry of ENTRIES) {
      assert.ok(readFileSync(path.join(extracted, entry.path)).equals(entry.body), entry.path);
    }
  });

  test('an entry whose data is not of its stated size is cut or padded, and a later one replaces it', async () => {
    const changed = path.join(scratch.dir, 'changed.tar');
    const writer = await ArchiveWriter.create(changed);
    const longer = Buffer.alloc(3000, 'longer ');
    const shorter = Buffer.alloc(1000, 'shorter ');
    assert.equal(await writer.writeSizedEntry('objects/grew', 2000, chunked(longer)), undefined);
    assert.equal(await writer.writeSizedEntry('objects/shrank', 2000, chunked(shorter)), undefined);
    await writer.writeSizedEntry('objects/grew', longer.length, [longer]);
    await writer.writeSizedEntry('objects/shrank', shorter.length, [shorter]);
    await writer.finish(false);
    const bodies = await readBack(changed);
    assert.ok(bodies.get('objects/grew')?.equals(longer));
    assert.ok(bodies.get('objects/shrank')?.equals(shorter));
    const extracted = path.join(scratch.dir, 'changed');
    mkdirSync(extracted);
    execFileSync('tar', ['-xf', changed, '-C', extracted]);
    assert.ok(readFileSync(path.join(extracted, 'objects/grew')).equals(longer));
    assert.ok(readFileSync(path.join(extracted, 'objects/shrank')).equals(shorter));
  });

  test('an entry larger than the memory it is gathered in before writing goes through a file', async () => {
    const spilled = path.join(scratch.dir, 'spilled.tar');
    const writer = await ArchiveWriter.create(spilled);
    const block = Buffer.alloc(8 * 1024 * 1024, 'rows ');
    const blocks = function* () {
      for (let index = 0; index < 3; index++) yield block;
    };
    const written = await writer.writeEntry('metadata/big.jsonl', blocks());
    assert.equal(written.size, 3 * block.length);
    const hash = createHash('sha256');
    for (const chunk of blocks()) hash.update(chunk);
    assert.equal(written.sha256, hash.digest('hex'));
    await writer.finish(false);
    assert.deepEqual(
      readdirSync(scratch.dir).filter((name) => name.includes('spilled')),
      ['spilled.tar'],
    );
    const reader = await ArchiveReader.open(spilled);
    try {
      const entry = reader.entries.get('metadata/big.jsonl');
      assert.ok(entry);
      const readHash = createHash('sha256');
      for await (const chunk of reader.read(entry)) readHash.update(chunk);
      assert.equal(readHash.digest('hex'), written.sha256);
    } finally {
      await reader.close();
    }
  });

  test('an existing file is kept unless replacing is asked for', async () => {
    const writer = await ArchiveWriter.create(file);
    await writer.writeEntry('x', [Buffer.from('x')]);
    await assert.rejects(writer.finish(false), /already exists; choose another file, or pass --force/);
    assert.equal((await readBack(file)).size, ENTRIES.length);
  });

  test('an abandoned archive leaves no file behind', async () => {
    const abandoned = path.join(scratch.dir, 'abandoned.tar');
    const writer = await ArchiveWriter.create(abandoned);
    await writer.writeEntry('x', [Buffer.from('x')]);
    await writer.abort();
    assert.equal(
      readdirSync(scratch.dir).some((name) => name.includes('abandoned')),
      false,
    );
  });

  test('a truncated archive, or a file that is not one, is refused', async () => {
    const refused = async (bytes: Buffer, pattern: RegExp) => {
      const cut = path.join(scratch.dir, 'cut.tar');
      writeFileSync(cut, bytes);
      await assert.rejects(ArchiveReader.open(cut), (error) => {
        assert.ok(error instanceof TarFormatError, String(error));
        assert.match(error.message, pattern);
        return true;
      });
    };
    const whole = readFileSync(file);
    await refused(
      whole.subarray(0, whole.length - 2_000_000),
      /"objects\/large" needs 2500000 bytes .* the archive is truncated/,
    );
    // Cut just after the last entry's data: only the missing end-of-archive blocks tell.
    await refused(whole.subarray(0, whole.length - 1024), /without the blocks that end an archive/);
    await refused(whole.subarray(0, whole.length - 700), /inside an entry: the archive is truncated/);
    await refused(Buffer.from('not an archive\n'.repeat(100)), /block at byte 0 is not a tar header/);
    await refused(Buffer.from('tiny'), /shorter than one tar header/);
    await refused(Buffer.alloc(4096), /it holds no entries/);

    const shrunk = path.join(scratch.dir, 'shrunk.tar');
    writeFileSync(shrunk, whole);
    const reader = await ArchiveReader.open(shrunk);
    try {
      truncateSync(shrunk, 2048);
      const large = reader.entries.get('objects/large');
      assert.ok(large);
      await assert.rejects(reader.readAll(large), /it was truncated since/);
    } finally {
      await reader.close();
    }
  });

  test('a file that cannot be read is a read error naming it and the cause, not a format error', async () => {
    // A directory opens, and stats larger than a tar header, but every read fails (EISDIR). (A file of
    // mode 000 would not do: tests run as root, who reads it anyway.)
    const directory = path.join(scratch.dir, 'a-directory.tar');
    mkdirSync(directory);
    await assert.rejects(ArchiveReader.open(directory), (error) => {
      assert.ok(error instanceof ArchiveReadError, String(error));
      assert.equal(error.message, `cannot read ${directory}: EISDIR: illegal operation on a directory, read`);
      assert.equal((error.cause as NodeJS.ErrnoException).code, 'EISDIR');
      return true;
    });
    const missing = path.join(scratch.dir, 'missing.tar');
    await assert.rejects(ArchiveReader.open(missing), (error) => {
      assert.ok(error instanceof ArchiveReadError, String(error));
      assert.match(error.message, /^cannot read .*missing\.tar: ENOENT: no such file or directory/);
      return true;
    });
  });
});
