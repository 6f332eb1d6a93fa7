import Type from 'typebox';
import { IdRef, Int64, Namespace, Status, Timestamp } from './common.ts';

/**
 * KFP's `v2beta1Artifact` (backend/api/v2beta1/artifacts.proto), with what Cairn's lineage knows besides:
 * the artifact's `name`, its `metadata`, the SHA-256 of what was stored and its `state`. Ids are UUIDs,
 * where KFP's are ML Metadata's int64.
 */
export const Artifact = Type.Object({
  artifact_id: Type.String(),
  /** The URI's scheme: `s3`, `gs`, `minio`, `file`... */
  storage_provider: Type.Optional(Type.String()),
  /** The object's path within its provider: `path/a/b/c` for `s3://bucket/path/a/b/c`. */
  storage_path: Type.Optional(Type.String()),
  uri: Type.String(),
  /** With `view=DOWNLOAD`: where to download the content from, on this server. */
  download_url: Type.Optional(Type.String()),
  /** The namespace of the run that produced the artifact. */
  namespace: Type.Optional(Type.String()),
  /** The schema title, e.g. `system.Model`. */
  artifact_type: Type.String(),
  /** Bytes stored; absent when nothing was (metadata-only artifacts such as `system.Metrics`). */
  artifact_size: Type.Optional(Int64),
  created_at: Timestamp,
  last_updated_at: Type.Optional(Timestamp),
  error: Type.Optional(Status),
  /** Cairn: the artifact's name, usually its producer's output name. */
  name: Type.Optional(Type.String()),
  /** Cairn: the artifact's metadata, as its producer left it. */
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** Cairn: SHA-256 (hex) of the stored file, or of a directory's manifest. */
  content_sha256: Type.Optional(Type.String()),
  /** Cairn: `LIVE` while the content is where `uri` says. */
  state: Type.Optional(Type.String()),
});
export type Artifact = Type.Static<typeof Artifact>;

/** KFP's `ListArtifactRequest.Field`: what a list is ordered by. */
export const ArtifactOrderField = Type.Union([
  Type.Literal('FIELD_UNSPECIFIED'),
  Type.Literal('CREATE_TIME'),
  Type.Literal('LAST_UPDATE_TIME'),
  Type.Literal('ID'),
]);
export type ArtifactOrderField = Type.Static<typeof ArtifactOrderField>;

/**
 * KFP's `ListArtifactRequest`, whose paging differs from the other lists' (it follows ML Metadata's), and
 * Cairn's `run_id`.
 */
export const ListArtifactsQuery = Type.Object({
  max_result_size: Type.Optional(
    Type.Integer({ description: 'At most this many artifacts (at most 100); 0 or less: 20.' }),
  ),
  order_by_field: Type.Optional(ArtifactOrderField),
  order_by: Type.Optional(Type.String({ description: '"asc" (the default) or "desc".' })),
  next_page_token: Type.Optional(Type.String()),
  namespace: Type.Optional(Namespace),
  /** Cairn: only the artifacts the run's tasks output, cached ones included. */
  run_id: Type.Optional(IdRef),
});
export type ListArtifactsQuery = Type.Static<typeof ListArtifactsQuery>;

export const ListArtifactsResponse = Type.Object({
  artifacts: Type.Array(Artifact),
  next_page_token: Type.String(),
});
export type ListArtifactsResponse = Type.Static<typeof ListArtifactsResponse>;

/** KFP's `GetArtifactRequest.ArtifactView`: DOWNLOAD adds `download_url`. */
export const ArtifactView = Type.Union([
  Type.Literal('ARTIFACT_VIEW_UNSPECIFIED'),
  Type.Literal('BASIC'),
  Type.Literal('DOWNLOAD'),
]);
export type ArtifactView = Type.Static<typeof ArtifactView>;

export const GetArtifactQuery = Type.Object({ view: Type.Optional(ArtifactView) });
export type GetArtifactQuery = Type.Static<typeof GetArtifactQuery>;

export const DownloadArtifactQuery = Type.Object({
  path: Type.Optional(
    Type.String({
      description: 'For an artifact that is a directory: the file to download, relative to the directory.',
    }),
  ),
});
export type DownloadArtifactQuery = Type.Static<typeof DownloadArtifactQuery>;
