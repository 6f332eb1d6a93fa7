import path from 'node:path';
import { validateArtifactKey } from '../artifacts/artifact-key.ts';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import type { ArtifactRecord } from '../catalog/artifacts.ts';
import { keyInStore } from '../engine/caching/check-stored-artifact.ts';
import { CairnError, errorMessage } from '../errors.ts';
import { ApiError, GRPC } from './api-errors.ts';

/** One object of the artifact store that a download sends. */
export interface ArtifactObject {
  readonly key: string;
  readonly size: number;
  /** For `Content-Disposition`. */
  readonly fileName: string;
  readonly contentType: string;
}

/** Artifact types whose single file has a known media type (KFP's visualizations). */
const TYPE_MEDIA: Record<string, string> = {
  'system.HTML': 'text/html',
  'system.Markdown': 'text/markdown',
};

const EXTENSION_MEDIA: Record<string, string> = {
  '.csv': 'text/csv',
  '.gz': 'application/gzip',
  '.html': 'text/html',
  '.jpeg': 'image/jpeg',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
  '.md': 'text/markdown',
  '.png': 'image/png',
  '.tar': 'application/x-tar',
  '.txt': 'text/plain',
  '.zip': 'application/zip',
};

const OCTET_STREAM = 'application/octet-stream';
/** A directory's error names this many of its files. */
const LISTED_FILES = 5;

/**
 * The object a download of the artifact sends: the artifact's own file, or with `file`, one file of an
 * artifact that is a directory. Throws a 404 when nothing is stored there, and a 400 that says what to
 * ask for instead when the artifact is outside Cairn's store or is a directory asked for whole.
 */
export async function locateArtifactObject(
  store: ArtifactStore,
  artifact: ArtifactRecord,
  file: string | undefined,
): Promise<ArtifactObject> {
  const key = keyInStore(store, artifact.uri);
  if (key === undefined) {
    throw new ApiError(
      GRPC.FAILED_PRECONDITION,
      `artifact ${artifact.id} is at ${artifact.uri}, outside the artifact store ${store.url}; ` +
        'Cairn serves only the content it stored, so read it from where its URI says',
    );
  }
  if (file !== undefined) return fileOfDirectory(store, artifact, key, file);
  const info = await store.stat(key);
  if (info !== undefined) {
    const contentType = TYPE_MEDIA[artifact.type] ?? mediaOf(key);
    return { key, size: info.size, fileName: path.posix.basename(key), contentType };
  }
  const files = await someFiles(store, key);
  if (files.length > 0) {
    const shown = files.slice(0, LISTED_FILES).join(', ');
    throw new ApiError(
      GRPC.FAILED_PRECONDITION,
      `artifact ${artifact.id} is a directory (${shown}${files.length > LISTED_FILES ? ', ...' : ''}); ` +
        `download one of its files with path, e.g. path=${encodeURIComponent(files[0] ?? '')}`,
    );
  }
  const why =
    artifact.contentSha256 === null
      ? `nothing was stored for it (a ${artifact.type} artifact that is only metadata)`
      : 'its content has been removed from the store';
  throw new CairnError(
    'ARTIFACT_NOT_FOUND',
    `artifact ${artifact.id} has no content to download: there is no object at ${key} in the artifact ` +
      `store ${store.url}; ${why}`,
  );
}

async function fileOfDirectory(
  store: ArtifactStore,
  artifact: ArtifactRecord,
  directoryKey: string,
  file: string,
): Promise<ArtifactObject> {
  let key: string;
  try {
    key = validateArtifactKey(`${directoryKey}/${file}`);
  } catch (error) {
    throw new ApiError(
      GRPC.INVALID_ARGUMENT,
      `path ${JSON.stringify(file)} cannot name a file of artifact ${artifact.id}: ${errorMessage(error)}`,
    );
  }
  const info = await store.stat(key);
  if (info === undefined) {
    const whole = await store.stat(directoryKey);
    throw whole === undefined
      ? new CairnError(
          'ARTIFACT_NOT_FOUND',
          `artifact ${artifact.id} has no file ${JSON.stringify(file)}: there is no object at ${key}`,
        )
      : new ApiError(
          GRPC.INVALID_ARGUMENT,
          `artifact ${artifact.id} is one file, not a directory; download it without path (got path ${JSON.stringify(file)})`,
        );
  }
  return { key, size: info.size, fileName: path.posix.basename(key), contentType: mediaOf(key) };
}

/** The first few files below the key, relative to it: enough to say what a directory holds. */
async function someFiles(store: ArtifactStore, key: string): Promise<string[]> {
  const files: string[] = [];
  for await (const object of store.list(`${key}/`)) {
    files.push(object.key.slice(key.length + 1));
    if (files.length > LISTED_FILES) break;
  }
  return files;
}

function mediaOf(key: string): string {
  return EXTENSION_MEDIA[path.posix.extname(key).toLowerCase()] ?? OCTET_STREAM;
}

/**
 * `attachment`, so that a browser saves an artifact (HTML included) rather than render it on the API's
 * origin, with the name in ASCII for old clients and in UTF-8 (RFC 6266, RFC 8187) for the others.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(fileName)}`;
}

function encodeRfc8187(text: string): string {
  return encodeURIComponent(text).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
