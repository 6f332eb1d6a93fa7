import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { extract } from 'tar-stream';
import { errorMessage } from '../../errors.ts';

export interface ArchiveEntry {
  readonly path: string;
  /** Where the entry's data starts in the file. */
  readonly offset: number;
  readonly size: number;
}

/**
 * What the scan does with an entry's data as it passes: a function given each chunk, or undefined to
 * skip the data.
 */
export type EntryVisitor = (entry: ArchiveEntry) => ((chunk: Buffer) => void) | undefined;

const BLOCK_SIZE = 512;
const READ_CHUNK_BYTES = 1024 * 1024;
/** tar-stream's error when its input ends inside a header or an entry's data. */
const UNEXPECTED_END = 'Unexpected end of data';

/** Why a file is not a readable tar archive; the caller says what that means for a backup. */
export class TarFormatError extends Error {}

/**
 * The file could not be read (EACCES, EISDIR, an I/O error): nothing is known of its format. The message
 * names the file and the cause.
 */
export class ArchiveReadError extends Error {
  constructor(file: string, cause: unknown) {
    super(`cannot read ${file}: ${errorMessage(cause)}`, { cause });
  }
}

/**
 * A tar archive on disk. Opening it reads it once from start to end with tar-stream, which checks every
 * header and finds where each entry's data lies (and hands the data of the entries the caller asks for
 * to it on the way); after that any entry can be read on its own, in any order and more than once.
 */
export class ArchiveReader {
  readonly entries: ReadonlyMap<string, ArchiveEntry>;
  readonly #file: string;
  readonly #handle: FileHandle;

  private constructor(file: string, handle: FileHandle, entries: Map<string, ArchiveEntry>) {
    this.#file = file;
    this.#handle = handle;
    this.entries = entries;
  }

  /**
   * Indexes the archive at `file`; rejects with TarFormatError when it is not a complete tar archive, and
   * with ArchiveReadError when it cannot be read.
   */
  static async open(file: string, visit?: EntryVisitor): Promise<ArchiveReader> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      throw new ArchiveReadError(file, error);
    }
    try {
      return new ArchiveReader(file, handle, await scan(file, (await handle.stat()).size, visit));
    } catch (error) {
      await handle.close();
      if (error instanceof TarFormatError || error instanceof ArchiveReadError) throw error;
      throw new ArchiveReadError(file, error);
    }
  }

  /** The entry's data, in chunks of up to a megabyte. */
  async *read(entry: ArchiveEntry): AsyncGenerator<Buffer> {
    for (let done = 0; done < entry.size; ) {
      const length = Math.min(READ_CHUNK_BYTES, entry.size - done);
      let read: { bytesRead: number; buffer: Buffer };
      try {
        read = await this.#handle.read(Buffer.allocUnsafe(length), 0, length, entry.offset + done);
      } catch (error) {
        throw new ArchiveReadError(this.#file, error);
      }
      const { bytesRead, buffer } = read;
      if (bytesRead === 0) {
        throw new TarFormatError(
          `it ends inside entry ${JSON.stringify(entry.path)}, which it held when opened: it was truncated since`,
        );
      }
      yield buffer.subarray(0, bytesRead);
      done += bytesRead;
    }
  }

  async readAll(entry: ArchiveEntry): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.read(entry)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

async function scan(
  file: string,
  fileSize: number,
  visit: EntryVisitor | undefined,
): Promise<Map<string, ArchiveEntry>> {
  if (fileSize < BLOCK_SIZE) {
    throw new TarFormatError(
      `it is ${fileSize} bytes long, shorter than one tar header: it is not a tar archive`,
    );
  }
  const entries = new Map<string, ArchiveEntry>();
  /** Where the next header starts: after the data of the last entry, padded to a whole block. */
  let next = 0;
  const parser = extract();
  const input = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  /** Why reading the file failed: not a fault of its format, whatever the parser makes of the stop. */
  let readFailure: { error: unknown } | undefined;
  // tar-stream's events rather than its async iterators: a promise less per entry, which in an archive
  // of many small objects is much of the time it takes.
  const scanned = new Promise<void>((resolve, reject) => {
    parser.on('entry', (header, data, nextEntry) => {
      // The entry fails with the parser, which reports the failure.
      data.on('error', () => undefined);
      // `data.offset` is where the entry's own header starts (after any pax header); its data follows it.
      const entry = { path: header.name, offset: data.offset + BLOCK_SIZE, size: header.size };
      if (entry.offset + entry.size > fileSize) {
        parser.destroy(
          new TarFormatError(
            `entry ${JSON.stringify(entry.path)} needs ${entry.size} bytes from byte ${entry.offset}, but ` +
              `the file ends at byte ${fileSize}: the archive is truncated`,
          ),
        );
        return;
      }
      next = entry.offset + entry.size + paddingAfter(entry.size);
      // Directories and links are not a backup's; a later entry of a path replaces an earlier one, as
      // tar -x does.
      const sink = header.type === 'file' ? visit?.(entry) : undefined;
      if (header.type === 'file') entries.set(entry.path, entry);
      data.on('data', (chunk) => sink?.(chunk as Buffer));
      data.on('end', () => nextEntry());
    });
    parser.on('finish', resolve);
    parser.on('error', reject);
    // After 'finish' or 'error' this changes nothing; alone, it means the scan was stopped.
    parser.on('close', () => reject(new Error('the archive stopped being read')));
    input.on('error', (error) => {
      readFailure = { error };
      parser.destroy(error);
    });
    input.pipe(parser);
  });
  try {
    await scanned;
  } catch (error) {
    input.destroy();
    if (readFailure !== undefined) throw new ArchiveReadError(file, readFailure.error);
    if (error instanceof TarFormatError) throw error;
    if (error instanceof Error && error.message === UNEXPECTED_END) throw truncated(fileSize);
    throw new TarFormatError(`the block at byte ${next} is not a tar header (${errorMessage(error)})`, {
      cause: error,
    });
  }
  if (entries.size === 0) throw new TarFormatError('it holds no entries');
  // The blocks that end an archive are what tells a whole archive from one cut just after an entry.
  if (next >= fileSize) {
    throw new TarFormatError(
      `it ends at byte ${fileSize}, without the blocks that end an archive: the archive is truncated`,
    );
  }
  return entries;
}

function truncated(fileSize: number): TarFormatError {
  return new TarFormatError(`it ends at byte ${fileSize}, inside an entry: the archive is truncated`);
}

function paddingAfter(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}
