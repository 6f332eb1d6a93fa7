import { Id, NewPipeline, NewPipelineVersion, Pipeline, PipelineVersion, Status } from '@cairn/sdk/api';
import Type from 'typebox';
import { updatePipeline, updatePipelineVersion } from '../../catalog/update-pipelines.ts';
import type { ApiApp, ApiDeps } from '../api-app.ts';
import { ApiError, GRPC } from '../api-errors.ts';
import { pipelineToWire, versionToWire } from '../wire/pipeline-wire.ts';

const COLLECTION = '/apis/v2beta1/pipelines';
const tags = ['PipelineService'];
const errors = { default: Status };

/**
 * KFP's UpdatePipeline and UpdatePipelineVersion: PATCH the mutable fields (display_name, tags). The
 * path names the resource; an id in the body must agree with it.
 */
export function pipelineUpdateRoutes(app: ApiApp, { db, dialect }: ApiDeps): void {
  app.patch(
    `${COLLECTION}/:pipeline_id`,
    {
      schema: {
        operationId: 'PipelineService_UpdatePipeline',
        tags,
        params: Type.Object({ pipeline_id: Id }),
        body: NewPipeline,
        response: { 200: Pipeline, ...errors },
      },
    },
    async (request) => {
      const { pipeline_id: id } = request.params;
      const body = request.body;
      sameId('pipeline_id', id, body.pipeline_id);
      const row = await updatePipeline(db, dialect, id, {
        ...(body.display_name === undefined ? {} : { displayName: body.display_name }),
        ...(body.tags === undefined ? {} : { tags: body.tags }),
        unchanged: { name: body.name, description: body.description, namespace: body.namespace },
      });
      return pipelineToWire(row);
    },
  );
  app.patch(
    `${COLLECTION}/:pipeline_id/versions/:pipeline_version_id`,
    {
      schema: {
        operationId: 'PipelineService_UpdatePipelineVersion',
        tags,
        params: Type.Object({ pipeline_id: Id, pipeline_version_id: Id }),
        body: NewPipelineVersion,
        response: { 200: PipelineVersion, ...errors },
      },
    },
    async (request) => {
      const { pipeline_id: pipelineId, pipeline_version_id: versionId } = request.params;
      const body = request.body;
      sameId('pipeline_id', pipelineId, body.pipeline_id);
      sameId('pipeline_version_id', versionId, body.pipeline_version_id);
      if (body.pipeline_spec !== undefined) {
        throw new ApiError(
          GRPC.INVALID_ARGUMENT,
          'pipeline_spec of a pipeline version cannot be changed; create a new version instead',
        );
      }
      const row = await updatePipelineVersion(db, dialect, pipelineId, versionId, {
        ...(body.display_name === undefined ? {} : { displayName: body.display_name }),
        ...(body.tags === undefined ? {} : { tags: body.tags }),
        unchanged: {
          name: body.name,
          description: body.description,
          code_source_url: body.code_source_url,
          'package_url.pipeline_url': body.package_url?.pipeline_url,
        },
      });
      return versionToWire(row);
    },
  );
}

function sameId(field: string, inPath: string, inBody: string | undefined) {
  if (inBody === undefined || inBody === '' || inBody === inPath) return;
  throw new ApiError(
    GRPC.INVALID_ARGUMENT,
    `${field} in the body is ${JSON.stringify(inBody)} but the path names ${JSON.stringify(inPath)}; ` +
      'send the same id, or none in the body',
  );
}
