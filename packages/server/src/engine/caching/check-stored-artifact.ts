import { validateArtifactKey } from '../../artifacts/artifact-key.ts';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import { ARTIFACT_LIVE } from '../lineage/lineage-vocabulary.ts';

/** An artifact row's facts that say where its content is and what was stored. */
export interface RecordedArtifact {
  uri: string;
  state: string;
  contentSha256: string | null;
  sizeBytes: number | null;
}

export type StoredArtifactCheck =
  | { storageKey?: string; problem?: undefined }
  | { storageKey?: undefined; problem: string };

/**
 * The artifact's key in `store`: its URI is `<store URL>/<key>` (see `taskOutputKey`). Undefined for a
 * URI elsewhere (an imported artifact, another pipeline root).
 */
export function keyInStore(store: ArtifactStore, uri: string): string | undefined {
  const root = `${store.url.replace(/\/+$/, '')}/`;
  if (!uri.startsWith(root)) return undefined;
  try {
    return validateArtifactKey(uri.slice(root.length));
  } catch {
    return undefined;
  }
}

/**
 * Whether what Cairn stored for an artifact is still in `store`, as it was recorded: one object at its key
 * with the recorded size (a file), or objects below `<key>/` whose sizes add up to it (a directory; an
 * empty directory cannot be told from a lost file, so it counts as lost). Content is not re-hashed: that
 * would read every byte. An artifact for which nothing was stored (no content digest: metadata only, or
 * imported from elsewhere) has nothing to check. Store failures (ARTIFACT_STORE_FAILED) are thrown, not
 * reported as problems: an unreachable store says nothing about whether the objects exist.
 */
export async function checkStoredArtifact(
  store: ArtifactStore,
  artifact: RecordedArtifact,
): Promise<StoredArtifactCheck> {
  if (artifact.state !== ARTIFACT_LIVE) return { problem: `the artifact's state is ${artifact.state}` };
  const storageKey = keyInStore(store, artifact.uri);
  if (artifact.contentSha256 === null) return storageKey === undefined ? {} : { storageKey };
  if (storageKey === undefined) return { problem: `its URI is not in the artifact store ${store.url}` };
  const expected = artifact.sizeBytes;
  const sizeProblem = (size: number, what: string) =>
    expected !== null && size !== expected
      ? { problem: `${what} ${size} bytes, but ${expected} were recorded` }
      : { storageKey };
  const file = await store.stat(storageKey);
  if (file) return sizeProblem(file.size, `the object at ${storageKey} has`);
  let count = 0;
  let total = 0;
  for await (const object of store.list(`${storageKey}/`)) {
    count++;
    total += object.size;
  }
  if (count === 0) return { problem: `there is no object at ${storageKey} or below it` };
  return sizeProblem(total, `the ${count} objects below ${storageKey}/ hold`);
}
