import path from 'node:path';
import { Description, Id, Namespace, Pipeline, PipelineVersion, Status, Tags, Url } from '@cairn/sdk/api';
import type { FastifyError, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { insertPipelineVersion } from '../../catalog/pipeline-versions.ts';
import { getPipeline, insertPipeline } from '../../catalog/pipelines.ts';
import { databaseNow } from '../../engine/leases/database-now.ts';
import { inWriteTransaction } from '../../engine/leases/write-transaction.ts';
import type { ApiApp, ApiDeps } from '../api-app.ts';
import { ApiError, GRPC } from '../api-errors.ts';
import { jsonValidator } from '../schema-validators.ts';
import { describeValidationError } from '../validation-message.ts';
import { pipelineToWire, versionToWire } from '../wire/pipeline-wire.ts';

const tags = ['PipelineService'];
const errors = { default: Status };
const FIELD = 'uploadfile';

/** The uploaded file of a KFP upload: the `uploadfile` part of a multipart/form-data body. */
async function uploadedFile(request: FastifyRequest): Promise<{ fileName: string; text: string }> {
  if (!request.isMultipart()) {
    throw new ApiError(
      GRPC.INVALID_ARGUMENT,
      `expected a multipart/form-data body with the compiled pipeline in the field "${FIELD}", got ${request.headers['content-type'] ?? 'no content type'}`,
    );
  }
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file' && part.fieldname === FIELD) {
        return { fileName: part.filename, text: (await part.toBuffer()).toString('utf8') };
      }
      if (part.type === 'file') await part.toBuffer();
    }
  } catch (error) {
    throw malformed(error);
  }
  throw new ApiError(GRPC.INVALID_ARGUMENT, `the multipart body has no file in the field "${FIELD}"`);
}

/**
 * The multipart parser's complaints about a body cut short or without its boundary are the client's
 * mistake; the body limit keeps its own answer (413).
 */
function malformed(error: unknown): unknown {
  if (!(error instanceof Error) || (error as { code?: string }).code?.startsWith('FST_')) return error;
  return new ApiError(GRPC.INVALID_ARGUMENT, `the multipart/form-data body is malformed: ${error.message}`);
}

/** KFP's `tags` query parameter of an upload: the tags as a JSON object, e.g. `{"team":"ml"}`. */
const TagsParam = Type.Optional(
  Type.String({ description: 'The tags, JSON-encoded: an object of string values, e.g. {"team":"ml"}.' }),
);
const checkTags = jsonValidator(Tags);

/** The tags a `tags` parameter holds, checked as the tags of a JSON body are; none when it is absent or empty. */
function tagsParam(text: string | undefined): Tags | undefined {
  if (text === undefined || text === '') return undefined;
  let tags: unknown;
  try {
    tags = JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      GRPC.INVALID_ARGUMENT,
      `querystring.tags is not JSON (${(error as Error).message}); expected an object of tags, e.g. {"team":"ml"}`,
    );
  }
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    throw new ApiError(
      GRPC.INVALID_ARGUMENT,
      `querystring.tags is ${text}; expected an object of tags, e.g. {"team":"ml"}`,
    );
  }
  if (!checkTags(tags)) {
    const failure = {
      message: 'the tags do not fit their schema',
      validation: (checkTags.errors ?? []) as FastifyError['validation'],
      validationContext: 'querystring.tags',
    };
    throw new ApiError(GRPC.INVALID_ARGUMENT, describeValidationError(failure));
  }
  return tags as Tags;
}

/** KFP names an uploaded pipeline after its file when no name is given: `hello.yaml` is `hello`. */
function nameFromFile(fileName: string): string {
  return path.basename(fileName).replace(/\.(ya?ml|json)$/i, '');
}

export function pipelineUploadRoutes(app: ApiApp, { db, dialect }: ApiDeps): void {
  app.post(
    '/apis/v2beta1/pipelines/upload',
    {
      schema: {
        operationId: 'UploadPipeline',
        tags,
        consumes: ['multipart/form-data'],
        querystring: Type.Object({
          name: Type.Optional(Type.String()),
          display_name: Type.Optional(Type.String()),
          description: Type.Optional(Description),
          namespace: Type.Optional(Namespace),
          // As KFP's upload: the tags go on the pipeline, the code source on its first version.
          tags: TagsParam,
          code_source_url: Type.Optional(Url),
        }),
        response: { 200: Pipeline, ...errors },
      },
    },
    async (request) => {
      const { query } = request;
      const pipelineTags = tagsParam(query.tags);
      const file = await uploadedFile(request);
      const pipeline = await inWriteTransaction(db, dialect, async (trx) => {
        const now = await databaseNow(trx, dialect);
        const created = await insertPipeline(
          trx,
          {
            name: query.name?.trim() ? query.name : nameFromFile(file.fileName),
            ...(query.display_name === undefined ? {} : { displayName: query.display_name }),
            ...(query.description === undefined ? {} : { description: query.description }),
            ...(query.namespace === undefined ? {} : { namespace: query.namespace }),
            ...(pipelineTags === undefined ? {} : { tags: pipelineTags }),
          },
          now,
        );
        const source = query.code_source_url ? { codeSourceUrl: query.code_source_url } : {};
        await insertPipelineVersion(trx, created, { specText: file.text, ...source }, now);
        return created;
      });
      return pipelineToWire(pipeline);
    },
  );
  app.post(
    '/apis/v2beta1/pipelines/upload_version',
    {
      schema: {
        operationId: 'UploadPipelineVersion',
        tags,
        consumes: ['multipart/form-data'],
        querystring: Type.Object({
          pipelineid: Type.String({ ...Id, description: 'The pipeline to add the version to.' }),
          name: Type.Optional(Type.String()),
          display_name: Type.Optional(Type.String()),
          description: Type.Optional(Description),
          tags: TagsParam,
          code_source_url: Type.Optional(Url),
        }),
        response: { 200: PipelineVersion, ...errors },
      },
    },
    async (request) => {
      const { query } = request;
      const versionTags = tagsParam(query.tags);
      const file = await uploadedFile(request);
      const version = await inWriteTransaction(db, dialect, async (trx) =>
        insertPipelineVersion(
          trx,
          await getPipeline(trx, query.pipelineid),
          {
            name: query.name?.trim() ? query.name : nameFromFile(file.fileName),
            ...(query.display_name === undefined ? {} : { displayName: query.display_name }),
            ...(query.description === undefined ? {} : { description: query.description }),
            ...(versionTags === undefined ? {} : { tags: versionTags }),
            ...(query.code_source_url ? { codeSourceUrl: query.code_source_url } : {}),
            specText: file.text,
          },
          await databaseNow(trx, dialect),
        ),
      );
      return versionToWire(version);
    },
  );
}
