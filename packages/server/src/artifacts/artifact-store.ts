import type { Readable } from 'node:stream';

/** What a completed write stored: the digest is computed while streaming, never by re-reading. */
export interface StoredObject {
  key: string;
  size: number;
  sha256: string;
}

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`; `end` omitted means to the last byte. */
export interface ByteRange {
  start: number;
  end?: number;
}

export type ObjectBody = Readable | AsyncIterable<Uint8Array> | Uint8Array | string;

/**
 * Cairn's artifact store: pipeline packages, task outputs, logs and metrics.
 *
 * Keys are relative to the store's root (the pipeline root) and use `/` separators;
 * see `artifact-key.ts` for the rules. A write is atomic: until `put` resolves, readers see
 * either the previous object or nothing, never a partial one.
 *
 * @example
 * const stored = await store.put('hello/run-1/train/model', createReadStream('model.bin'));
 * const body = await store.get(stored.key, { start: 0, end: 1023 });
 */
export interface ArtifactStore {
  /** The store's location as a URL (`file:///...` or `s3://bucket/prefix`), without credentials. */
  readonly url: string;
  /** Streams `body` into `key`, replacing any object there. */
  put(key: string, body: ObjectBody): Promise<StoredObject>;
  /** Streams the object (or a byte range of it). Rejects with ARTIFACT_NOT_FOUND or ARTIFACT_RANGE_INVALID. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Size and modification time, or undefined when there is no object at `key`. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with `prefix`, in lexicographic key order. */
  list(prefix?: string): AsyncIterable<ObjectInfo>;
  /** Removes the object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Releases connections and handles. */
  close(): Promise<void>;
}
