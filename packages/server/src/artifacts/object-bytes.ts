/** Object bodies and byte ranges, handled the same way by every artifact store. */
import type { Hash } from 'node:crypto';
import { CairnError } from '../errors.ts';
import type { ByteRange, ObjectBody } from './artifact-store.ts';

export interface Digest {
  hash: Hash;
  size: number;
  /** Why reading the body failed, if it did. */
  bodyError?: unknown;
}

/** Yields `body` as bytes while adding them to `digest`, so the digest needs no second read. */
export async function* digestedChunks(body: ObjectBody, digest: Digest): AsyncGenerator<Uint8Array> {
  const chunks: Iterable<unknown> | AsyncIterable<unknown> =
    typeof body === 'string' || body instanceof Uint8Array ? [body] : body;
  try {
    for await (const chunk of chunks) {
      const bytes = toBytes(chunk);
      digest.hash.update(bytes);
      digest.size += bytes.byteLength;
      yield bytes;
    }
  } catch (error) {
    digest.bodyError = error;
    throw error;
  }
}

/** Readables may carry strings (after setEncoding); anything else is a caller's bug. */
export function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new TypeError(`a body chunk is ${typeof chunk}; expected Uint8Array or string chunks`);
}

/**
 * The ARTIFACT_RANGE_INVALID error for `range`, which does not lie within an object of `size` bytes.
 *
 * @param fallback the problem to report when `range` does lie within `size` bytes after all, which
 *   happens when the object changed between rejecting the range and reading its size.
 */
export function rangeInvalid(key: string, range: ByteRange, size: number, fallback?: string): CairnError {
  const problem = rangeProblem(range, size) ?? fallback;
  return new CairnError(
    'ARTIFACT_RANGE_INVALID',
    `byte range ${JSON.stringify(range)} of artifact ${JSON.stringify(key)} is invalid: ${problem}; ` +
      `expected integers 0 <= start <= end < ${size} (the object is ${size} bytes)`,
  );
}

export function rangeProblem({ start, end }: ByteRange, size: number): string | undefined {
  if (!Number.isSafeInteger(start) || start < 0) return 'start is not a non-negative integer';
  if (end !== undefined && !Number.isSafeInteger(end)) return 'end is not an integer';
  if (end !== undefined && start > end) return 'start is after end';
  if (start >= size) return 'start is at or after the end of the object';
  if (end !== undefined && end >= size) return 'end is after the last byte of the object';
  return undefined;
}
