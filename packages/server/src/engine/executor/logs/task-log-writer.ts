import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { type Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ArtifactStore, StoredObject } from '../../../artifacts/artifact-store.ts';
import { errorMessage } from '../../../errors.ts';
import { logChunkKey, logChunkOffset, logChunkPrefix } from './log-chunks.ts';

export interface TaskLogWriterOptions {
  /** Pending bytes are stored at least this often, in milliseconds. Default 1000. */
  flushIntervalMs?: number;
  /** A chunk is stored as soon as this many bytes are pending. Default 1 MiB. */
  chunkBytes?: number;
}

const DEFAULT_FLUSH_INTERVAL_MS = 1000;
const DEFAULT_CHUNK_BYTES = 1024 * 1024;
/**
 * A log up to this size is also kept in memory and stored from there when it is closed: most tasks print
 * little, and reading their spool back cost three more file operations each.
 */
const IN_MEMORY_BYTES = 1024 * 1024;

/**
 * A task's log on its way into the artifact store: a Writable that the process's output streams are
 * copied into (`follow`), with lines of Cairn's own in between (`note`).
 *
 * Bytes go to a local spool file as they arrive and, every `flushIntervalMs` or `chunkBytes`, to a new
 * chunk object that readers can follow (see `log-chunks.ts`). Closing the writer stores the spool file (a
 * short log from the copy kept in memory, which holds the same bytes) as the complete log at the log key
 * and deletes the chunks. The spool, not the chunks, is the source of the complete log, so a chunk that
 * could not be stored never leaves a hole in it: after the first failed chunk the writer stops storing
 * chunks (readers then see the log stall until the task ends) and reports it in `warnings`. A writer that has `chunkBytes` pending waits for the chunk to be stored before taking
 * more, which slows a task that prints faster than the store takes it instead of buffering without bound.
 *
 * @example
 * const log = await TaskLogWriter.open(store, logKey, path.join(taskDir, 'log'));
 * await Promise.all([log.follow(child.stdout), log.follow(child.stderr)]);
 * log.note('the command exited with code 1');
 * const stored = await log.close();
 */
export class TaskLogWriter extends Writable {
  readonly #store: ArtifactStore;
  readonly #key: string;
  readonly #spoolPath: string;
  readonly #spool: FileHandle;
  readonly #flushIntervalMs: number;
  readonly #chunkBytes: number;
  readonly #warnings: string[] = [];
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes already stored as chunks: the offset of the next chunk. */
  #chunkedBytes = 0;
  /** Whether chunks are still being stored: until one fails, or the log is closed. */
  #live = true;
  #spoolFailed = false;
  #flushing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stored: StoredObject | undefined;
  #atLineStart = true;
  /** The whole log so far, while it is at most IN_MEMORY_BYTES long. */
  #inMemory: Buffer[] | undefined = [];
  #inMemoryBytes = 0;

  /** Opens (truncates) the spool file at `spoolPath` and returns a writer for the log at `key`. */
  static async open(
    store: ArtifactStore,
    key: string,
    spoolPath: string,
    options: TaskLogWriterOptions = {},
  ): Promise<TaskLogWriter> {
    const spool = await open(spoolPath, 'w');
    return new TaskLogWriter(store, key, spoolPath, spool, options);
  }

  private constructor(
    store: ArtifactStore,
    key: string,
    spoolPath: string,
    spool: FileHandle,
    options: TaskLogWriterOptions,
  ) {
    super();
    this.#store = store;
    this.#key = key;
    this.#spoolPath = spoolPath;
    this.#spool = spool;
    this.#flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.#chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  }

  /** The log's key in the artifact store. */
  get key(): string {
    return this.#key;
  }

  /** What went wrong without stopping the log: chunks or the spool that could not be written. */
  get warnings(): readonly string[] {
    return this.#warnings;
  }

  /**
   * Copies `stream` into the log as it arrives, pausing it while the log is behind; resolves when the
   * stream closes. Several streams can be followed at once: their bytes interleave in arrival order.
   */
  follow(stream: Readable): Promise<void> {
    return new Promise((resolve) => {
      stream.on('data', (chunk: Buffer) => {
        if (!this.#push(chunk)) {
          stream.pause();
          this.once('drain', () => stream.resume());
        }
      });
      // A read error ends the stream like a close: the log keeps what arrived.
      stream.on('error', () => {});
      stream.once('close', resolve);
    });
  }

  /** Adds a line of Cairn's own to the log (`[cairn] ...`), on a line of its own. */
  note(line: string): void {
    this.#push(Buffer.from(`${this.#atLineStart ? '' : '\n'}[cairn] ${line}\n`));
  }

  /** Ends the log, stores it complete at its key, deletes the chunks and returns what was stored. */
  async close(): Promise<StoredObject> {
    this.end();
    await finished(this);
    if (this.#stored === undefined) throw new Error(`the log ${JSON.stringify(this.#key)} was not stored`);
    return this.#stored;
  }

  #push(chunk: Buffer): boolean {
    if (chunk.byteLength > 0) this.#atLineStart = chunk[chunk.byteLength - 1] === 0x0a;
    return this.write(chunk);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#append(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#finish().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#timer);
    this.#spool.close().then(
      () => callback(error),
      () => callback(error),
    );
  }

  async #append(chunk: Buffer): Promise<void> {
    if (this.#inMemory !== undefined) {
      this.#inMemoryBytes += chunk.byteLength;
      if (this.#inMemoryBytes > IN_MEMORY_BYTES) this.#inMemory = undefined;
      else this.#inMemory.push(chunk);
    }
    if (!this.#spoolFailed) {
      try {
        await this.#spool.write(chunk);
      } catch (error) {
        this.#spoolFailed = true;
        this.#warnings.push(
          `writing the local copy of the log failed, so the stored log is incomplete: ${errorMessage(error)}`,
        );
      }
    }
    if (!this.#live) return;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.byteLength;
    if (this.#pendingBytes >= this.#chunkBytes) {
      await this.#flush();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.#flush();
      }, this.#flushIntervalMs);
    }
  }

  /** Stores the pending bytes as the next chunk, after any chunk already being stored; never rejects. */
  #flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#storeChunk());
    return this.#flushing;
  }

  async #storeChunk(): Promise<void> {
    if (this.#pendingBytes === 0 || !this.#live) return;
    const bytes = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    try {
      await this.#store.put(logChunkKey(this.#key, this.#chunkedBytes), bytes);
      this.#chunkedBytes += bytes.byteLength;
    } catch (error) {
      this.#live = false;
      this.#pending = [];
      this.#warnings.push(
        `storing a chunk of the running log failed, so the log could not be followed: ${errorMessage(error)}`,
      );
    }
  }

  async #finish(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Pending bytes need no last chunk: the complete log, which holds them, replaces the chunks.
    this.#live = false;
    await this.#flushing;
    await this.#spool.close();
    // Stored as the spool holds it (a spool that failed holds less, as its warning says).
    const whole =
      this.#inMemory === undefined || this.#spoolFailed
        ? createReadStream(this.#spoolPath)
        : Buffer.concat(this.#inMemory);
    this.#stored = await this.#store.put(this.#key, whole);
    await this.#deleteChunks();
  }

  async #deleteChunks(): Promise<void> {
    try {
      const keys: string[] = [];
      for await (const object of this.#store.list(logChunkPrefix(this.#key))) {
        if (logChunkOffset(this.#key, object.key) !== undefined) keys.push(object.key);
      }
      // In key order, so that a reader who meets a sequence not starting at 0 knows to read the complete log.
      for (const key of keys) await this.#store.delete(key);
    } catch (error) {
      this.#warnings.push(`deleting the chunks of the stored log failed: ${errorMessage(error)}`);
    }
  }
}
