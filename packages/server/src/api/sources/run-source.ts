import type { PipelineVersionReference } from '@cairn/sdk/api';
import type { Kysely } from 'kysely';
import { getLatestPipelineVersion, getPipelineVersion } from '../../catalog/pipeline-versions.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { ApiError, GRPC } from '../api-errors.ts';
import { specTextOfObject } from './spec-text.ts';

/** How a run or a recurring run names its pipeline on the wire (KFP's v2beta1 oneof, and its deprecated field). */
export interface RunSourceFields {
  readonly pipeline_version_reference?: PipelineVersionReference;
  readonly pipeline_version_id?: string;
  readonly pipeline_spec?: Readonly<Record<string, unknown>>;
}

/** The pipeline a run will execute: its spec text, and the version it came from when there is one. */
export interface RunSource {
  readonly pipelineSpec: string;
  readonly pipelineId?: string;
  readonly pipelineVersionId?: string;
}

/**
 * Resolves the pipeline of a run or recurring run: a version reference (a pipeline alone means its newest
 * version, as in KFP) or an inline spec, never both. `what` names the resource in messages.
 */
export async function resolveRunSource(
  db: Kysely<CairnDatabase>,
  fields: RunSourceFields,
  what: string,
): Promise<RunSource> {
  const reference = referenceOf(fields);
  if (reference !== undefined && fields.pipeline_spec !== undefined) {
    throw new ApiError(
      GRPC.INVALID_ARGUMENT,
      `${what} sets both pipeline_spec and pipeline_version_reference; send one`,
    );
  }
  if (fields.pipeline_spec !== undefined) return { pipelineSpec: specTextOfObject(fields.pipeline_spec) };
  if (reference === undefined) {
    throw new ApiError(
      GRPC.INVALID_ARGUMENT,
      `${what} has no pipeline: send pipeline_version_reference.pipeline_id (and optionally ` +
        'pipeline_version_id), or the compiled spec inline in pipeline_spec',
    );
  }
  const version = await referencedVersion(db, reference);
  return { pipelineSpec: version.spec, pipelineId: version.pipeline_id, pipelineVersionId: version.id };
}

function referenceOf(fields: RunSourceFields): PipelineVersionReference | undefined {
  const { pipeline_version_reference: reference, pipeline_version_id: deprecatedId } = fields;
  if (deprecatedId === undefined || deprecatedId === '') return reference;
  if (reference?.pipeline_version_id !== undefined && reference.pipeline_version_id !== deprecatedId) {
    throw new ApiError(
      GRPC.INVALID_ARGUMENT,
      `pipeline_version_id ${JSON.stringify(deprecatedId)} differs from pipeline_version_reference.pipeline_version_id ` +
        `${JSON.stringify(reference.pipeline_version_id)}; send one (pipeline_version_id is deprecated)`,
    );
  }
  return { ...reference, pipeline_version_id: deprecatedId };
}

async function referencedVersion(db: Kysely<CairnDatabase>, reference: PipelineVersionReference) {
  const pipelineId = nonEmpty(reference.pipeline_id);
  const versionId = nonEmpty(reference.pipeline_version_id);
  if (versionId === undefined) {
    if (pipelineId === undefined) {
      throw new ApiError(
        GRPC.INVALID_ARGUMENT,
        'pipeline_version_reference names no pipeline: set pipeline_id (and optionally pipeline_version_id)',
      );
    }
    return getLatestPipelineVersion(db, pipelineId);
  }
  if (pipelineId !== undefined) return getPipelineVersion(db, pipelineId, versionId);
  // A version id alone is enough to find it; KFP's clients send both, older ones the version only.
  const row = await db
    .selectFrom('pipeline_versions')
    .selectAll()
    .where('id', '=', versionId)
    .executeTakeFirst();
  if (row === undefined) {
    throw new ApiError(GRPC.NOT_FOUND, `pipeline version ${versionId} does not exist`);
  }
  return row;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
