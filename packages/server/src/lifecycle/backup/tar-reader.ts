import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { BLOCK_SIZE, paddingAfter, parseHeader, parsePaxRecords } from './tar-format.ts';

export interface TarEntry {
  readonly path: string;
  /** Where the entry's data starts in the file. */
  readonly offset: number;
  readonly size: number;
}

/** Headers are read through a window this large, so an archive of small files costs few reads. */
const WINDOW_BYTES = 1024 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;

/** Why a file is not a readable tar archive; the caller says what that means for a backup. */
export class TarFormatError extends Error {}

/**
 * A tar archive on disk, read by random access: its entries are indexed once (headers only, the data is
 * skipped), then any entry can be read on its own, in any order and more than once.
 */
export class TarReader {
  readonly entries: ReadonlyMap<string, TarEntry>;
  readonly #file: string;

  private constructor(file: string, entries: Map<string, TarEntry>) {
    this.#file = file;
    this.entries = entries;
  }

  /** Indexes the archive at `file`; rejects with TarFormatError when it is not a complete tar archive. */
  static async open(file: string): Promise<TarReader> {
    const handle = await open(file, 'r');
    try {
      return new TarReader(file, await indexEntries(handle, (await handle.stat()).size));
    } finally {
      await handle.close();
    }
  }

  /** The entry's data, in chunks of up to a megabyte. */
  async *read(entry: TarEntry): AsyncGenerator<Buffer> {
    if (entry.size === 0) return;
    const stream = createReadStream(this.#file, {
      start: entry.offset,
      end: entry.offset + entry.size - 1,
      highWaterMark: READ_CHUNK_BYTES,
    });
    for await (const chunk of stream) yield chunk as Buffer;
  }

  async readAll(entry: TarEntry): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.read(entry)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
}

async function indexEntries(handle: FileHandle, fileSize: number): Promise<Map<string, TarEntry>> {
  const reader = new WindowReader(handle, fileSize);
  const entries = new Map<string, TarEntry>();
  /** The next entry's path from a pax or GNU long-name entry before it. */
  let nextPath: string | undefined;
  let nextSize: number | undefined;
  let offset = 0;
  for (;;) {
    if (offset + BLOCK_SIZE > fileSize) {
      throw new TarFormatError(
        offset === 0
          ? `it is ${fileSize} bytes long, shorter than one tar header: it is not a tar archive`
          : `it ends at byte ${fileSize}, inside an entry: the archive is truncated`,
      );
    }
    const header = parseHeaderAt(await reader.read(offset, BLOCK_SIZE), offset);
    if (header === undefined) {
      if (entries.size === 0) throw new TarFormatError('it holds no entries');
      return entries;
    }
    const dataOffset = offset + BLOCK_SIZE;
    const size = header.type === 'x' || header.type === 'L' ? header.size : (nextSize ?? header.size);
    if (dataOffset + size > fileSize) {
      throw new TarFormatError(
        `entry ${JSON.stringify(nextPath ?? header.name)} needs ${size} bytes from byte ${dataOffset}, but the ` +
          `file ends at byte ${fileSize}: the archive is truncated`,
      );
    }
    if (header.type === 'x') {
      const records = parsePaxRecords(await reader.read(dataOffset, size));
      nextPath = records.get('path') ?? nextPath;
      const paxSize = records.get('size');
      if (paxSize !== undefined) nextSize = Number(paxSize);
    } else if (header.type === 'L') {
      nextPath = (await reader.read(dataOffset, size)).toString('utf8').replace(/\0+$/, '');
    } else {
      if (header.type === '0' || header.type === '\0') {
        const entryPath = nextPath ?? header.name;
        entries.set(entryPath, { path: entryPath, offset: dataOffset, size });
      }
      nextPath = undefined;
      nextSize = undefined;
    }
    offset = dataOffset + size + paddingAfter(size);
  }
}

function parseHeaderAt(block: Buffer, offset: number) {
  try {
    return parseHeader(block, offset);
  } catch (error) {
    throw new TarFormatError((error as Error).message);
  }
}

/** Reads small ranges of a file through a window, so neighbouring headers cost one read. */
class WindowReader {
  readonly #handle: FileHandle;
  readonly #fileSize: number;
  #window = Buffer.alloc(0);
  #windowStart = 0;

  constructor(handle: FileHandle, fileSize: number) {
    this.#handle = handle;
    this.#fileSize = fileSize;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const end = offset + length;
    if (offset < this.#windowStart || end > this.#windowStart + this.#window.length) {
      const size = Math.min(Math.max(length, WINDOW_BYTES), this.#fileSize - offset);
      const buffer = Buffer.alloc(size);
      const { bytesRead } = await this.#handle.read(buffer, 0, size, offset);
      this.#window = buffer.subarray(0, bytesRead);
      this.#windowStart = offset;
    }
    return this.#window.subarray(offset - this.#windowStart, end - this.#windowStart);
  }
}
