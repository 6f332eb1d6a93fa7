import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ArtifactStore, ObjectInfo, StoredObject } from '../../artifacts/artifact-store.ts';
import { toBytes } from '../../artifacts/object-bytes.ts';
import { CairnError } from '../../errors.ts';
import { compareKeys } from './key-order.ts';
import { moveFailed } from './move-errors.ts';
import type { MoveCheckpoint } from './move-marker.ts';

/**
 * Objects copied at once: each costs round trips (S3) or syncing a file and its directory (the filesystem
 * store), which take about as long for many objects side by side as for one.
 */
const CONCURRENT_OBJECTS = 16;
/** The watermark is saved at most this often; copying an object again after a crash is harmless. */
const SAVE_INTERVAL_MS = 1000;

export interface ObjectCopyEvent {
  kind: 'objects';
  objects: number;
  bytes: number;
}

interface Slot {
  readonly info: ObjectInfo;
  state: 'copying' | 'stored' | 'failed';
  /** Never rejects: a failure is kept in the copy's `failure`. */
  readonly settled: Promise<void>;
}

/**
 * Copies every object of `source` after the checkpoint's watermark into `target`, streaming each through
 * a SHA-256 and checking that the target stored the bytes read, of the size listed. The watermark moves
 * over the objects in listing order as each leading run of them is stored, and is saved at most once a
 * second (and at the end).
 */
export async function copyObjects(
  source: ArtifactStore,
  target: ArtifactStore,
  checkpoint: MoveCheckpoint,
  onProgress: (event: ObjectCopyEvent) => void,
): Promise<void> {
  const resumeAfter = checkpoint.progress.objects_after;
  const window: Slot[] = [];
  let failure: { error: unknown } | undefined;
  let mark = { after: resumeAfter, objects: checkpoint.progress.objects, bytes: checkpoint.progress.bytes };
  let savedAt = Date.now();
  const save = async () => {
    savedAt = Date.now();
    await checkpoint.advance({
      ...checkpoint.progress,
      objects_after: mark.after,
      objects: mark.objects,
      bytes: mark.bytes,
    });
    onProgress({ kind: 'objects', objects: mark.objects, bytes: mark.bytes });
  };
  /** Moves the watermark over the leading objects stored. */
  const settle = () => {
    while (window[0]?.state === 'stored') {
      const { info } = window.shift() as Slot;
      mark = { after: info.key, objects: mark.objects + 1, bytes: mark.bytes + info.size };
    }
  };
  const advance = async () => {
    settle();
    if (Date.now() - savedAt >= SAVE_INTERVAL_MS) await save();
  };
  try {
    for await (const info of source.list('')) {
      if (resumeAfter !== null && compareKeys(info.key, resumeAfter) <= 0) continue;
      // The window holds every object after the watermark; only those still copying count against the
      // limit, so one large object at its head does not hold up the others.
      for (;;) {
        const copying = window.filter((slot) => slot.state === 'copying');
        if (copying.length < CONCURRENT_OBJECTS || failure !== undefined) break;
        await Promise.race(copying.map((slot) => slot.settled));
        await advance();
      }
      if (failure !== undefined) break;
      const slot: Slot = {
        info,
        state: 'copying',
        settled: copyObject(source, target, info).then(
          () => {
            slot.state = 'stored';
          },
          (error: unknown) => {
            slot.state = 'failed';
            failure ??= { error };
          },
        ),
      };
      window.push(slot);
      await advance();
    }
  } finally {
    // Nothing is left running behind the caller, whatever stopped the listing.
    await Promise.all(window.map((slot) => slot.settled));
  }
  settle();
  if (failure !== undefined) {
    // The objects stored before the one that failed are kept for the rerun; the failure matters more.
    await save().catch(() => undefined);
    throw failure.error;
  }
  await save();
}

/** Streams one object from `source` into `target`, hashing it on the way. */
async function copyObject(source: ArtifactStore, target: ArtifactStore, info: ObjectInfo): Promise<void> {
  let body: Readable;
  try {
    body = await source.get(info.key);
  } catch (error) {
    if (error instanceof CairnError && error.code === 'ARTIFACT_NOT_FOUND') throw changedDuringMove(info.key);
    throw error;
  }
  const hash = createHash('sha256');
  let size = 0;
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of body) {
      const bytes = toBytes(chunk);
      hash.update(bytes);
      size += bytes.byteLength;
      yield bytes;
    }
  }
  let stored: StoredObject;
  try {
    stored = await target.put(info.key, hashed());
  } finally {
    // A store that failed before reading the body to its end leaves the source's stream open.
    body.destroy();
  }
  const sha256 = hash.digest('hex');
  if (size !== info.size) throw changedDuringMove(info.key, `listed with ${info.size} bytes, read ${size}`);
  if (stored.size !== size || stored.sha256 !== sha256) {
    throw moveFailed(
      `object ${JSON.stringify(info.key)} was read from the source as ${size} bytes with SHA-256 ${sha256}, but ` +
        `the target stored ${stored.size} bytes with SHA-256 ${stored.sha256}`,
    );
  }
}

function changedDuringMove(key: string, how = 'deleted after it was listed'): Error {
  return moveFailed(
    `object ${JSON.stringify(key)} of the source changed during the move (${how}): stop every Cairn ` +
      'process that uses the source, then run the move again',
  );
}
