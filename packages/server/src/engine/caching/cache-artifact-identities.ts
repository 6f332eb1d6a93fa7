import type { Kysely } from 'kysely';
import type { CairnDatabase } from '../../store/tables.ts';
import type { InputArtifact } from '../executor/task-executor.ts';
import { inChunks } from '../lineage/queries/in-chunks.ts';
import type { CacheArtifactIdentity } from './cache-fingerprint.ts';

/**
 * The cache identities of a task's resolved input artifacts, for `cacheFingerprint`'s `inputArtifacts`:
 * type and metadata as the task will see them, and the content digest its artifact row recorded. An
 * artifact without a row (or whose row recorded no content) is identified by its URI.
 */
export async function cacheArtifactIdentities(
  db: Kysely<CairnDatabase>,
  inputArtifacts: Readonly<Record<string, readonly InputArtifact[]>>,
): Promise<Record<string, CacheArtifactIdentity[]>> {
  const ids = [
    ...new Set(
      Object.values(inputArtifacts).flatMap((list) => list.flatMap(({ artifactId }) => artifactId ?? [])),
    ),
  ];
  const rows = await inChunks(ids, (chunk) =>
    db.selectFrom('artifacts').select(['id', 'content_sha256']).where('id', 'in', chunk).execute(),
  );
  const digests = new Map(rows.map((row) => [row.id, row.content_sha256]));
  return Object.fromEntries(
    Object.entries(inputArtifacts).map(([name, list]) => [
      name,
      list.map((artifact) => ({
        schemaTitle: artifact.schemaTitle,
        ...(artifact.schemaVersion === undefined ? {} : { schemaVersion: artifact.schemaVersion }),
        metadata: artifact.metadata,
        contentSha256: artifact.artifactId === undefined ? null : (digests.get(artifact.artifactId) ?? null),
        uri: artifact.uri,
      })),
    ]),
  );
}
