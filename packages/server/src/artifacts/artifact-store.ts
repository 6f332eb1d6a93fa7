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

/**
 * Writes of many objects made durable together (see `ArtifactStore.batch`). Each put is atomic as
 * `ArtifactStore.put` is, but may be lost in a crash until a `sync` that began after it resolved has
 * resolved: record an object as stored only after that.
 */
export interface ObjectBatch {
  put(key: string, body: ObjectBody): Promise<StoredObject>;
  /** Makes every object whose put resolved before this call durable. */
  sync(): Promise<void>;
}

/** An object found by `ArtifactStore.listWithBytes`: its bytes when it is small enough. */
export interface ListedObject {
  info: ObjectInfo;
  /** The object's bytes, `info.size` of them; absent for an object larger than asked for. */
  bytes?: Buffer;
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
  /**
   * What `list(prefix)` yields, each object with its bytes when it holds at most `maxBytes`: for reading a
   * whole store (a backup), where a store that reads an object in the same pass that lists it (the
   * filesystem store) saves the round trips of a listing then a `get` per object. A store without it:
   * use list and get.
   */
  listWithBytes?(prefix: string, maxBytes: number): AsyncIterable<ListedObject>;
  /**
   * A batch of writes synced together, for a store whose put pays for durability per object (the
   * filesystem store's fsyncs). A store without one has a put that is durable, and cheap enough, on
   * return (S3): use put.
   */
  batch?(): ObjectBatch;
  /** Removes the object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Releases connections and handles. */
  close(): Promise<void>;
}
