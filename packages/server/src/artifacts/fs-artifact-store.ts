import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, type Dirent } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { CairnError, errorMessage } from '../errors.ts';
import { RESERVED_SEGMENT_PREFIX, validateArtifactKey, validateKeyPrefix } from './artifact-key.ts';
import type { ArtifactStore, ByteRange, ObjectBody, ObjectInfo, StoredObject } from './artifact-store.ts';
import { digestedChunks, rangeInvalid, rangeProblem } from './object-bytes.ts';

/** Holds in-progress writes; on the store's file system so that finishing a write is a `rename`. */
const TEMP_DIR = '.cairn-tmp';
/** How often a write retries when a concurrent delete removes its freshly created parent directory. */
const MOVE_ATTEMPTS = 5;

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
    validateArtifactKey(key);
    const target = this.#pathOf(key);
    const tempDir = path.join(this.#root, TEMP_DIR);
    const tempFile = path.join(tempDir, randomUUID());
    const digest = { hash: createHash('sha256'), size: 0 };
    try {
      await mkdir(tempDir, { recursive: true });
      await pipeline(digestedChunks(body, digest), createWriteStream(tempFile, { flags: 'wx', flush: true }));
      await this.#moveIntoPlace(key, tempFile, target);
      await syncDirectory(path.dirname(target));
    } catch (error) {
      await rm(tempFile, { force: true });
      if (error instanceof CairnError) throw error;
      throw this.#failed(`storing artifact ${JSON.stringify(key)}`, error);
    }
    return { key, size: digest.size, sha256: digest.hash.digest('hex') };
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
      if (range === undefined) return handle.createReadStream();
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

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    validateKeyPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    yield* this.#walk(prefix.slice(0, slash + 1), prefix.slice(slash + 1));
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
    const entries = await this.#readDirectory(directory);
    const children = entries
      .filter((entry) => entry.name.startsWith(namePrefix) && (entry.isFile() || entry.isDirectory()))
      .filter((entry) => directory !== '' || !entry.name.toLowerCase().startsWith(RESERVED_SEGMENT_PREFIX))
      // A directory sorts as its name plus "/", the prefix every key inside it shares.
      .map((entry) => ({ entry, sortKey: Buffer.from(entry.isDirectory() ? `${entry.name}/` : entry.name) }))
      .sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
    for (const { entry } of children) {
      const key = `${directory}${entry.name}`;
      if (entry.isDirectory()) {
        yield* this.#walk(`${key}/`, '');
        continue;
      }
      const info = await this.#statListed(key);
      if (info !== undefined) yield info;
    }
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

  async #moveIntoPlace(key: string, tempFile: string, target: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(path.dirname(target), { recursive: true });
        await rename(tempFile, target);
        return;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ENOTDIR' || code === 'EEXIST') throw await this.#conflictBelowObject(key, error);
        if (code === 'EISDIR') throw this.#conflictAboveObjects(key, error);
        if (code !== 'ENOENT' || attempt === MOVE_ATTEMPTS) throw error;
      }
    }
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

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** ENOTDIR: a parent of the path is an object, so nothing can exist below it. */
function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}
