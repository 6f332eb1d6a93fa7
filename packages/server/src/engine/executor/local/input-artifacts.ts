import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { ArtifactStore } from '../../../artifacts/artifact-store.ts';
import { errorMessage } from '../../../errors.ts';
import type { InputArtifact } from '../task-executor.ts';
import type { LocalInputArtifact } from './executor-input.ts';
import { pathSegment } from './task-directory.ts';
import { TaskFailure } from './task-failure.ts';

/**
 * Downloads the task's input artifacts from the artifact store into `directory`, each at
 * `<input>/<index>/<last key segment>`: one object becomes a file, the objects under `<key>/` a directory.
 * As with KFP's launcher, an artifact with no object at all (one that is only metadata) gets no file. An
 * artifact outside the store is read in place when its URI is a `file://` URI and fails the task
 * otherwise, since a local process cannot reach it.
 *
 * @example
 * const inputs = await downloadInputArtifacts(store, task.inputArtifacts, directory.inputs);
 */
export async function downloadInputArtifacts(
  store: ArtifactStore,
  artifacts: Readonly<Record<string, readonly InputArtifact[]>>,
  directory: string,
): Promise<Record<string, LocalInputArtifact[]>> {
  const local: Record<string, LocalInputArtifact[]> = {};
  for (const [name, list] of Object.entries(artifacts)) {
    const folder = path.join(directory, pathSegment('input artifact name', name));
    local[name] = [];
    for (const [index, artifact] of list.entries()) {
      local[name].push({
        artifact,
        path: await download(store, name, artifact, path.join(folder, String(index))),
      });
    }
  }
  return local;
}

async function download(
  store: ArtifactStore,
  input: string,
  artifact: InputArtifact,
  folder: string,
): Promise<string> {
  const key = artifact.storageKey;
  if (key === undefined) {
    if (artifact.uri.startsWith('file://')) return fileURLToPath(artifact.uri);
    throw new TaskFailure(
      `input artifact '${input}' (${artifact.uri}) is not in the artifact store, and the local executor ` +
        'can only read artifacts outside it through file:// URIs',
    );
  }
  const target = path.join(folder, key.split('/').at(-1) ?? input);
  try {
    await mkdir(folder, { recursive: true });
    if ((await store.stat(key)) !== undefined) {
      await copyObject(store, key, target);
      return target;
    }
    const prefix = `${key}/`;
    for await (const object of store.list(prefix)) {
      await copyObject(store, object.key, path.join(target, ...object.key.slice(prefix.length).split('/')));
    }
  } catch (error) {
    throw new TaskFailure(
      `downloading input artifact '${input}' (${artifact.uri}) from the artifact store failed: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  return target;
}

async function copyObject(store: ArtifactStore, key: string, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await pipeline(await store.get(key), createWriteStream(file));
}
