import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, link, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Pack, pack } from 'tar-stream';
import { CairnError, errorMessage } from '../../errors.ts';

/** Archive bytes gathered before one write to the file: few system calls, little memory. */
const WRITE_BYTES = 1024 * 1024;
/**
 * Archive bytes the packer holds while a write is under way, so that packing the next entries overlaps
 * with writing the last ones.
 */
const PACK_AHEAD_BYTES = 4 * WRITE_BYTES;
/**
 * Bytes written between syncs started in the background. The kernel would otherwise keep the whole
 * archive in memory until the final sync, which would then wait for all of it to reach the disk; synced
 * along the way, the disk writes while the backup reads.
 */
const SYNC_EVERY_BYTES = 64 * 1024 * 1024;
/** An entry of unknown size (the manifest) is kept in memory up to this, then in a file. */
const SPOOL_MEMORY_BYTES = 16 * 1024 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;
/** What pads an entry whose data ended short. */
const ZEROS = Buffer.alloc(READ_CHUNK_BYTES);

export interface WrittenEntry {
  size: number;
  sha256: string;
}

type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
/** What takes an entry's data. */
type EntrySink = ReturnType<Pack['entry']>;

/**
 * Writes a tar archive (tar-stream's ustar with pax headers for the names ustar cannot hold, which GNU tar
 * and bsdtar read) to a file: large gathered writes, synced to the disk as it grows.
 *
 * The archive is written to a temporary file beside `file` and moved there only by `finish`, so an
 * interrupted backup never leaves a file that looks complete.
 */
export class ArchiveWriter {
  readonly #file: string;
  readonly #temp: string;
  readonly #handle: FileHandle;
  readonly #pack = pack({ highWaterMark: PACK_AHEAD_BYTES });
  /** Moves the packer's output into the file; rejects with the first failure to write. */
  readonly #draining: Promise<void>;
  #written = 0;
  #unsynced = 0;
  #syncing: Promise<void> = Promise.resolve();

  private constructor(file: string, temp: string, handle: FileHandle) {
    this.#file = file;
    this.#temp = temp;
    this.#handle = handle;
    this.#draining = this.#drain();
    // A failed write stops the packer, which fails the entry being written; finish rethrows the failure.
    this.#draining.catch((error: unknown) => this.#pack.destroy(error as Error));
  }

  static async create(file: string): Promise<ArchiveWriter> {
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID().slice(0, 8)}.partial`);
    try {
      return new ArchiveWriter(file, temp, await open(temp, 'wx'));
    } catch (error) {
      throw new CairnError('CONFIG_INVALID', `cannot write ${file}: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }

  /**
   * Appends an entry whose size is learned only at its end and which must stay one entry (the manifest):
   * its bytes are gathered first, since a tar header carries the size, in memory or, past
   * SPOOL_MEMORY_BYTES, in a file. (A table's file is cut into parts of known size instead, see
   * `metadata-parts.ts`.)
   */
  async writeEntry(entryPath: string, chunks: Chunks): Promise<WrittenEntry> {
    const spool = new Spool(`${this.#temp}.spool`);
    try {
      for await (const chunk of chunks) await spool.add(chunk);
      const bytes = spool.bytes();
      return bytes === undefined
        ? await this.#writeData(entryPath, spool.size, spool.chunks())
        : await this.writeBytes(entryPath, bytes);
    } finally {
      await spool.dispose();
    }
  }

  /** Appends an entry of bytes already in memory (a small object). */
  async writeBytes(entryPath: string, data: Buffer): Promise<WrittenEntry> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    await this.appendBytes(entryPath, data);
    return { size: data.length, sha256 };
  }

  /** Appends an entry of bytes whose digest the caller keeps (a part of a table's file). */
  appendBytes(entryPath: string, data: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pack.entry({ name: entryPath, size: data.length }, data, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }

  /**
   * Appends an entry of `size` bytes (an object, at the size its store listed), streaming `chunks` into
   * it. When they hold another number of bytes (the object was replaced after it was listed), the entry
   * is cut or padded to `size` to keep the archive whole, and undefined is returned: the caller writes the
   * object again as a later entry of the same path, which replaces this one for any reader.
   */
  async writeSizedEntry(entryPath: string, size: number, chunks: Chunks): Promise<WrittenEntry | undefined> {
    const written = await this.#writeData(entryPath, size, chunks);
    return written.size === size ? written : undefined;
  }

  /**
   * Ends the archive, makes it durable and moves it to its file: replacing a file there only with
   * `replace`, otherwise failing if one appeared meanwhile. Returns the archive's size in bytes.
   */
  async finish(replace: boolean): Promise<number> {
    this.#pack.finalize();
    await this.#draining;
    await this.#syncing;
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
    return this.#written;
  }

  /** Closes and removes the unfinished archive. */
  async abort(): Promise<void> {
    this.#pack.destroy();
    await this.#draining.catch(() => undefined);
    await this.#syncing.catch(() => undefined);
    await this.#handle.close().catch(() => undefined);
    await rm(this.#temp, { force: true });
  }

  /**
   * Writes an entry of `size` bytes from `chunks`, hashing them as they pass; returns the number of bytes
   * `chunks` held, which differs from `size` when the entry was cut or padded.
   */
  async #writeData(entryPath: string, size: number, chunks: Chunks): Promise<WrittenEntry> {
    const hash = createHash('sha256');
    let read = 0;
    let sink!: EntrySink;
    const done = new Promise<void>((resolve, reject) => {
      sink = this.#pack.entry({ name: entryPath, size }, (error) => (error ? reject(error) : resolve()));
    });
    // Awaited below; until then a failure (the packer stopped) must not count as unhandled.
    done.catch(() => undefined);
    const write = async (bytes: Uint8Array) => {
      if (!sink.write(bytes)) await drained(sink);
    };
    for await (const chunk of chunks) {
      // A stopped packer fails the entry: `done` says why.
      if (sink.destroyed) break;
      hash.update(chunk);
      const room = size - read;
      read += chunk.byteLength;
      if (room > 0) await write(chunk.byteLength <= room ? chunk : chunk.subarray(0, room));
    }
    for (let missing = size - read; missing > 0 && !sink.destroyed; missing -= ZEROS.length) {
      await write(missing >= ZEROS.length ? ZEROS : ZEROS.subarray(0, missing));
    }
    // streamx types `end` as taking data; undefined is "none".
    sink.end(undefined);
    await done;
    return { size: read, sha256: hash.digest('hex') };
  }

  async #drain(): Promise<void> {
    let pending: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of this.#pack) {
      // The packer's output is the headers and data it was given: Buffers.
      pending.push(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      if (bytes >= WRITE_BYTES) {
        await this.#write(pending, bytes);
        pending = [];
        bytes = 0;
      }
    }
    await this.#write(pending, bytes);
  }

  async #write(buffers: Buffer[], bytes: number): Promise<void> {
    if (bytes === 0) return;
    const { bytesWritten } = await this.#handle.writev(buffers, this.#written);
    if (bytesWritten !== bytes) throw new Error(`wrote ${bytesWritten} of ${bytes} bytes to ${this.#temp}`);
    this.#written += bytes;
    this.#unsynced += bytes;
    if (this.#unsynced >= SYNC_EVERY_BYTES) {
      // One sync at a time, each started without waiting for it: the writes go on meanwhile.
      const previous = this.#syncing;
      this.#unsynced = 0;
      this.#syncing = previous.then(() => this.#handle.datasync());
      this.#syncing.catch(() => undefined);
    }
  }
}

/** Resolves when `sink` can take more bytes, or once it is closed (its failure then surfaces elsewhere). */
function drained(sink: EntrySink): Promise<void> {
  return new Promise((resolve) => {
    if (sink.destroyed) {
      resolve();
      return;
    }
    const settle = () => {
      sink.off('drain', settle);
      sink.off('close', settle);
      resolve();
    };
    sink.on('drain', settle);
    sink.on('close', settle);
  });
}

/** An entry's bytes, held until they are all known. */
class Spool {
  readonly #file: string;
  #chunks: Uint8Array[] = [];
  #handle: FileHandle | undefined;
  size = 0;

  constructor(file: string) {
    this.#file = file;
  }

  async add(chunk: Uint8Array): Promise<void> {
    if (this.#handle === undefined && this.size + chunk.byteLength > SPOOL_MEMORY_BYTES) {
      this.#handle = await open(this.#file, 'wx+');
      await this.#handle.writev(this.#chunks.map(asBuffer));
      this.#chunks = [];
    }
    if (this.#handle === undefined) this.#chunks.push(chunk);
    else await this.#handle.write(chunk, 0, chunk.byteLength, this.size);
    this.size += chunk.byteLength;
  }

  /** The bytes, when they are all in memory. */
  bytes(): Buffer | undefined {
    if (this.#handle !== undefined) return undefined;
    return this.#chunks.length === 1 ? asBuffer(this.#chunks[0] as Uint8Array) : Buffer.concat(this.#chunks);
  }

  /** The bytes from the file they spilled to. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    if (this.#handle === undefined) throw new Error('the spool is in memory; take its bytes()');
    for (let offset = 0; offset < this.size; ) {
      const length = Math.min(READ_CHUNK_BYTES, this.size - offset);
      const { bytesRead, buffer } = await this.#handle.read(Buffer.allocUnsafe(length), 0, length, offset);
      if (bytesRead === 0) throw new Error(`${this.#file} ended at byte ${offset} of ${this.size}`);
      yield buffer.subarray(0, bytesRead);
      offset += bytesRead;
    }
  }

  async dispose(): Promise<void> {
    this.#chunks = [];
    if (this.#handle === undefined) return;
    await this.#handle.close();
    await rm(this.#file, { force: true });
  }
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
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
