import { createHash } from 'node:crypto';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import { toBytes } from '../../artifacts/object-bytes.ts';
import { CairnError } from '../../errors.ts';

/** What one object holds now, read back from the store. */
export interface ObjectDigest {
  size: number;
  sha256: string;
}

/** Reads the whole object and hashes it; undefined when it is gone (deleted since it was listed, say). */
export async function digestObject(store: ArtifactStore, key: string): Promise<ObjectDigest | undefined> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of await store.get(key)) {
      const bytes = toBytes(chunk);
      hash.update(bytes);
      size += bytes.byteLength;
    }
  } catch (error) {
    if (error instanceof CairnError && error.code === 'ARTIFACT_NOT_FOUND') return undefined;
    throw error;
  }
  return { size, sha256: hash.digest('hex') };
}

/** What is stored for an artifact, in the form its row records it. */
export interface StoredContent {
  /** One object at the key, or objects below `<key>/` (an output that was a directory). */
  layout: 'file' | 'directory';
  /** The object's size, or the sum of the directory's. */
  size: number;
  /** The object's SHA-256, or that of the directory's manifest; absent when not hashed. */
  sha256?: string;
  objects: number;
  bytesHashed: number;
}

/**
 * Reads what the store holds for an artifact at `key`, as the executor recorded it when it stored it
 * (`storeOutputArtifact`): a file's size and SHA-256, or for a directory the total size and the SHA-256 of
 * its manifest, a line `<sha256>  <relative path>` per file in key order. Without `hash`, only sizes are
 * read (from the store's listing, not the bytes). Undefined when nothing is there.
 */
export async function readStoredContent(
  store: ArtifactStore,
  key: string,
  hash: boolean,
): Promise<StoredContent | undefined> {
  const file = await store.stat(key);
  if (file !== undefined) {
    if (!hash) return { layout: 'file', size: file.size, objects: 1, bytesHashed: 0 };
    const digest = await digestObject(store, key);
    if (digest === undefined) return undefined;
    return { layout: 'file', ...digest, objects: 1, bytesHashed: digest.size };
  }
  const prefix = `${key}/`;
  let manifest = '';
  let size = 0;
  let objects = 0;
  for await (const object of store.list(prefix)) {
    objects++;
    if (!hash) {
      size += object.size;
      continue;
    }
    // A file deleted between the listing and the read counts as absent: the manifest then differs.
    const digest = await digestObject(store, object.key);
    if (digest === undefined) continue;
    size += digest.size;
    manifest += `${digest.sha256}  ${object.key.slice(prefix.length)}\n`;
  }
  if (objects === 0) return undefined;
  return {
    layout: 'directory',
    size,
    ...(hash ? { sha256: createHash('sha256').update(manifest).digest('hex') } : {}),
    objects,
    bytesHashed: hash ? size : 0,
  };
}
