import { createHash, randomUUID } from 'node:crypto';
import { closeSync, type Dirent, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { CairnError, errorMessage } from '../errors.ts';
import { RESERVED_SEGMENT_PREFIX, validateArtifactKey, validateKeyPrefix } from './artifact-key.ts';
import type {
  ArtifactStore,
  ByteRange,
  ListedObject,
  ObjectBatch,
  ObjectBody,
  ObjectInfo,
  StoredObject,
} from './artifact-store.ts';
import { digestedChunks, rangeInvalid, rangeProblem } from './object-bytes.ts';

/** Holds in-progress writes; on the store's file system so that finishing a write is a `rename`. */
const TEMP_DIR = '.cairn-tmp';
/** How often a write retries when a concurrent delete removes its freshly created parent directory. */
const MOVE_ATTEMPTS = 5;
/**
 * Children of a directory whose first round trip (a file's stat, a subdirectory's read) a listing starts
 * before it reaches them: the calls overlap instead of adding up, at most this many per directory level.
 */
const LIST_AHEAD = 16;
/** Files and directories a batch's sync makes durable at once: concurrent fsyncs share journal commits. */
const SYNC_CONCURRENCY = 64;
/** How long `listWithBytes` holds the thread with file-system calls before letting other work run. */
const BLOCKING_SLICE_MS = 10;

/**
 * An artifact store in a local directory, one file per object at `<root>/<key>`.
 *
 * Writes stream into `<root>/.cairn-tmp/`, are fsynced and then renamed into place, so readers see the
 * previous object or the new one, never a partial one. A directory cannot hold both an object `a` and
 * objects below `a/`; such a write fails with ARTIFACT_STORE_FAILED.
 */
export class FsArtifactStore implements ArtifactStore {
  readonly url: string;
  readonly #root: string;

  /** @param root the store's directory, created on the first write; relative paths resolve against cwd. */
  constructor(root: string) {
    this.#root = path.resolve(root);
    this.url = pathToFileURL(this.#root).href;
  }

  async put(key: string, body: ObjectBody): Promise<StoredObject> {
    const written = await this.#write(key, body, true);
    return written.stored;
  }

  /**
   * Writes whose fsyncs wait for the batch's `sync`: each write is atomic as a put's (written to a temp
   * file, renamed into place), but only a `sync` that began after it resolved makes it durable: the
   * file's data, its entry in its directory, and the entry of each directory the write created. A put
   * then costs no fsync of its own; a sync fsyncs each directory once however many objects it received,
   * and runs the fsyncs side by side, where they share the file system's journal commits.
   */
  batch(): ObjectBatch {
    /** Files written since the last sync began, and the directories whose entries lead to them. */
    let files = new Set<string>();
    let directories = new Set<string>();
    return {
      put: async (key, body) => {
        const written = await this.#write(key, body, false);
        files.add(written.file);
        for (const directory of written.directories) directories.add(directory);
        return written.stored;
      },
      sync: async () => {
        const synced = { files, directories };
        files = new Set();
        directories = new Set();
        await this.#syncAll(synced.files, synced.directories);
      },
    };
  }

  /**
   * Streams `body` into a temp file and renames it over `key`. With `durable`, the file is fsynced before
   * the rename and, after it, the directories whose entries changed (the file's own, and the parents of
   * any it had to create); without, they are returned for the caller to sync.
   */
  async #write(
    key: string,
    body: ObjectBody,
    durable: boolean,
  ): Promise<{ stored: StoredObject; file: string; directories: string[] }> {
    validateArtifactKey(key);
    const target = this.#pathOf(key);
    const tempFile = path.join(this.#root, TEMP_DIR, randomUUID());
    const digest = { hash: createHash('sha256'), size: 0 };
    let directories: string[];
    try {
      await this.#writeTemp(tempFile, digestedChunks(body, digest), durable);
      directories = await this.#moveIntoPlace(key, tempFile, target);
      if (durable) for (const directory of directories) await syncPath(directory);
    } catch (error) {
      await rm(tempFile, { force: true });
      if (error instanceof CairnError) throw error;
      throw this.#failed(`storing artifact ${JSON.stringify(key)}`, error);
    }
    return {
      stored: { key, size: digest.size, sha256: digest.hash.digest('hex') },
      file: target,
      directories,
    };
  }

  /**
   * Writes the chunks to a new temp file through its handle, a write per chunk: a small object costs an
   * open, a write and a close, where a write stream would add its own buffering and events.
   */
  async #writeTemp(tempFile: string, chunks: AsyncIterable<Uint8Array>, durable: boolean): Promise<void> {
    const handle = await this.#createTemp(tempFile);
    try {
      for await (const chunk of chunks) {
        for (let done = 0; done < chunk.byteLength; ) {
          const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done);
          done += bytesWritten;
        }
      }
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Creates the temp file, and the temp directory only when it is missing (the first write, or removed). */
  async #createTemp(tempFile: string): Promise<FileHandle> {
    try {
      return await open(tempFile, 'wx');
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      await mkdir(path.dirname(tempFile), { recursive: true });
      return await open(tempFile, 'wx');
    }
  }

  /**
   * Makes the files durable, and the directory entries that lead to them: fsync reaches a file's data
   * through any descriptor of it, so each is opened again for it. A file deleted since is skipped: there is
   * nothing of it to keep.
   */
  async #syncAll(files: Iterable<string>, directories: Iterable<string>): Promise<void> {
    const paths = [...files, ...directories];
    let next = 0;
    const lane = async () => {
      while (next < paths.length) {
        const item = paths[next++] as string;
        try {
          await syncPath(item);
        } catch (error) {
          if (isMissing(error)) continue;
          throw this.#failed(`syncing ${JSON.stringify(path.relative(this.#root, item))}`, error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SYNC_CONCURRENCY, paths.length) }, lane));
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    validateArtifactKey(key);
    const file = this.#pathOf(key);
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (isMissing(error)) throw this.#notFound(key);
      throw this.#failed(`reading artifact ${JSON.stringify(key)}`, error);
    }
    try {
      // Stat the open handle, not the path: a concurrent put may rename a new file over the path.
      const info = await handle.stat();
      if (!info.isFile()) throw this.#notFound(key);
      // Exactly the size stat'ed: a small object is then read in one read of its size, where an open end
      // would read in 64 KiB buffers until a last read finds the end. (An object is never changed in
      // place, only replaced by a rename, so the open file keeps this size.)
      if (range === undefined) {
        return info.size === 0
          ? handle.createReadStream()
          : handle.createReadStream({ start: 0, end: info.size - 1 });
      }
      const end = checkRange(key, range, info.size);
      return handle.createReadStream({ start: range.start, end });
    } catch (error) {
      await handle.close();
      if (error instanceof CairnError) throw error;
      throw this.#failed(`reading artifact ${JSON.stringify(key)}`, error);
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    validateArtifactKey(key);
    try {
      const info = await stat(this.#pathOf(key));
      return info.isFile() ? { key, size: info.size, lastModified: info.mtime } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw this.#failed(`reading the size of artifact ${JSON.stringify(key)}`, error);
    }
  }

  /**
   * A listing of the whole store (the empty prefix) is made with synchronous calls in slices, as
   * `listWithBytes` is: only the lifecycle tools (verify, backup, move, an upgrade's preflight) list it
   * all, in processes that do nothing else meanwhile, and there it is several times faster (a second for
   * 40,000 objects in 60,000 directories, where the calls as promises take six). The engine's and the
   * API's listings of a prefix stay asynchronous, so a slow file system never holds a server's thread.
   */
  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    validateKeyPrefix(prefix);
    if (prefix === '') {
      for await (const { info } of this.#walkSync('', (key) => this.#statListedSync(key))) yield info;
      return;
    }
    const slash = prefix.lastIndexOf('/');
    yield* this.#walk(prefix.slice(0, slash + 1), prefix.slice(slash + 1));
  }

  /**
   * Walks the tree as `list` does, with the file system's calls made synchronously: each object costs an
   * open, an fstat, a read and a close of a few microseconds, where as promises each call is a round trip
   * through libuv's thread pool costing tens of microseconds (the listing's stat and a get's calls
   * besides), which for a store of small objects is most of a backup's time. The thread is handed back to
   * other work every BLOCKING_SLICE_MS. An object is stat'ed on its open descriptor, so its size is the
   * size of the bytes read; one deleted since its directory was read is skipped, as `list` skips it.
   */
  async *listWithBytes(prefix: string, maxBytes: number): AsyncIterable<ListedObject> {
    validateKeyPrefix(prefix);
    yield* this.#walkSync(prefix, (key) => this.#readListed(key, maxBytes));
  }

  /**
   * Yields `visit` of each object under `prefix` in key order (those it returns undefined for, gone since
   * their directory was read, are skipped), with the directories read synchronously and the thread handed
   * back to other work every BLOCKING_SLICE_MS.
   */
  async *#walkSync<T>(prefix: string, visit: (key: string) => T | undefined): AsyncGenerator<T> {
    const slash = prefix.lastIndexOf('/');
    const directory = prefix.slice(0, slash + 1);
    const namePrefix = prefix.slice(slash + 1);
    let sliceStart = performance.now();
    const pending: { directory: string; children: Child[] }[] = [];
    const entries = this.#readDirectorySync(directory).filter(
      (entry) => entry.name.startsWith(namePrefix) && (directory !== '' || !isReserved(entry)),
    );
    // A stack of the directories under way, each with its children left, so the walk keeps key order.
    pending.push({ directory, children: sortedChildren(entries).reverse() });
    for (let top = pending.at(-1); top !== undefined; top = pending.at(-1)) {
      const child = top.children.pop();
      if (child === undefined) {
        pending.pop();
        continue;
      }
      const key = `${top.directory}${child.name}`;
      if (child.directory) {
        pending.push({
          directory: `${key}/`,
          children: sortedChildren(this.#readDirectorySync(`${key}/`)).reverse(),
        });
      } else {
        const visited = visit(key);
        if (visited !== undefined) yield visited;
      }
      if (performance.now() - sliceStart >= BLOCKING_SLICE_MS) {
        await nextTurn();
        sliceStart = performance.now();
      }
    }
  }

  /** Like `#statListed`, synchronously. */
  #statListedSync(key: string): ListedObject | undefined {
    try {
      const info = statSync(this.#pathOf(key), { throwIfNoEntry: false });
      return info === undefined ? undefined : { info: { key, size: info.size, lastModified: info.mtime } };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw this.#failed(`listing artifact ${JSON.stringify(key)}`, error);
    }
  }

  #readDirectorySync(directory: string): Dirent[] {
    try {
      return readdirSync(path.join(this.#root, directory), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw this.#failed(`listing artifacts under ${JSON.stringify(directory)}`, error);
    }
  }

  /** The object at `key` with its bytes up to `maxBytes`, or undefined when it is gone. */
  #readListed(key: string, maxBytes: number): ListedObject | undefined {
    let descriptor: number;
    try {
      descriptor = openSync(this.#pathOf(key), 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw this.#failed(`reading artifact ${JSON.stringify(key)}`, error);
    }
    try {
      const stats = fstatSync(descriptor);
      const info = { key, size: stats.size, lastModified: stats.mtime };
      if (stats.size > maxBytes) return { info };
      const bytes = Buffer.allocUnsafe(stats.size);
      for (let done = 0; done < stats.size; ) {
        const read = readSync(descriptor, bytes, done, stats.size - done, done);
        if (read === 0) throw new Error(`it ended at byte ${done} of the ${stats.size} its fstat gave`);
        done += read;
      }
      return { info, bytes };
    } catch (error) {
      throw this.#failed(`reading artifact ${JSON.stringify(key)}`, error);
    } finally {
      closeSync(descriptor);
    }
  }

  async delete(key: string): Promise<void> {
    validateArtifactKey(key);
    const file = this.#pathOf(key);
    try {
      await unlink(file);
    } catch (error) {
      if (isMissing(error)) return;
      // `key` may be only the directory of other keys; then there is no object to delete.
      if ((await stat(file).catch(() => undefined))?.isDirectory()) return;
      throw this.#failed(`deleting artifact ${JSON.stringify(key)}`, error);
    }
    await this.#removeEmptyParents(path.dirname(file));
  }

  async close(): Promise<void> {}

  #pathOf(key: string): string {
    return path.join(this.#root, ...key.split('/'));
  }

  /**
   * Yields the objects in `directory` (a key prefix ending with `/`, or '') whose names start with
   * `namePrefix`, and everything below matching subdirectories, in UTF-8 byte order of their keys.
   */
  async *#walk(directory: string, namePrefix: string): AsyncGenerator<ObjectInfo> {
    const entries = (await this.#readDirectory(directory)).filter(
      (entry) => entry.name.startsWith(namePrefix) && (directory !== '' || !isReserved(entry)),
    );
    yield* this.#walkChildren(directory, sortedChildren(entries));
  }

  /**
   * Yields the objects of sorted `children` and below them. Each child's stat or directory read starts up
   * to LIST_AHEAD children before its turn, so a listing costs about one round trip per LIST_AHEAD
   * objects instead of one per object.
   */
  async *#walkChildren(directory: string, children: Child[]): AsyncGenerator<ObjectInfo> {
    const ahead: Promise<Listed>[] = [];
    for (let index = 0; index < children.length; index++) {
      while (ahead.length < Math.min(children.length, index + LIST_AHEAD)) {
        const started = this.#startChild(directory, children[ahead.length] as Child);
        // Awaited in turn; one the walk never reaches (it stopped early) must not count as unhandled.
        started.catch(() => undefined);
        ahead.push(started);
      }
      const listed = await (ahead[index] as Promise<Listed>);
      if (listed.kind === 'object') {
        if (listed.info !== undefined) yield listed.info;
      } else {
        yield* this.#walkChildren(listed.directory, listed.children);
      }
    }
  }

  async #startChild(directory: string, child: Child): Promise<Listed> {
    const key = `${directory}${child.name}`;
    if (!child.directory) return { kind: 'object', info: await this.#statListed(key) };
    const below = `${key}/`;
    return {
      kind: 'directory',
      directory: below,
      children: sortedChildren(await this.#readDirectory(below)),
    };
  }

  async #readDirectory(directory: string): Promise<Dirent[]> {
    try {
      return await readdir(path.join(this.#root, directory), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw this.#failed(`listing artifacts under ${JSON.stringify(directory)}`, error);
    }
  }

  /** Like stat(), for a key found by listing that a concurrent delete may have removed since. */
  async #statListed(key: string): Promise<ObjectInfo | undefined> {
    try {
      const info = await stat(this.#pathOf(key));
      return { key, size: info.size, lastModified: info.mtime };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw this.#failed(`listing artifact ${JSON.stringify(key)}`, error);
    }
  }

  /**
   * Renames the temp file to `target`, creating its directory first; returns the directories whose
   * entries changed: the target's own, and the parent of each directory it created.
   */
  async #moveIntoPlace(key: string, tempFile: string, target: string): Promise<string[]> {
    const directory = path.dirname(target);
    let created: string | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const made = await mkdir(directory, { recursive: true });
        if (made !== undefined && (created === undefined || made.length < created.length)) created = made;
        await rename(tempFile, target);
        break;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ENOTDIR' || code === 'EEXIST') throw await this.#conflictBelowObject(key, error);
        if (code === 'EISDIR') throw this.#conflictAboveObjects(key, error);
        if (code !== 'ENOENT' || attempt === MOVE_ATTEMPTS) throw error;
      }
    }
    const changed = [directory];
    if (created !== undefined) {
      for (let current = directory; current !== path.dirname(created); current = path.dirname(current)) {
        changed.push(path.dirname(current));
      }
    }
    return changed;
  }

  async #conflictBelowObject(key: string, cause: unknown): Promise<CairnError> {
    const segments = key.split('/');
    let blocking = segments[0] ?? key;
    for (let count = 1; count < segments.length; count++) {
      const ancestor = segments.slice(0, count).join('/');
      const info = await stat(this.#pathOf(ancestor)).catch(() => undefined);
      if (info?.isFile()) {
        blocking = ancestor;
        break;
      }
    }
    const problem =
      `an object exists at ${JSON.stringify(blocking)}, and a file-system store cannot hold both an object ` +
      'and keys below it; expected a key that does not extend the key of an existing object';
    return this.#failed(`storing artifact ${JSON.stringify(key)}`, cause, problem);
  }

  #conflictAboveObjects(key: string, cause: unknown): CairnError {
    const problem =
      `objects exist below ${JSON.stringify(`${key}/`)}, and a file-system store cannot hold both an object ` +
      'and keys below it; expected a key that does not name a directory of existing objects';
    return this.#failed(`storing artifact ${JSON.stringify(key)}`, cause, problem);
  }

  async #removeEmptyParents(directory: string): Promise<void> {
    for (let current = directory; current !== this.#root; current = path.dirname(current)) {
      try {
        await rmdir(current);
      } catch {
        // Not empty (or already gone, or taken by a concurrent put): the directories above are in use too.
        return;
      }
    }
  }

  #notFound(key: string): CairnError {
    return new CairnError('ARTIFACT_NOT_FOUND', `artifact ${JSON.stringify(key)} not found in ${this.url}`);
  }

  /** @param problem what went wrong, when the cause's own message would not say it clearly. */
  #failed(action: string, cause: unknown, problem = errorMessage(cause)): CairnError {
    return new CairnError('ARTIFACT_STORE_FAILED', `${action} in ${this.url} failed: ${problem}`, { cause });
  }
}

/**
 * Returns the inclusive end of `range`, or throws ARTIFACT_RANGE_INVALID when `range` does not lie within
 * an object of `size` bytes.
 */
function checkRange(key: string, range: ByteRange, size: number): number {
  if (rangeProblem(range, size) !== undefined) throw rangeInvalid(key, range, size);
  return range.end ?? size - 1;
}

/** fsync of a file or a directory, opened read-only (which fsync accepts on either). */
async function syncPath(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A directory entry a listing descends into or reports. */
interface Child {
  readonly name: string;
  readonly directory: boolean;
}

/** A child once its first round trip is done: an object's info (undefined if gone), or a directory's children. */
type Listed =
  | { kind: 'object'; info: ObjectInfo | undefined }
  | { kind: 'directory'; directory: string; children: Child[] };

/**
 * The files and subdirectories among `entries` in UTF-8 byte order of their keys (anything else, such as a
 * socket, is not an object). A directory sorts as its name plus "/", the prefix every key inside it shares.
 */
function sortedChildren(entries: Dirent[]): Child[] {
  return entries
    .filter((entry) => entry.isFile() || entry.isDirectory())
    .map((entry) => ({
      child: { name: entry.name, directory: entry.isDirectory() },
      sortKey: Buffer.from(entry.isDirectory() ? `${entry.name}/` : entry.name),
    }))
    .sort((a, b) => Buffer.compare(a.sortKey, b.sortKey))
    .map(({ child }) => child);
}

/** The root's reserved names (the temp directory among them) hold no objects. */
function isReserved(entry: Dirent): boolean {
  return entry.name.toLowerCase().startsWith(RESERVED_SEGMENT_PREFIX);
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** ENOTDIR: a parent of the path is an object, so nothing can exist below it. */
function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}
