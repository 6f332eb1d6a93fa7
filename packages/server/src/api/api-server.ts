import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError } from 'fastify';
import { errorMessage } from '../errors.ts';
import { MaintenanceWatch } from '../lifecycle/maintenance/maintenance-watch.ts';
import type { ApiApp, ApiDeps } from './api-app.ts';
import { GRPC, type GrpcStatus, statusOf } from './api-errors.ts';
import { refuseNulCharacters } from './nul-characters.ts';
import { refuseWritesInMaintenance } from './refuse-writes-in-maintenance.ts';
import { artifactRoutes } from './routes/artifacts.ts';
import { experimentRoutes } from './routes/experiments.ts';
import { healthzRoutes } from './routes/healthz.ts';
import { lineageRoutes } from './routes/lineage.ts';
import { pipelineUpdateRoutes } from './routes/pipeline-updates.ts';
import { pipelineUploadRoutes } from './routes/pipeline-uploads.ts';
import { pipelineRoutes } from './routes/pipelines.ts';
import { recurringRunRoutes } from './routes/recurring-runs.ts';
import { runRoutes } from './routes/runs.ts';
import { taskLogRoutes } from './routes/task-logs.ts';
import { upgradeRoutes } from './routes/upgrades.ts';
import { schemaValidators } from './schema-validators.ts';
import { describeValidationError } from './validation-message.ts';

export interface ApiServerOptions {
  /** The largest request body accepted, uploads included. */
  readonly bodyLimitBytes: number;
}

export const OPENAPI_PATH = '/apis/v2beta1/openapi.json';

/**
 * The REST API: KFP's v2beta1 on the wire (snake_case fields, enum names, RFC 3339 times, errors as
 * `{code, message, details}`), every route's input checked against its schema before a handler sees it.
 */
export async function buildApiServer(deps: ApiDeps, options: ApiServerOptions): Promise<ApiApp> {
  const app: ApiApp = Fastify({
    bodyLimit: options.bodyLimitBytes,
    // Unknown fields are refused, as KFP's protobuf JSON decoding refuses them, rather than dropped.
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false, verbose: true },
    },
    logger: false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(schemaValidators());

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, message } = describeError(error, options.bodyLimitBytes, request.headers['content-type']);
    void reply.status(status.http).send({ code: status.code, message, details: [] });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      code: GRPC.NOT_FOUND.code,
      message: `no operation ${request.method} ${request.url.split('?')[0]}; the operations are listed at ${OPENAPI_PATH}`,
      details: [],
    });
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Cairn API',
        description: "Kubeflow Pipelines' v2beta1 REST API, as Cairn serves it.",
        version: deps.version,
      },
    },
  });
  // KFP's uploads: one file, no larger than any other body.
  await app.register(fastifyMultipart, {
    limits: { fileSize: options.bodyLimitBytes, files: 2, fields: 10, parts: 12 },
  });
  const maintenance = deps.maintenance ?? new MaintenanceWatch(deps.db, deps.dialect);
  app.addHook('onRequest', refuseWritesInMaintenance(maintenance));
  app.addHook('preValidation', refuseNulCharacters);
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  healthzRoutes(app, deps, maintenance);
  experimentRoutes(app, deps);
  pipelineRoutes(app, deps, options.bodyLimitBytes);
  pipelineUploadRoutes(app, deps);
  pipelineUpdateRoutes(app, deps);
  recurringRunRoutes(app, deps);
  runRoutes(app, deps);
  taskLogRoutes(app, deps);
  artifactRoutes(app, deps);
  lineageRoutes(app, deps);
  upgradeRoutes(app, deps);
  return app;
}

function describeError(
  error: FastifyError,
  bodyLimitBytes: number,
  contentType: string | undefined,
): { status: GrpcStatus; message: string } {
  if (error.validation) {
    return { status: GRPC.INVALID_ARGUMENT, message: describeValidationError(error) };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return {
        status: { code: GRPC.RESOURCE_EXHAUSTED.code, http: 413 },
        message: `the request body is larger than the server's limit of ${bodyLimitBytes} bytes; raise the limit with --max-body-bytes`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: { code: GRPC.INVALID_ARGUMENT.code, http: 415 },
        message:
          `the request body is ${contentType ?? 'of no declared type'}; send application/json ` +
          '(multipart/form-data for the pipeline uploads)',
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: GRPC.INVALID_ARGUMENT, message: 'the request body is empty; expected a JSON object' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return {
        status: GRPC.INVALID_ARGUMENT,
        message: `the request body is not valid JSON: ${error.message}`,
      };
  }
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return { status: GRPC.INVALID_ARGUMENT, message: `the request is malformed: ${errorMessage(error)}` };
  }
  const status = statusOf(error);
  return {
    status,
    message: status === GRPC.INTERNAL ? `internal error: ${errorMessage(error)}` : error.message,
  };
}
