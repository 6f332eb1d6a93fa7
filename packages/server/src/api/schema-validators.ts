import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Two validators: a JSON body is taken exactly as typed, as KFP's protobuf JSON decoding takes it (5 is
 * not a string, unknown fields are refused, nothing is dropped); the URL's query and path parameters are
 * text by nature, so they are coerced to the types their schemas declare (`page_size=20` is a number).
 */
export function schemaValidators(): FastifySchemaCompiler<unknown> {
  const common: Options = {
    allErrors: false,
    verbose: true,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
  };
  const body = withFormats(new Ajv({ ...common, coerceTypes: false }));
  const url = withFormats(new Ajv({ ...common, coerceTypes: 'array' }));
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? body : url;
    return ajv.compile(schema as object);
  };
}

/**
 * A validator for a JSON value that arrives inside another part of a request (a query parameter that
 * holds JSON), checked as a body would be; its errors go to `describeValidationError`.
 */
export function jsonValidator(schema: object): ValidateFunction {
  return jsonAjv.compile(schema);
}

const jsonAjv = withFormats(new Ajv({ allErrors: false, verbose: true, strict: false }));

function withFormats(ajv: Ajv): Ajv {
  (addFormats as unknown as (ajv: Ajv) => Ajv)(ajv);
  return ajv;
}
