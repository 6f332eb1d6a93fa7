import type { ArtifactStore, ObjectInfo } from '../../artifacts/artifact-store.ts';
import { forEachConcurrently } from '../verify/for-each-concurrently.ts';
import { digestObject } from '../verify/stored-content.ts';
import { compareKeys } from './key-order.ts';

/** Objects read at once on each side: enough to hide a remote store's latency. */
const CONCURRENT_OBJECTS = 8;
/** Differences named in the result; the rest are counted. */
const DIFFERENCES_KEPT = 20;
/** Progress is reported after this many objects. */
const PROGRESS_EVERY = 1000;

export interface ObjectComparison {
  /** Objects in both stores, compared. */
  readonly compared: number;
  readonly bytes: number;
  /** Whether their bytes were read and hashed (otherwise sizes were compared). */
  readonly hashed: boolean;
  /** How many objects differ, or are in only one of the stores. */
  readonly differing: number;
  /** The first few of them, each as a sentence. */
  readonly differences: readonly string[];
}

interface Pair {
  readonly key: string;
  readonly source: ObjectInfo | undefined;
  readonly target: ObjectInfo | undefined;
}

/**
 * Compares the two stores object by object: both listings are walked side by side (both list in key
 * order), every key must be in both with the same size, and unless `hash` is off every object is read on
 * both sides and their SHA-256 digests compared.
 */
export async function compareObjects(
  source: ArtifactStore,
  target: ArtifactStore,
  hash: boolean,
  onProgress: (compared: number) => void,
): Promise<ObjectComparison> {
  const differences: string[] = [];
  let differing = 0;
  let compared = 0;
  let bytes = 0;
  const differ = (why: string) => {
    differing++;
    if (differences.length < DIFFERENCES_KEPT) differences.push(why);
  };
  await forEachConcurrently(pairs(source.list(''), target.list('')), CONCURRENT_OBJECTS, async (pair) => {
    const name = JSON.stringify(pair.key);
    if (pair.source === undefined) return differ(`${name} is in the target but not in the source`);
    if (pair.target === undefined) return differ(`${name} is in the source but not in the target`);
    compared++;
    if (compared % PROGRESS_EVERY === 0) onProgress(compared);
    bytes += pair.source.size;
    if (pair.source.size !== pair.target.size) {
      return differ(`${name} has ${pair.source.size} bytes in the source, ${pair.target.size} in the target`);
    }
    if (!hash) return;
    const [inSource, inTarget] = await Promise.all([
      digestObject(source, pair.key),
      digestObject(target, pair.key),
    ]);
    if (inSource?.sha256 !== inTarget?.sha256 || inSource?.size !== inTarget?.size) {
      differ(
        `${name} differs: SHA-256 ${inSource?.sha256 ?? '(gone)'} in the source, ` +
          `${inTarget?.sha256 ?? '(gone)'} in the target`,
      );
    }
  });
  return { compared, bytes, hashed: hash, differing, differences };
}

/** The union of two key-ordered listings, as pairs of the same key. */
async function* pairs(
  sourceListing: AsyncIterable<ObjectInfo>,
  targetListing: AsyncIterable<ObjectInfo>,
): AsyncGenerator<Pair> {
  const sources = sourceListing[Symbol.asyncIterator]();
  const targets = targetListing[Symbol.asyncIterator]();
  const next = async (listing: AsyncIterator<ObjectInfo>) => {
    const item = await listing.next();
    return item.done === true ? undefined : item.value;
  };
  try {
    let source = await next(sources);
    let target = await next(targets);
    while (source !== undefined || target !== undefined) {
      const order =
        source === undefined ? 1 : target === undefined ? -1 : compareKeys(source.key, target.key);
      const key = (order <= 0 ? source?.key : target?.key) as string;
      yield { key, source: order <= 0 ? source : undefined, target: order >= 0 ? target : undefined };
      if (order <= 0) source = await next(sources);
      if (order >= 0) target = await next(targets);
    }
  } finally {
    await sources.return?.();
    await targets.return?.();
  }
}
