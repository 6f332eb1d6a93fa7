/**
 * The cache key of a container task, after KFP's (backend/src/v2/cacheutils/cache.go, GenerateCacheKey,
 * and driver/cache.go, getFingerPrint): the SHA-256 of a canonical document describing everything that
 * decides the task's outputs.
 *
 * NEVER change what goes into the document or how it is written without raising `FORMAT`: every stored
 * fingerprint would silently stop matching, which empties every user's cache (a test pins the hash of a
 * fixed input so that an accidental change fails).
 *
 * How it differs from KFP's:
 * - KFP scopes its cache lookup by pipeline name and namespace; here both are part of the fingerprint, so
 *   the lookup is one indexed equality and a namespace can never be served another's outputs.
 * - An input artifact is identified by what the task reads, not by which record it is. KFP hashes the
 *   input artifacts' MLMD names, which change whenever the producer runs again, even when it produces the
 *   same bytes. Here an artifact is its type, its metadata (the task sees both), and the SHA-256 of its
 *   stored content (of the manifest, for a directory); only when Cairn stored no content for it (an
 *   imported artifact, a metadata-only artifact) is it its URI. So a task downstream of a producer that was
 *   re-run with the same result is still a hit, and one whose input changed is not, even at the same URI.
 *   Output artifacts' URIs are left out, as in KFP: they contain the run's id.
 * - Command and arguments are one list, as in KFP (`command: [a], args: [b]` runs what `command: [a, b]`
 *   runs). PVC names are sorted and deduplicated, as KFP does.
 * - A custom cache key replaces everything but the scope and the component's name, which KFP combines
 *   with it to keep two components that share a key apart. It is hashed too, so any key fits the column.
 */
import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '@cairn/spec';
import { canonicalJson } from './canonical-json.ts';

/** The version of the document's layout; part of the document, so a new layout starts a new cache. */
const FORMAT = 1;

/** What identifies an input artifact for caching (see the module's comment). */
export interface CacheArtifactIdentity {
  /** `system.Dataset`, ... */
  readonly schemaTitle: string;
  readonly schemaVersion?: string;
  readonly metadata?: JsonObject;
  /** The artifact's `content_sha256` (lowercase hex), when Cairn stored its content. */
  readonly contentSha256?: string | null;
  /** Identifies the artifact only when there is no content digest. */
  readonly uri: string;
}

export interface CacheOutputArtifactSpec {
  readonly schemaTitle: string;
  readonly schemaVersion?: string;
  /** The output definition's metadata. */
  readonly metadata?: JsonObject;
}

export interface CacheFingerprintInput {
  /** The run's namespace (`''` for the default). */
  readonly namespace: string;
  /** `pipelineInfo.name`. */
  readonly pipelineName: string;
  /** The task's component (`componentRef.name`, e.g. `comp-train`). */
  readonly componentName: string;
  readonly image: string;
  /** As the spec writes them, placeholders unresolved: the resolved values are the inputs below. */
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  /** Persistent volume claims the task mounts (Kubernetes); order and repeats do not matter. */
  readonly pvcNames?: readonly string[];
  /** The values the task runs with, by input name: the resolved inputs, with the component's defaults. */
  readonly inputParameterValues: Readonly<Record<string, JsonValue>>;
  /** By input name; a list input's artifacts in list order. */
  readonly inputArtifacts: Readonly<Record<string, readonly CacheArtifactIdentity[]>>;
  /** Output parameter types by name (`STRING`, `NUMBER_INTEGER`, ...). */
  readonly outputParameters: Readonly<Record<string, string>>;
  readonly outputArtifacts: Readonly<Record<string, CacheOutputArtifactSpec>>;
  /** `cachingOptions.cacheKey`: when set (non-empty), it replaces the computed key. */
  readonly cacheKey?: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function artifactType({
  schemaTitle,
  schemaVersion,
}: {
  schemaTitle: string;
  schemaVersion?: string;
}): JsonObject {
  return schemaVersion === undefined ? { schemaTitle } : { schemaTitle, schemaVersion };
}

function inputArtifact(identity: CacheArtifactIdentity, at: string): JsonObject {
  const { contentSha256 } = identity;
  if (contentSha256 != null && !SHA256_HEX.test(contentSha256)) {
    throw new RangeError(
      `${at}: contentSha256 must be 64 lowercase hex digits, got ${JSON.stringify(contentSha256)}`,
    );
  }
  return {
    type: artifactType(identity),
    metadata: identity.metadata ?? {},
    content: contentSha256 == null ? { uri: identity.uri } : { sha256: contentSha256 },
  };
}

function mapValues<T>(
  record: Readonly<Record<string, T>>,
  fn: (value: T, key: string) => JsonValue,
): JsonObject {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value, key)]));
}

/** The canonical document the fingerprint hashes; exported for tests and for explaining a miss. */
export function cacheKeyDocument(input: CacheFingerprintInput): JsonObject {
  const scope = { namespace: input.namespace, pipelineName: input.pipelineName };
  if (input.cacheKey !== undefined && input.cacheKey !== '') {
    return { format: FORMAT, scope, componentName: input.componentName, cacheKey: input.cacheKey };
  }
  return {
    format: FORMAT,
    scope,
    container: {
      image: input.image,
      cmdArgs: [...(input.command ?? []), ...(input.args ?? [])],
      pvcNames: [...new Set(input.pvcNames ?? [])].sort(),
    },
    inputs: {
      parameters: { ...input.inputParameterValues },
      artifacts: mapValues(input.inputArtifacts, (list, name) =>
        list.map((identity, i) => inputArtifact(identity, `input artifact '${name}'[${i}]`)),
      ),
    },
    outputs: {
      parameters: { ...input.outputParameters },
      artifacts: mapValues(input.outputArtifacts, (spec) => ({
        type: artifactType(spec),
        metadata: spec.metadata ?? {},
      })),
    },
  };
}

/**
 * The task's cache fingerprint (`tasks.cache_fingerprint`): SHA-256, lowercase hex, of the canonical JSON
 * of {@link cacheKeyDocument}. The same inputs give the same fingerprint whatever order their keys were
 * built in.
 *
 * @example
 * const fingerprint = cacheFingerprint({
 *   namespace: '', pipelineName: 'hello', componentName: 'comp-train', image: 'python:3.12',
 *   command: ['python', '-c', 'train()'], inputParameterValues: { epochs: 3 }, inputArtifacts: {},
 *   outputParameters: {}, outputArtifacts: { model: { schemaTitle: 'system.Model' } },
 * });
 */
export function cacheFingerprint(input: CacheFingerprintInput): string {
  return createHash('sha256')
    .update(canonicalJson(cacheKeyDocument(input)))
    .digest('hex');
}
