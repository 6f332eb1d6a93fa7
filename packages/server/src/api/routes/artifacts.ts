import { Readable } from 'node:stream';
import {
  Artifact,
  DownloadArtifactQuery,
  GetArtifactQuery,
  Id,
  ListArtifactsQuery,
  ListArtifactsResponse,
  Status,
} from '@cairn/sdk/api';
import Type from 'typebox';
import {
  type ArtifactRecord,
  artifactNotFound,
  getArtifact,
  listArtifacts,
} from '../../catalog/artifacts.ts';
import { runNotFound } from '../../catalog/runs.ts';
import type { ApiApp, ApiDeps } from '../api-app.ts';
import { contentDisposition, locateArtifactObject } from '../artifact-content.ts';
import { nextArtifactPageToken, parseArtifactListRequest } from '../artifact-list-request.ts';
import { contentRange, parseRange } from '../http-range.ts';
import { storedId } from '../stored-id.ts';
import { streamedBody } from '../streamed-body.ts';
import { artifactToWire } from '../wire/artifact-wire.ts';
import { customMethod } from './custom-method.ts';

const COLLECTION = '/apis/v2beta1/artifacts';
const tags = ['ArtifactService'];
const ById = Type.Object({ artifact_id: Id });
const errors = { default: Status };
/** gRPC's OUT_OF_RANGE, sent with HTTP's own status for a range outside the object. */
const RANGE_NOT_SATISFIABLE = { code: 11, http: 416 } as const;

/**
 * The download is a custom method, `{artifact_id}:download`, as KFP names verbs on a resource
 * (`:archive`, `:terminate`, v1's `:read` of a run's artifact): the artifact's URL stays its metadata,
 * as in KFP, and the verb says that this one answers with the content's bytes.
 */
const DOWNLOAD = customMethod(COLLECTION, 'artifact_id', 'download');

/** KFP's ArtifactService, and the content of Cairn's artifacts, streamed. */
export function artifactRoutes(app: ApiApp, { db, artifactStore }: ApiDeps): void {
  app.get(
    COLLECTION,
    {
      schema: {
        operationId: 'ArtifactService_ListArtifacts',
        tags,
        querystring: ListArtifactsQuery,
        response: { 200: ListArtifactsResponse, ...errors },
      },
    },
    async (request) => {
      const page = parseArtifactListRequest(request.query);
      if (page.runId !== undefined) await checkRunExists(page.runId);
      const { records, more } = await listArtifacts(db, page);
      return {
        artifacts: records.map((record) => artifactToWire(record)),
        next_page_token: nextArtifactPageToken(page, records.at(-1), more),
      };
    },
  );
  app.get(
    `${COLLECTION}/:artifact_id`,
    {
      schema: {
        operationId: 'ArtifactService_GetArtifact',
        tags,
        params: ById,
        querystring: GetArtifactQuery,
        response: { 200: Artifact, ...errors },
      },
    },
    async (request) => {
      const artifact = await findArtifact(request.params.artifact_id);
      const download = request.query.view === 'DOWNLOAD';
      // KFP's is a signed URL to the object store; Cairn's store may be a local folder, so its own.
      return artifactToWire(artifact, download ? `${COLLECTION}/${artifact.id}:download` : undefined);
    },
  );
  app.get(
    DOWNLOAD,
    {
      schema: {
        operationId: 'ArtifactService_DownloadArtifact',
        tags,
        description:
          "The artifact's content, streamed. Honours `Range: bytes=...` (one range) with 206 and `Content-Range`.",
        params: ById,
        querystring: DownloadArtifactQuery,
        response: {
          200: streamedBody('The whole content.', 'application/octet-stream'),
          206: streamedBody('The range asked for.', 'application/octet-stream'),
          416: Status,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const artifact = await findArtifact(request.params.artifact_id);
      const object = await locateArtifactObject(artifactStore, artifact, request.query.path);
      const range = parseRange(request.headers.range, object.size);
      void reply.header('accept-ranges', 'bytes');
      if (range.kind === 'unsatisfiable') {
        return reply
          .code(RANGE_NOT_SATISFIABLE.http)
          .header('content-range', contentRange(range, object.size))
          .send({
            code: RANGE_NOT_SATISFIABLE.code,
            message: `Range ${JSON.stringify(request.headers.range)} asks for no byte of artifact ${artifact.id}, which is ${object.size} bytes long`,
            details: [],
          });
      }
      const partial = range.kind === 'partial' ? range : undefined;
      // Fastify answers HEAD by draining the GET's body: an empty one spares reading the object for nothing.
      const body =
        request.method === 'HEAD'
          ? Readable.from([])
          : await artifactStore.get(
              object.key,
              partial === undefined ? undefined : { start: partial.start, end: partial.end },
            );
      void reply
        .type(object.contentType)
        .header('content-disposition', contentDisposition(object.fileName))
        .header('x-content-type-options', 'nosniff')
        .header('content-length', partial === undefined ? object.size : partial.end - partial.start + 1);
      if (partial !== undefined)
        void reply.code(206).header('content-range', contentRange(partial, object.size));
      return reply.send(body);
    },
  );

  async function findArtifact(idText: string): Promise<ArtifactRecord> {
    const id = storedId(idText);
    if (id === undefined) throw artifactNotFound(idText);
    return getArtifact(db, id);
  }

  async function checkRunExists(runId: string): Promise<void> {
    const run = await db.selectFrom('runs').select('id').where('id', '=', runId).executeTakeFirst();
    if (run === undefined) throw runNotFound(runId);
  }
}
