import type { ArtifactStore } from '../../../artifacts/artifact-store.ts';
import { CairnError } from '../../../errors.ts';
import { logChunkOffset, logChunkPrefix } from './log-chunks.ts';

/** Bytes of a task's log from some offset on. */
export interface TaskLogSlice {
  readonly bytes: Buffer;
  /** Where the next read should start. */
  readonly nextOffset: number;
  /** The log is complete (the task has ended) and `nextOffset` is its end. */
  readonly complete: boolean;
}

export interface ReadTaskLogOptions {
  /** The byte offset to read from. Default 0. */
  offset?: number;
  /** At most this many bytes are returned. Default 1 MiB. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
/** A read races the writer's closing of the log at most this often before the complete log is there. */
const ATTEMPTS = 3;

interface Chunk {
  key: string;
  offset: number;
  size: number;
}

/**
 * Reads a task's log, complete or still growing, from `offset` on. To follow a running task, call it
 * again with `nextOffset` until `complete` is true; a log that does not exist yet reads as empty.
 * Works on the complete log object and on the chunks of a running task alike (see `log-chunks.ts`), and
 * a read that races the task's end is retried on the complete log.
 *
 * @example
 * let offset = 0;
 * for (;;) {
 *   const slice = await readTaskLog(store, result.logKey, { offset });
 *   process.stdout.write(slice.bytes);
 *   offset = slice.nextOffset;
 *   if (slice.complete) break;
 *   await sleep(1000);
 * }
 */
export async function readTaskLog(
  store: ArtifactStore,
  logKey: string,
  options: ReadTaskLogOptions = {},
): Promise<TaskLogSlice> {
  const offset = options.offset ?? 0;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new RangeError(`offset ${offset} is not a byte offset`);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
    throw new RangeError(`maxBytes ${maxBytes} is not positive`);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const complete = await store.stat(logKey);
    if (complete !== undefined) {
      if (offset >= complete.size) return { bytes: Buffer.alloc(0), nextOffset: offset, complete: true };
      const end = Math.min(complete.size, offset + maxBytes);
      const bytes = await readAll(store, logKey, offset, end - 1);
      return {
        bytes,
        nextOffset: offset + bytes.byteLength,
        complete: offset + bytes.byteLength >= complete.size,
      };
    }
    const chunks = await listChunks(store, logKey);
    if (chunks === undefined) continue;
    const bytes = await readChunks(store, chunks, offset, offset + maxBytes);
    if (bytes === undefined) continue;
    return { bytes, nextOffset: offset + bytes.byteLength, complete: false };
  }
  // Chunks kept disappearing while the complete log was never there: the log is being deleted.
  return { bytes: Buffer.alloc(0), nextOffset: offset, complete: false };
}

/** The log's chunks in order, or undefined when they do not run gap-free from 0 (the writer is deleting them). */
async function listChunks(store: ArtifactStore, logKey: string): Promise<Chunk[] | undefined> {
  const chunks: Chunk[] = [];
  for await (const object of store.list(logChunkPrefix(logKey))) {
    const offset = logChunkOffset(logKey, object.key);
    if (offset !== undefined) chunks.push({ key: object.key, offset, size: object.size });
  }
  let expected = 0;
  for (const chunk of chunks) {
    if (chunk.offset !== expected) return undefined;
    expected += chunk.size;
  }
  return chunks;
}

/** The bytes in [start, end) that the chunks hold, or undefined when a chunk vanished meanwhile. */
async function readChunks(
  store: ArtifactStore,
  chunks: readonly Chunk[],
  start: number,
  end: number,
): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  for (const chunk of chunks) {
    const chunkEnd = chunk.offset + chunk.size;
    if (chunkEnd <= start || chunk.offset >= end || chunk.size === 0) continue;
    const from = Math.max(start, chunk.offset) - chunk.offset;
    const to = Math.min(end, chunkEnd) - chunk.offset - 1;
    try {
      parts.push(await readAll(store, chunk.key, from, to));
    } catch (error) {
      if (error instanceof CairnError && error.code === 'ARTIFACT_NOT_FOUND') return undefined;
      throw error;
    }
  }
  return Buffer.concat(parts);
}

async function readAll(store: ArtifactStore, key: string, start: number, end: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of await store.get(key, { start, end })) {
    parts.push(typeof part === 'string' ? Buffer.from(part) : Buffer.from(part as Uint8Array));
  }
  return Buffer.concat(parts);
}
