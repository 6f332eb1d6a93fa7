/**
 * Quarantine: where `verify --fix` moves objects nothing refers to, instead of deleting them. Each verify
 * moves its orphans under `quarantine/<UTC time>/<original key>` in the same store, so a person can look
 * at them, restore one by moving it back, or delete the lot once sure.
 *
 * A pipeline may be named "quarantine", but its objects' second segment is a run id (a UUID), never a
 * time such as `20260121T083015Z`, so the two cannot be confused.
 */
import { validateArtifactKey } from '../../artifacts/artifact-key.ts';
import type { ArtifactStore, ObjectInfo } from '../../artifacts/artifact-store.ts';
import { digestObject } from './stored-content.ts';

const QUARANTINED = /^quarantine\/\d{8}T\d{6}Z\//;

/** The prefix a verify started at `time` quarantines under, e.g. `quarantine/20260121T083015Z/`. */
export function quarantinePrefix(time: Date): string {
  const stamp = time
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `quarantine/${stamp}/`;
}

/** Whether the object is in quarantine already. */
export function isQuarantined(key: string): boolean {
  return QUARANTINED.test(key);
}

/**
 * Moves the object `listed` to `<prefix><key>` and returns the new key: it copies, reads the copy back
 * and deletes the original only when the copy holds the same bytes and the original is still the object
 * that was listed (same size and modification time), so an object rewritten meanwhile stays. Any failure
 * leaves the original where it was (and perhaps a copy too), and rejects.
 */
export async function quarantineObject(
  store: ArtifactStore,
  listed: ObjectInfo,
  prefix: string,
): Promise<string> {
  const { key } = listed;
  const target = validateArtifactKey(`${prefix}${key}`);
  const copied = await store.put(target, await store.get(key));
  const landed = await digestObject(store, target);
  if (landed?.sha256 !== copied.sha256 || landed.size !== copied.size) {
    throw new Error(`the copy at ${target} does not read back as the ${copied.size} bytes written`);
  }
  const now = await store.stat(key);
  if (
    now?.size !== listed.size ||
    wholeSeconds(now.lastModified) !== wholeSeconds(listed.lastModified) ||
    copied.size !== listed.size
  ) {
    throw new Error(`${key} changed while verify ran; it was left in place (a copy is at ${target})`);
  }
  await store.delete(key);
  return target;
}

/** S3 lists modification times to the millisecond but HEAD gives them to the second. */
function wholeSeconds(time: Date): number {
  return Math.floor(time.getTime() / 1000);
}
