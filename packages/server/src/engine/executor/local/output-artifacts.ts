import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ArtifactTypePlan, JsonObject } from '@cairn/spec';
import type { ArtifactStore } from '../../../artifacts/artifact-store.ts';
import { errorMessage } from '../../../errors.ts';
import type { OutputArtifact } from '../task-executor.ts';
import { TaskFailure } from './task-failure.ts';

/** One output artifact, ready to store. */
export interface OutputToStore {
  readonly name: string;
  readonly storageKey: string;
  /** `<pipeline root>/<storage key>`. */
  readonly uri: string;
  readonly artifactType: ArtifactTypePlan;
  /** The local path the task was given (its `file://` URI in the ExecutorInput). */
  readonly localPath: string;
  /** The output definition's metadata. */
  readonly metadata: JsonObject;
  /** What the task's ExecutorOutput said about the artifact, if anything. */
  readonly reported?: { readonly uri?: string; readonly metadata?: JsonObject };
}

/**
 * Stores one output artifact from the path the task left it at: a file as one object at its key, a
 * directory as one object per file under `<key>/`, nothing as nothing (KFP allows artifacts that are only
 * metadata). Objects an earlier attempt stored there are removed first, so the key holds exactly this
 * attempt's output. The ExecutorOutput's metadata is merged into the definition's (its keys win, as in KFP's
 * launcher), and a `file://` URI it reports moves the artifact's local path; other URIs fail the task,
 * since the local executor stores outputs only in the artifact store.
 *
 * @example
 * const { artifact, warnings } = await storeOutputArtifact(store, output);
 */
export async function storeOutputArtifact(
  store: ArtifactStore,
  output: OutputToStore,
): Promise<{ artifact: OutputArtifact; warnings: string[] }> {
  const localPath = reportedPath(output) ?? output.localPath;
  const described = {
    name: output.name,
    uri: output.uri,
    storageKey: output.storageKey,
    ...(output.artifactType.schemaTitle === undefined
      ? {}
      : { schemaTitle: output.artifactType.schemaTitle }),
    ...(output.artifactType.schemaVersion === undefined
      ? {}
      : { schemaVersion: output.artifactType.schemaVersion }),
    metadata: { ...output.metadata, ...output.reported?.metadata },
  };
  try {
    const info = await stat(localPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    await removeStale(store, output.storageKey);
    if (info === undefined) return { artifact: { ...described, layout: 'none', size: 0 }, warnings: [] };
    if (info.isFile()) {
      const stored = await store.put(output.storageKey, createReadStream(localPath));
      return {
        artifact: { ...described, layout: 'file', size: stored.size, sha256: stored.sha256 },
        warnings: [],
      };
    }
    if (!info.isDirectory()) {
      throw new TaskFailure(`the task left something at ${localPath} that is neither a file nor a directory`);
    }
    const { files, skipped } = await filesBelow(localPath);
    const stored: { path: string; size: number; sha256: string }[] = [];
    for (const file of files) {
      const object = await store.put(
        `${output.storageKey}/${file}`,
        createReadStream(path.join(localPath, file)),
      );
      stored.push({ path: file, size: object.size, sha256: object.sha256 });
    }
    const manifest = stored.map((file) => `${file.sha256}  ${file.path}\n`).join('');
    return {
      artifact: {
        ...described,
        layout: 'directory',
        size: stored.reduce((sum, file) => sum + file.size, 0),
        sha256: createHash('sha256').update(manifest).digest('hex'),
        files: stored,
      },
      warnings: skipped.map(
        (file) =>
          `output artifact '${output.name}': skipped ${file}, which is neither a file nor a link to one`,
      ),
    };
  } catch (error) {
    if (error instanceof TaskFailure) throw error;
    throw new TaskFailure(`storing output artifact '${output.name}' failed: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

function reportedPath(output: OutputToStore): string | undefined {
  const uri = output.reported?.uri;
  if (uri === undefined || uri === pathToFileURL(output.localPath).href) return undefined;
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  throw new TaskFailure(
    `output artifact '${output.name}': the task reported the URI ${uri}, but the local executor stores ` +
      'outputs in the artifact store and can only upload local files (file:// URIs)',
  );
}

/** Deletes what an earlier attempt stored at the key or below it. */
async function removeStale(store: ArtifactStore, key: string): Promise<void> {
  const below: string[] = [];
  for await (const object of store.list(`${key}/`)) below.push(object.key);
  for (const stale of below) await store.delete(stale);
  await store.delete(key);
}

/**
 * The files below `root`, as `/`-separated relative paths sorted by their UTF-8 bytes (the order of the
 * store's keys), following links to files; anything else (links to directories, sockets, ...) is skipped.
 */
async function filesBelow(root: string): Promise<{ files: string[]; skipped: string[] }> {
  const files: string[] = [];
  const skipped: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(path.join(root, relative), { withFileTypes: true })) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) files.push(child);
      else if (
        entry.isSymbolicLink() &&
        (await stat(path.join(root, child)).catch(() => undefined))?.isFile()
      ) {
        files.push(child);
      } else skipped.push(child);
    }
  };
  await walk('');
  files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return { files, skipped };
}
