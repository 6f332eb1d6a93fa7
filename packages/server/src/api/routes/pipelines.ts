import {
  Empty,
  Id,
  ListPipelinesQuery,
  ListPipelinesResponse,
  ListPipelineVersionsResponse,
  ListQuery,
  NewPipeline,
  NewPipelineAndVersion,
  NewPipelineVersion,
  Pipeline,
  PipelineVersion,
  Status,
} from '@cairn/sdk/api';
import Type from 'typebox';
import { deletePipeline } from '../../catalog/delete-pipeline.ts';
import {
  createPipelineVersion,
  deletePipelineVersion,
  getPipelineVersion,
  insertPipelineVersion,
} from '../../catalog/pipeline-versions.ts';
import { getPipeline, getPipelineByName, insertPipeline } from '../../catalog/pipelines.ts';
import { databaseNow } from '../../engine/leases/database-now.ts';
import { inWriteTransaction } from '../../engine/leases/write-transaction.ts';
import type { ApiApp, ApiDeps } from '../api-app.ts';
import { ApiError, GRPC } from '../api-errors.ts';
import { applyListQuery } from '../listing/apply-list-query.ts';
import { PIPELINE_VERSIONS, PIPELINES } from '../listing/list-resources.ts';
import { parseListRequest } from '../listing/parse-list-request.ts';
import { fetchPipelinePackage } from '../sources/package-source.ts';
import { specTextOfObject } from '../sources/spec-text.ts';
import { pipelineToWire, versionToWire } from '../wire/pipeline-wire.ts';

const COLLECTION = '/apis/v2beta1/pipelines';
const tags = ['PipelineService'];
const errors = { default: Status };
const ById = Type.Object({ pipeline_id: Id });
const ByVersion = Type.Object({ pipeline_id: Id, pipeline_version_id: Id });

/** Where a new version's spec comes from: inline (`pipeline_spec`) or fetched (`package_url`). */
async function specOf(
  version: NewPipelineVersion,
  limitBytes: number,
): Promise<{ specText: string; packageUrl?: string }> {
  const url = version.package_url?.pipeline_url;
  if (version.pipeline_spec !== undefined && url !== undefined) {
    throw new ApiError(
      GRPC.INVALID_ARGUMENT,
      'pipeline_version sets both pipeline_spec and package_url; send one',
    );
  }
  if (version.pipeline_spec !== undefined) {
    return { specText: specTextOfObject(version.pipeline_spec) };
  }
  if (url !== undefined) return { specText: await fetchPipelinePackage(url, limitBytes), packageUrl: url };
  throw new ApiError(
    GRPC.INVALID_ARGUMENT,
    'pipeline_version has no spec: send it inline in pipeline_spec, or its URL in package_url.pipeline_url',
  );
}

function versionFields(version: NewPipelineVersion) {
  return {
    ...(version.name === undefined ? {} : { name: version.name }),
    ...(version.display_name === undefined ? {} : { displayName: version.display_name }),
    ...(version.description === undefined ? {} : { description: version.description }),
    ...(version.code_source_url === undefined ? {} : { codeSourceUrl: version.code_source_url }),
    ...(version.tags === undefined ? {} : { tags: version.tags }),
  };
}

export function pipelineRoutes(app: ApiApp, { db, dialect }: ApiDeps, bodyLimitBytes: number): void {
  app.post(
    COLLECTION,
    {
      schema: {
        operationId: 'PipelineService_CreatePipeline',
        tags,
        body: NewPipeline,
        response: { 200: Pipeline, ...errors },
      },
    },
    async ({ body }) =>
      pipelineToWire(
        await inWriteTransaction(db, dialect, async (trx) =>
          insertPipeline(trx, pipelineFields(body), await databaseNow(trx, dialect)),
        ),
      ),
  );
  app.post(
    `${COLLECTION}/create`,
    {
      schema: {
        operationId: 'PipelineService_CreatePipelineAndVersion',
        tags,
        body: NewPipelineAndVersion,
        response: { 200: Pipeline, ...errors },
      },
    },
    async ({ body }) => {
      const spec = await specOf(body.pipeline_version, bodyLimitBytes);
      const pipeline = await inWriteTransaction(db, dialect, async (trx) => {
        const now = await databaseNow(trx, dialect);
        const created = await insertPipeline(trx, pipelineFields(body.pipeline), now);
        await insertPipelineVersion(trx, created, { ...versionFields(body.pipeline_version), ...spec }, now);
        return created;
      });
      return pipelineToWire(pipeline);
    },
  );
  app.get(
    COLLECTION,
    {
      schema: {
        operationId: 'PipelineService_ListPipelines',
        tags,
        querystring: ListPipelinesQuery,
        response: { 200: ListPipelinesResponse, ...errors },
      },
    },
    async ({ query }) => {
      const namespace = query.namespace ?? '';
      const list = parseListRequest(query, PIPELINES, { scope: namespace });
      const page = await applyListQuery(
        db.selectFrom('pipelines').selectAll().where('namespace', '=', namespace),
        list,
        dialect,
      );
      return {
        pipelines: page.rows.map(pipelineToWire),
        total_size: page.totalSize,
        next_page_token: page.nextPageToken,
      };
    },
  );
  app.get(
    `${COLLECTION}/names/:name`,
    {
      schema: {
        operationId: 'PipelineService_GetPipelineByName',
        tags,
        params: Type.Object({ name: Type.String() }),
        querystring: Type.Object({ namespace: Type.Optional(Type.String()) }),
        response: { 200: Pipeline, ...errors },
      },
    },
    async ({ params, query }) =>
      pipelineToWire(await getPipelineByName(db, query.namespace ?? '', params.name)),
  );
  app.get(
    `${COLLECTION}/:pipeline_id`,
    {
      schema: {
        operationId: 'PipelineService_GetPipeline',
        tags,
        params: ById,
        response: { 200: Pipeline, ...errors },
      },
    },
    async ({ params }) => pipelineToWire(await getPipeline(db, params.pipeline_id)),
  );
  app.delete(
    `${COLLECTION}/:pipeline_id`,
    {
      schema: {
        operationId: 'PipelineService_DeletePipeline',
        tags,
        params: ById,
        querystring: Type.Object({ cascade: Type.Optional(Type.Boolean()) }),
        response: { 200: Empty, ...errors },
      },
    },
    async ({ params, query }) => {
      await deletePipeline(db, dialect, params.pipeline_id, query.cascade === true);
      return {};
    },
  );
  app.post(
    `${COLLECTION}/:pipeline_id/versions`,
    {
      schema: {
        operationId: 'PipelineService_CreatePipelineVersion',
        tags,
        params: ById,
        body: NewPipelineVersion,
        response: { 200: PipelineVersion, ...errors },
      },
    },
    async ({ params, body }) => {
      if (body.pipeline_id !== undefined && body.pipeline_id !== params.pipeline_id) {
        throw new ApiError(
          GRPC.INVALID_ARGUMENT,
          `body.pipeline_id is ${body.pipeline_id}, but the URL names pipeline ${params.pipeline_id}`,
        );
      }
      const spec = await specOf(body, bodyLimitBytes);
      return versionToWire(
        await createPipelineVersion(db, dialect, params.pipeline_id, { ...versionFields(body), ...spec }),
      );
    },
  );
  app.get(
    `${COLLECTION}/:pipeline_id/versions`,
    {
      schema: {
        operationId: 'PipelineService_ListPipelineVersions',
        tags,
        params: ById,
        querystring: ListQuery,
        response: { 200: ListPipelineVersionsResponse, ...errors },
      },
    },
    async ({ params, query }) => {
      await getPipeline(db, params.pipeline_id);
      const list = parseListRequest(query, PIPELINE_VERSIONS, { scope: params.pipeline_id });
      const page = await applyListQuery(
        db.selectFrom('pipeline_versions').selectAll().where('pipeline_id', '=', params.pipeline_id),
        list,
        dialect,
      );
      return {
        pipeline_versions: page.rows.map(versionToWire),
        total_size: page.totalSize,
        next_page_token: page.nextPageToken,
      };
    },
  );
  app.get(
    `${COLLECTION}/:pipeline_id/versions/:pipeline_version_id`,
    {
      schema: {
        operationId: 'PipelineService_GetPipelineVersion',
        tags,
        params: ByVersion,
        response: { 200: PipelineVersion, ...errors },
      },
    },
    async ({ params }) =>
      versionToWire(await getPipelineVersion(db, params.pipeline_id, params.pipeline_version_id)),
  );
  app.delete(
    `${COLLECTION}/:pipeline_id/versions/:pipeline_version_id`,
    {
      schema: {
        operationId: 'PipelineService_DeletePipelineVersion',
        tags,
        params: ByVersion,
        response: { 200: Empty, ...errors },
      },
    },
    async ({ params }) => {
      await deletePipelineVersion(db, dialect, params.pipeline_id, params.pipeline_version_id);
      return {};
    },
  );
}

function pipelineFields(pipeline: NewPipeline) {
  return {
    name: pipeline.name,
    ...(pipeline.display_name === undefined ? {} : { displayName: pipeline.display_name }),
    ...(pipeline.description === undefined ? {} : { description: pipeline.description }),
    ...(pipeline.namespace === undefined ? {} : { namespace: pipeline.namespace }),
    ...(pipeline.tags === undefined ? {} : { tags: pipeline.tags }),
  };
}
