import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, link, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { CairnError, errorMessage } from '../../errors.ts';
import { BLOCK_SIZE, END_OF_ARCHIVE, entryHeaders, fileHeader, paddingAfter } from './tar-format.ts';

/** Bytes gathered before one write to the file: few system calls, little memory. */
const WRITE_BUFFER_BYTES = 1024 * 1024;

export interface WrittenEntry {
  size: number;
  sha256: string;
}

/**
 * Writes a tar archive to a file as a stream of entries whose sizes are learned only at their end (rows
 * as they are read, objects as they are downloaded): each entry's header is written with size 0 and
 * rewritten in place once its data is complete, so nothing is buffered or copied twice.
 *
 * The archive is written to a temporary file beside `file` and moved there only by `finish`, so an
 * interrupted backup never leaves a file that looks complete.
 */
export class TarWriter {
  readonly #file: string;
  readonly #temp: string;
  readonly #handle: FileHandle;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes already in the file. */
  #flushed = 0;

  private constructor(file: string, temp: string, handle: FileHandle) {
    this.#file = file;
    this.#temp = temp;
    this.#handle = handle;
  }

  static async create(file: string): Promise<TarWriter> {
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID().slice(0, 8)}.partial`);
    try {
      return new TarWriter(file, temp, await open(temp, 'wx'));
    } catch (error) {
      throw new CairnError('CONFIG_INVALID', `cannot write ${file}: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#flushed + this.#pendingBytes;
  }

  /** Appends a file entry with the given data, returning its size and SHA-256. */
  async writeEntry(
    entryPath: string,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<WrittenEntry> {
    const mtimeMs = Date.now();
    const headers = entryHeaders(entryPath, 0, mtimeMs);
    // The file header is the last block of `headers`; only it changes once the size is known.
    const headerOffset = this.size + headers.length - BLOCK_SIZE;
    await this.#push(headers);
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of chunks) {
      hash.update(chunk);
      size += chunk.byteLength;
      await this.#push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
    await this.#push(Buffer.alloc(paddingAfter(size)));
    await this.#rewrite(headerOffset, fileHeader(entryPath, size, mtimeMs));
    return { size, sha256: hash.digest('hex') };
  }

  /**
   * Ends the archive, makes it durable and moves it to its file: replacing a file there only with
   * `replace`, otherwise failing if one appeared meanwhile. Returns the archive's size in bytes.
   */
  async finish(replace: boolean): Promise<number> {
    await this.#push(END_OF_ARCHIVE);
    await this.#flush();
    await this.#handle.sync();
    await this.#handle.close();
    if (replace) {
      await rename(this.#temp, this.#file);
    } else {
      // link() fails if the name is taken, where rename() would silently replace the file.
      try {
        await link(this.#temp, this.#file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw fileExists(this.#file);
        throw error;
      }
      await rm(this.#temp);
    }
    await syncDirectory(path.dirname(this.#file));
    return this.#flushed;
  }

  /** Closes and removes the unfinished archive. */
  async abort(): Promise<void> {
    await this.#handle.close().catch(() => undefined);
    await rm(this.#temp, { force: true });
  }

  async #push(buffer: Buffer): Promise<void> {
    if (buffer.length === 0) return;
    this.#pending.push(buffer);
    this.#pendingBytes += buffer.length;
    if (this.#pendingBytes >= WRITE_BUFFER_BYTES) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    // Gathered writes: the buffers go to the file as they are, never copied into one.
    let buffers = this.#pending;
    let position = this.#flushed;
    while (buffers.length > 0) {
      const { bytesWritten } = await this.#handle.writev(buffers, position);
      position += bytesWritten;
      buffers = remainingAfter(buffers, bytesWritten);
    }
    this.#flushed = position;
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** Replaces the block at `offset`, whether it is still in the buffer or already in the file. */
  async #rewrite(offset: number, block: Buffer): Promise<void> {
    if (offset >= this.#flushed) {
      let start = this.#flushed;
      for (const buffer of this.#pending) {
        if (offset >= start && offset < start + buffer.length) {
          // Headers are pushed as one buffer, so the block lies within this one.
          block.copy(buffer, offset - start);
          return;
        }
        start += buffer.length;
      }
    }
    await this.#handle.write(block, 0, block.length, offset);
  }
}

/** What is left of `buffers` once their first `written` bytes are in the file. */
function remainingAfter(buffers: Buffer[], written: number): Buffer[] {
  let skip = written;
  let index = 0;
  while (index < buffers.length && skip >= (buffers[index] as Buffer).length) {
    skip -= (buffers[index] as Buffer).length;
    index++;
  }
  const rest = buffers.slice(index);
  if (skip > 0 && rest[0] !== undefined) rest[0] = rest[0].subarray(skip);
  return rest;
}

export function fileExists(file: string): CairnError {
  return new CairnError(
    'CONFIG_INVALID',
    `${file} already exists; choose another file, or pass --force to replace it`,
  );
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
