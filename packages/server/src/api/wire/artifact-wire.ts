import type { Artifact } from '@cairn/sdk/api';
import type { ArtifactView } from '../../engine/lineage/queries/lineage-views.ts';
import { rfc3339 } from './timestamps.ts';

/** An artifact as the lineage sees it, with what the catalog adds when it read the row itself. */
export type ArtifactFacts = ArtifactView & {
  readonly updatedAt?: number;
  readonly namespace?: string | null;
};

/** Schemes whose URIs name a bucket first, as `s3://bucket/key`: the storage path is the key. */
const BUCKET_SCHEMES = new Set(['s3', 'gs', 'minio']);

export function artifactToWire(artifact: ArtifactFacts, downloadUrl?: string): Artifact {
  return {
    artifact_id: artifact.id,
    ...storageOf(artifact.uri),
    uri: artifact.uri,
    ...(downloadUrl === undefined ? {} : { download_url: downloadUrl }),
    ...(artifact.namespace ? { namespace: artifact.namespace } : {}),
    artifact_type: artifact.type,
    ...(artifact.sizeBytes === null ? {} : { artifact_size: String(artifact.sizeBytes) }),
    created_at: rfc3339(artifact.createdAt),
    ...(artifact.updatedAt === undefined ? {} : { last_updated_at: rfc3339(artifact.updatedAt) }),
    ...(artifact.name === null ? {} : { name: artifact.name }),
    metadata: artifact.metadata,
    ...(artifact.contentSha256 === null ? {} : { content_sha256: artifact.contentSha256 }),
    state: artifact.state,
  };
}

/** KFP's `storage_provider` and `storage_path`, read off the URI; neither for a URI that does not parse. */
function storageOf(uri: string): Pick<Artifact, 'storage_provider' | 'storage_path'> {
  if (!URL.canParse(uri)) return {};
  const url = new URL(uri);
  const provider = url.protocol.replace(/:$/, '');
  const path = decoded(url.pathname);
  return {
    storage_provider: provider,
    storage_path: BUCKET_SCHEMES.has(provider) ? path.replace(/^\/+/, '') : path,
  };
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
