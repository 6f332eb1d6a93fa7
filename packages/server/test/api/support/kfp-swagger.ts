/**
 * KFP's v2beta1 swagger (Swagger 2.0, vendored under fixtures/kfp/api), read as the contract Cairn's API
 * is held to: its operations, and a validator for each operation's responses.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const SWAGGER_FILE = path.join(REPO_ROOT, 'fixtures/kfp/api/kfp_api_single_file.swagger.json');

type JsonSchema = Record<string, unknown>;

interface SwaggerOperation {
  readonly operationId: string;
  readonly responses: Record<string, { schema?: JsonSchema }>;
}

interface Swagger {
  readonly paths: Record<string, Record<string, SwaggerOperation>>;
  readonly definitions: Record<string, JsonSchema>;
}

export interface KfpOperation {
  readonly operationId: string;
  /** Upper case: GET, POST... */
  readonly method: string;
  /** The swagger's template, e.g. `/apis/v2beta1/experiments/{experiment_id}:archive`. */
  readonly path: string;
}

/**
 * Where Cairn's wire deliberately differs from the swagger's letter, each property named by its definition.
 * KFP's task, artifact and context ids are ML Metadata's int64 row ids (`format: int64`); Cairn keeps no
 * MLMD and its ids are UUIDs, which a KFP client reads as the opaque strings the JSON carries. Those
 * properties are validated as UUIDs instead, so every other int64 is still held to decimal digits.
 */
const UUID_FOR_INT64: Readonly<Record<string, readonly string[]>> = {
  v2beta1PipelineTaskDetail: ['execution_id'],
  v2beta1RunDetails: ['pipeline_context_id', 'pipeline_run_context_id'],
  v2beta1ArtifactList: ['artifact_ids'],
};

/**
 * Fields Cairn adds to a KFP message. Every other message is closed: the swagger's definitions leave
 * `additionalProperties` open, but a field KFP does not define is most likely a misspelled one.
 */
const CAIRN_EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  v2beta1GetHealthzResponse: ['version', 'schema_version', 'maintenance_mode', 'maintenance_message'],
};

export interface KfpSwagger {
  readonly operations: readonly KfpOperation[];
  operation(operationId: string): KfpOperation;
  /**
   * Checks a response body against the operation's schema for its status: the one declared for that
   * status, else `default` (KFP declares 200 and `default`, the error, for every operation). Returns the
   * problems, empty when the body fits.
   */
  check(operationId: string, status: number, body: unknown): string[];
  /** Checks an error body against the swagger's `googleRpcStatus`, the error of every operation. */
  checkError(body: unknown): string[];
}

export function loadKfpSwagger(): KfpSwagger {
  const swagger = JSON.parse(readFileSync(SWAGGER_FILE, 'utf8')) as Swagger;
  const operations: KfpOperation[] = [];
  const responses: Record<string, Record<string, JsonSchema>> = {};
  for (const [template, methods] of Object.entries(swagger.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      operations.push({ operationId: operation.operationId, method: method.toUpperCase(), path: template });
      responses[operation.operationId] = Object.fromEntries(
        Object.entries(operation.responses).map(([status, response]) => [
          status,
          closed(response.schema ?? {}, ''),
        ]),
      );
    }
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  (addFormats as unknown as (ajv: Ajv, formats: string[]) => Ajv)(ajv, ['date-time', 'byte', 'uuid']);
  // Protobuf's JSON: int64 travels as a decimal string, int32 as a number.
  ajv.addFormat('int64', { type: 'string', validate: /^-?[0-9]+$/ });
  ajv.addFormat('int32', {
    type: 'number',
    validate: (value: number) => Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31,
  });
  const definitions = Object.fromEntries(
    Object.entries(swagger.definitions).map(([name, definition]) => [name, closed(definition, name)]),
  );
  ajv.addSchema({ definitions, responses }, 'kfp');
  const validators = new Map<string, ValidateFunction>();
  const checkRef = (ref: string, body: unknown): string[] => {
    let validate = validators.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      validators.set(ref, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map(describe);
  };

  const byId = new Map(operations.map((operation) => [operation.operationId, operation]));
  return {
    operations,
    operation(operationId) {
      const operation = byId.get(operationId);
      if (!operation) throw new Error(`the swagger has no operation ${operationId}`);
      return operation;
    },
    check(operationId, status, body) {
      const declared = responses[operationId];
      if (!declared) return [`the swagger has no operation ${operationId}`];
      const key = String(status) in declared ? String(status) : 'default';
      return checkRef(`kfp#/responses/${operationId}/${key}`, body);
    },
    checkError: (body) => checkRef('kfp#/definitions/googleRpcStatus', body),
  };
}

/** A message's schema, closed to fields it does not define; `name` is its definition's, or '' inline. */
function closed(schema: JsonSchema, name: string): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (properties === undefined || 'additionalProperties' in schema) return schema;
  const widened = { ...properties };
  for (const field of UUID_FOR_INT64[name] ?? []) widened[field] = asUuid(widened[field], name, field);
  for (const field of CAIRN_EXTENSIONS[name] ?? []) widened[field] = {};
  return { ...schema, properties: widened, additionalProperties: false };
}

function asUuid(schema: JsonSchema | undefined, definition: string, field: string): JsonSchema {
  if (schema?.type === 'array') return { ...schema, items: { type: 'string', format: 'uuid' } };
  if (schema?.format === 'int64') return { ...schema, format: 'uuid' };
  throw new Error(`the swagger's ${definition}.${field} is no longer an int64; revisit UUID_FOR_INT64`);
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the body' : error.instancePath;
  const extra =
    error.keyword === 'additionalProperties'
      ? ` (${String(error.params.additionalProperty)})`
      : error.keyword === 'enum'
        ? ` (${JSON.stringify(error.params.allowedValues)})`
        : '';
  return `${where} ${error.message ?? error.keyword}${extra}`;
}
