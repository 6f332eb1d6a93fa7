// Malformed requests across every served operation, each answered with its own 4xx status, gRPC code and a
// message that names the field or value at fault, in KFP's `{code, message, details}` error shape. On
// every dialect. FINDINGS are requests that once got a 5xx, kept as regression tests.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dialectTargets } from '../support/test-databases.ts';
import { startApi, type TestApi } from './support/api-harness.ts';
import { ADD_NUMBERS, HELLO, multipartBody } from './support/kfp-pipelines.ts';
import { loadKfpSwagger } from './support/kfp-swagger.ts';

const E = '/apis/v2beta1/experiments';
const P = '/apis/v2beta1/pipelines';
const R = '/apis/v2beta1/runs';
const RR = '/apis/v2beta1/recurringruns';
const BODY_LIMIT = 128 * 1024;
const swagger = loadKfpSwagger();

/** What the cases refer to, made once per database. */
interface Fixtures {
  /** A UUID that names nothing. */
  readonly missing: string;
  /** Holds a run, so it cannot be deleted. */
  readonly experiment: string;
  readonly experimentName: string;
  /** Archived, with a run in it. */
  readonly archived: string;
  readonly archivedRun: string;
  readonly pipeline: string;
  readonly pipelineName: string;
  /** The pipeline's one version, named `v1`. */
  readonly version: string;
  /** Still RUNNING: no worker runs its tasks here. */
  readonly run: string;
  /** A page token from listing experiments. */
  readonly experimentsToken: string;
}

interface BadRequest {
  readonly method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  readonly url: string;
  /** Sent as application/json. */
  readonly json?: unknown;
  /** Sent as is, with its content type. */
  readonly raw?: { readonly payload: string; readonly contentType: string };
  /** Sent as multipart/form-data with one file part. */
  readonly upload?: { readonly field: string; readonly content: string };
}

interface BadInputCase {
  readonly name: string;
  readonly request: (f: Fixtures) => BadRequest;
  readonly status: number;
  readonly code: number;
  readonly message: (f: Fixtures) => RegExp;
}

const filter = (json: unknown) => encodeURIComponent(JSON.stringify(json));
const byName = (name: string) => ({ predicates: [{ key: name, operation: 'EQUALS', string_value: 'x' }] });
const hourly = { periodic_schedule: { interval_second: '3600' } };
const brokenStep = {
  ...HELLO.spec,
  root: { dag: { tasks: { echo: { componentRef: { name: 'comp-missing' }, taskInfo: { name: 'echo' } } } } },
};

const CASES: readonly BadInputCase[] = [
  // The body as a whole.
  {
    name: 'a body over the limit',
    request: () => ({
      method: 'POST',
      url: E,
      json: { display_name: 'big', description: 'x'.repeat(BODY_LIMIT) },
    }),
    status: 413,
    code: 8,
    message: () =>
      new RegExp(
        `^the request body is larger than the server's limit of ${BODY_LIMIT} bytes; raise the limit`,
      ),
  },
  {
    name: 'a body that is not JSON',
    request: () => ({
      method: 'POST',
      url: E,
      raw: { payload: '{"display_name": ', contentType: 'application/json' },
    }),
    status: 400,
    code: 3,
    message: () => /^the request body is not valid JSON/,
  },
  {
    name: 'an empty JSON body',
    request: () => ({ method: 'POST', url: E, raw: { payload: '', contentType: 'application/json' } }),
    status: 400,
    code: 3,
    message: () => /^the request body is empty; expected a JSON object$/,
  },
  {
    name: 'a YAML body where JSON is expected',
    request: () => ({
      method: 'POST',
      url: E,
      raw: { payload: 'display_name: x', contentType: 'application/yaml' },
    }),
    status: 415,
    code: 3,
    message: () =>
      /^the request body is application\/yaml; send application\/json \(multipart\/form-data for the pipeline uploads\)$/,
  },
  {
    name: 'a text body',
    request: () => ({
      method: 'POST',
      url: E,
      raw: { payload: 'display_name=x', contentType: 'text/plain' },
    }),
    status: 400,
    code: 3,
    message: () => /^body is "display_name=x"; expected an object$/,
  },
  {
    name: 'a JSON array for a body',
    request: () => ({ method: 'POST', url: P, json: [] }),
    status: 400,
    code: 3,
    message: () => /^body is \[\]; expected an object$/,
  },
  {
    name: 'JSON null for a body',
    request: () => ({ method: 'POST', url: R, json: null }),
    status: 400,
    code: 3,
    message: () => /^body is null; expected an object$/,
  },

  // Fields: unknown, mistyped, out of range.
  {
    name: 'an unknown top-level field',
    request: () => ({ method: 'POST', url: E, json: { display_name: 'x', colour: 'red' } }),
    status: 400,
    code: 3,
    message: () => /^body has an unknown field "colour"; the known fields: experiment_id, display_name, /,
  },
  {
    name: 'an unknown field in a nested message',
    request: () => ({
      method: 'POST',
      url: `${P}/create`,
      json: { pipeline: { name: 'x', colour: 1 }, pipeline_version: { pipeline_spec: HELLO.spec } },
    }),
    status: 400,
    code: 3,
    message: () => /^body\.pipeline has an unknown field "colour"; the known fields: pipeline_id, /,
  },
  {
    name: 'an unknown field two messages down',
    request: () => ({
      method: 'POST',
      url: `${P}/create`,
      json: {
        pipeline: { name: 'x' },
        pipeline_version: { package_url: { pipeline_url: 'http://x', branch: 'main' } },
      },
    }),
    status: 400,
    code: 3,
    message: () =>
      /^body\.pipeline_version\.package_url has an unknown field "branch"; the known fields: pipeline_url$/,
  },
  {
    name: "an unknown field in a run's runtime_config",
    request: () => ({
      method: 'POST',
      url: R,
      json: { display_name: 'r', pipeline_spec: HELLO.spec, runtime_config: { params: { x: 1 } } },
    }),
    status: 400,
    code: 3,
    message: () =>
      /^body\.runtime_config has an unknown field "params"; the known fields: parameters, pipeline_root$/,
  },
  {
    name: 'a number for a string',
    request: () => ({ method: 'POST', url: E, json: { display_name: 5 } }),
    status: 400,
    code: 3,
    message: () => /^body\.display_name is 5; expected a string$/,
  },
  {
    name: 'null for a string',
    request: () => ({ method: 'POST', url: P, json: { name: null } }),
    status: 400,
    code: 3,
    message: () => /^body\.name is null; expected a string$/,
  },
  {
    name: 'a string for the tags map',
    request: () => ({ method: 'POST', url: P, json: { name: 'x', tags: 'team=ml' } }),
    status: 400,
    code: 3,
    message: () => /^body\.tags is "team=ml"; expected an object$/,
  },
  {
    name: 'a number for a tag value',
    request: () => ({ method: 'POST', url: P, json: { name: 'x', tags: { team: 5 } } }),
    status: 400,
    code: 3,
    message: () => /^body\.tags\.team is 5; expected a string$/,
  },
  {
    name: 'a tag value over 63 characters',
    request: () => ({ method: 'POST', url: P, json: { name: 'x', tags: { team: 'v'.repeat(64) } } }),
    status: 400,
    code: 3,
    message: () => /^body\.tags\.team is "v{64}"; it must NOT have more than 63 characters$/,
  },
  {
    name: 'an enum value that does not exist',
    request: () => ({ method: 'POST', url: E, json: { display_name: 'x', storage_state: 'GONE' } }),
    status: 400,
    code: 3,
    message: () =>
      /^body\.storage_state is "GONE"; expected one of "STORAGE_STATE_UNSPECIFIED", "AVAILABLE", "ARCHIVED"$/,
  },
  {
    name: 'a timestamp that is not RFC 3339',
    request: () => ({ method: 'POST', url: E, json: { display_name: 'x', created_at: 'yesterday' } }),
    status: 400,
    code: 3,
    message: () => /^body\.created_at is "yesterday"; expected a date-time$/,
  },
  {
    name: 'a required message missing',
    request: () => ({ method: 'POST', url: `${P}/create`, json: { pipeline: { name: 'x' } } }),
    status: 400,
    code: 3,
    message: () => /^body is missing the field "pipeline_version"$/,
  },
  {
    name: 'an experiment without a name',
    request: () => ({ method: 'POST', url: E, json: { display_name: '   ' } }),
    status: 400,
    code: 3,
    message: () => /^display_name is empty; an experiment needs a name$/,
  },
  {
    name: 'a pipeline name over 255 characters',
    request: () => ({ method: 'POST', url: P, json: { name: 'p'.repeat(256) } }),
    status: 400,
    code: 3,
    message: () => /^name is 256 characters long; a pipeline's name has at most 255$/,
  },

  // Pipeline specs.
  {
    name: 'an inline spec that is text, not an object',
    request: () => ({
      method: 'POST',
      url: `${P}/create`,
      json: { pipeline: { name: 'x' }, pipeline_version: { pipeline_spec: 'pipelineInfo: [' } },
    }),
    status: 400,
    code: 3,
    message: () => /^body\.pipeline_version\.pipeline_spec is "pipelineInfo: \["; expected an object$/,
  },
  {
    name: 'an inline spec that is an object but not a PipelineSpec',
    request: () => ({
      method: 'POST',
      url: `${P}/create`,
      json: { pipeline: { name: 'x' }, pipeline_version: { pipeline_spec: { hello: 'world' } } },
    }),
    status: 400,
    code: 3,
    message: () =>
      /^the pipeline spec does not validate:\n {2}pipelineInfo \(line 1, column 1\): required field of PipelineSpec is missing/,
  },
  {
    name: 'a spec whose task names a component that does not exist',
    request: (f) => ({
      method: 'POST',
      url: `${P}/${f.pipeline}/versions`,
      json: { name: 'v2', pipeline_spec: brokenStep },
    }),
    status: 400,
    code: 3,
    message: () => /root\.dag\.tasks\.echo\.componentRef\.name .*: component "comp-missing" is not defined$/,
  },
  {
    name: 'a spec of an unsupported schema version',
    request: (f) => ({
      method: 'POST',
      url: `${P}/${f.pipeline}/versions`,
      json: { name: 'v2', pipeline_spec: { ...HELLO.spec, schemaVersion: '9.9.9' } },
    }),
    status: 400,
    code: 3,
    message: () => /schemaVersion .*: schema version "9\.9\.9" is not supported; this version of Cairn reads/,
  },
  {
    name: 'an uploaded file that is not YAML',
    request: () => ({
      method: 'POST',
      url: `${P}/upload?name=broken`,
      upload: { field: 'uploadfile', content: '[1, 2' },
    }),
    status: 400,
    code: 3,
    message: () =>
      /^the pipeline spec does not validate:\n {2}\(document\) \(line 1, column \d+\): Flow sequence must end with a \]/,
  },
  {
    name: 'an uploaded YAML file that is not a PipelineSpec',
    request: () => ({
      method: 'POST',
      url: `${P}/upload?name=broken`,
      upload: { field: 'uploadfile', content: '- just\n- a list\n' },
    }),
    status: 400,
    code: 3,
    message: () => /expected a PipelineSpec object at the top of the document, got/,
  },
  {
    name: 'an upload without the uploadfile part',
    request: () => ({
      method: 'POST',
      url: `${P}/upload?name=x`,
      upload: { field: 'file', content: HELLO.text },
    }),
    status: 400,
    code: 3,
    message: () => /^the multipart body has no file in the field "uploadfile"$/,
  },
  {
    name: 'an upload that is not multipart',
    request: () => ({ method: 'POST', url: `${P}/upload`, json: { pipeline_spec: HELLO.spec } }),
    status: 400,
    code: 3,
    message: () =>
      /^expected a multipart\/form-data body with the compiled pipeline in the field "uploadfile", got application\/json$/,
  },
  {
    name: 'an uploaded file over the limit',
    request: () => ({
      method: 'POST',
      url: `${P}/upload?name=huge`,
      upload: { field: 'uploadfile', content: `${HELLO.text}#${'x'.repeat(BODY_LIMIT)}\n` },
    }),
    status: 413,
    code: 8,
    message: () => new RegExp(`^the request body is larger than the server's limit of ${BODY_LIMIT} bytes`),
  },
  {
    name: 'upload_version without pipelineid',
    request: () => ({
      method: 'POST',
      url: `${P}/upload_version`,
      upload: { field: 'uploadfile', content: HELLO.text },
    }),
    status: 400,
    code: 3,
    message: () => /^querystring is missing the field "pipelineid"$/,
  },
  {
    name: 'a version with both an inline spec and a package URL',
    request: (f) => ({
      method: 'POST',
      url: `${P}/${f.pipeline}/versions`,
      json: { name: 'v2', pipeline_spec: HELLO.spec, package_url: { pipeline_url: 'http://x/p.yaml' } },
    }),
    status: 400,
    code: 3,
    message: () => /^pipeline_version sets both pipeline_spec and package_url; send one$/,
  },
  {
    name: 'a version with no spec at all',
    request: (f) => ({ method: 'POST', url: `${P}/${f.pipeline}/versions`, json: { name: 'v2' } }),
    status: 400,
    code: 3,
    message: () =>
      /^pipeline_version has no spec: send it inline in pipeline_spec, or its URL in package_url/,
  },
  {
    name: 'a package URL that is not a URL',
    request: (f) => ({
      method: 'POST',
      url: `${P}/${f.pipeline}/versions`,
      json: { name: 'v2', package_url: { pipeline_url: 'not a url' } },
    }),
    status: 400,
    code: 3,
    message: () => /^cannot read the pipeline package at package_url not a url: it is not a URL$/,
  },
  {
    name: 'a package URL on the local filesystem',
    request: (f) => ({
      method: 'POST',
      url: `${P}/${f.pipeline}/versions`,
      json: { name: 'v2', package_url: { pipeline_url: 'file:///etc/passwd' } },
    }),
    status: 400,
    code: 3,
    message: () =>
      /^cannot read the pipeline package at package_url file:\/\/\/etc\/passwd: file: URLs are not fetched/,
  },
  {
    name: "a version whose body names another pipeline than the URL's",
    request: (f) => ({
      method: 'POST',
      url: `${P}/${f.pipeline}/versions`,
      json: { name: 'v2', pipeline_spec: HELLO.spec, pipeline_id: f.missing },
    }),
    status: 400,
    code: 3,
    message: (f) =>
      new RegExp(`^body\\.pipeline_id is ${f.missing}, but the URL names pipeline ${f.pipeline}$`),
  },

  // Runs.
  {
    name: 'a run with no pipeline',
    request: () => ({ method: 'POST', url: R, json: { display_name: 'r' } }),
    status: 400,
    code: 3,
    message: () => /^a run has no pipeline: send pipeline_version_reference\.pipeline_id/,
  },
  {
    name: 'a run with both an inline spec and a version reference',
    request: (f) => ({
      method: 'POST',
      url: R,
      json: {
        display_name: 'r',
        pipeline_spec: HELLO.spec,
        pipeline_version_reference: { pipeline_id: f.pipeline },
      },
    }),
    status: 400,
    code: 3,
    message: () => /^a run sets both pipeline_spec and pipeline_version_reference; send one$/,
  },
  {
    name: 'a run whose version reference is empty',
    request: () => ({ method: 'POST', url: R, json: { display_name: 'r', pipeline_version_reference: {} } }),
    status: 400,
    code: 3,
    message: () => /^pipeline_version_reference names no pipeline: set pipeline_id/,
  },
  {
    name: 'a run parameter the pipeline does not have',
    request: () => ({
      method: 'POST',
      url: R,
      json: { display_name: 'r', pipeline_spec: HELLO.spec, runtime_config: { parameters: { x: 1 } } },
    }),
    status: 400,
    code: 3,
    message: () => /^parameter "x" is not an input of the pipeline; its inputs: none$/,
  },
  {
    name: 'a run parameter of the wrong type',
    request: () => ({
      method: 'POST',
      url: R,
      json: {
        display_name: 'r',
        pipeline_spec: ADD_NUMBERS.spec,
        runtime_config: { parameters: { a: 'one', b: 2 } },
      },
    }),
    status: 400,
    code: 3,
    message: () => /^parameter "a" is "one", which is not a NUMBER_INTEGER value$/,
  },
  {
    name: 'a run missing a required parameter',
    request: () => ({
      method: 'POST',
      url: R,
      json: { display_name: 'r', pipeline_spec: ADD_NUMBERS.spec, runtime_config: { parameters: { b: 2 } } },
    }),
    status: 400,
    code: 3,
    message: () => /^parameter "a" \(NUMBER_INTEGER\) is required and has no default$/,
  },
  {
    name: 'a run whose parameters are not a map',
    request: () => ({
      method: 'POST',
      url: R,
      json: { display_name: 'r', pipeline_spec: HELLO.spec, runtime_config: { parameters: 'a=1' } },
    }),
    status: 400,
    code: 3,
    message: () => /^body\.runtime_config\.parameters is "a=1"; expected an object$/,
  },
  {
    name: 'a run with a state that does not exist',
    request: () => ({
      method: 'POST',
      url: R,
      json: { display_name: 'r', pipeline_spec: HELLO.spec, state: 'DONE' },
    }),
    status: 400,
    code: 3,
    message: () => /^body\.state is "DONE"; expected one of "RUNTIME_STATE_UNSPECIFIED", "PENDING", /,
  },
  {
    name: 'a run without a name',
    request: () => ({ method: 'POST', url: R, json: { display_name: '', pipeline_spec: HELLO.spec } }),
    status: 400,
    code: 3,
    message: () => /^display_name is empty; a run needs a name$/,
  },
  {
    name: 'a run in an experiment that does not exist',
    request: (f) => ({
      method: 'POST',
      url: R,
      json: { display_name: 'r', pipeline_spec: HELLO.spec, experiment_id: f.missing },
    }),
    status: 404,
    code: 5,
    message: (f) => new RegExp(`^experiment ${f.missing} does not exist$`),
  },
  {
    name: 'a run in an archived experiment',
    request: (f) => ({
      method: 'POST',
      url: R,
      json: { display_name: 'r', pipeline_spec: HELLO.spec, experiment_id: f.archived },
    }),
    status: 400,
    code: 9,
    message: (f) =>
      new RegExp(`^experiment ${f.archived} is archived; unarchive it before adding a run to it$`),
  },
  {
    name: 'a run of a pipeline version that does not exist',
    request: (f) => ({
      method: 'POST',
      url: R,
      json: {
        display_name: 'r',
        pipeline_version_reference: { pipeline_id: f.pipeline, pipeline_version_id: f.missing },
      },
    }),
    status: 404,
    code: 5,
    message: (f) => new RegExp(`^pipeline ${f.pipeline} has no version ${f.missing}$`),
  },
  {
    name: 'a run of a pipeline that does not exist',
    request: (f) => ({
      method: 'POST',
      url: R,
      json: { display_name: 'r', pipeline_version_reference: { pipeline_id: f.missing } },
    }),
    status: 404,
    code: 5,
    message: (f) => new RegExp(`^pipeline ${f.missing} does not exist$`),
  },

  // Recurring runs.
  {
    name: 'a recurring run with no pipeline',
    request: () => ({ method: 'POST', url: RR, json: { display_name: 'r', trigger: hourly } }),
    status: 400,
    code: 3,
    message: () => /^a recurring run has no pipeline: send pipeline_version_reference\.pipeline_id/,
  },
  {
    name: 'a recurring run with no schedule in its trigger',
    request: () => ({
      method: 'POST',
      url: RR,
      json: { display_name: 'r', pipeline_spec: HELLO.spec, trigger: {} },
    }),
    status: 400,
    code: 3,
    message: () => /^trigger sets neither cron_schedule nor periodic_schedule/,
  },
  {
    name: 'a cron that is not one',
    request: () => ({
      method: 'POST',
      url: RR,
      json: { display_name: 'r', pipeline_spec: HELLO.spec, trigger: { cron_schedule: { cron: 'daily' } } },
    }),
    status: 400,
    code: 3,
    message: () => /^trigger\.cron_schedule\.cron "daily" has 1 field; KFP expects 6 \(seconds minutes hours/,
  },
  {
    name: 'a period of zero seconds',
    request: () => ({
      method: 'POST',
      url: RR,
      json: {
        display_name: 'r',
        pipeline_spec: HELLO.spec,
        trigger: { periodic_schedule: { interval_second: '0' } },
      },
    }),
    status: 400,
    code: 3,
    message: () =>
      /^trigger\.periodic_schedule\.interval_second is "0"; expected a whole number of seconds, at least 1$/,
  },
  {
    name: 'a max_concurrency over 10',
    request: () => ({
      method: 'POST',
      url: RR,
      json: { display_name: 'r', pipeline_spec: HELLO.spec, trigger: hourly, max_concurrency: '11' },
    }),
    status: 400,
    code: 3,
    message: () => /^max_concurrency is "11"; expected a whole number from 1 to 10$/,
  },
  {
    name: 'a recurring run mode that does not exist',
    request: () => ({
      method: 'POST',
      url: RR,
      json: { display_name: 'r', pipeline_spec: HELLO.spec, trigger: hourly, mode: 'SOMETIMES' },
    }),
    status: 400,
    code: 3,
    message: () => /^body\.mode is "SOMETIMES"; expected one of "MODE_UNSPECIFIED", "ENABLE", "DISABLE"$/,
  },
  {
    name: 'sort recurring runs by a field they do not have',
    request: () => ({ method: 'GET', url: `${RR}?sort_by=colour` }),
    status: 400,
    code: 3,
    message: () =>
      /^sort_by "colour": recurring runs have no field "colour"; sort recurring runs by one of: recurring_run_id, id, display_name, name, created_at, updated_at$/,
  },

  // Ids that name nothing.
  ...(
    [
      ['GET', `${E}/{missing}`, 'experiment {missing} does not exist'],
      ['DELETE', `${E}/{missing}`, 'experiment {missing} does not exist'],
      ['POST', `${E}/{missing}:archive`, 'experiment {missing} does not exist'],
      ['POST', `${E}/{missing}:unarchive`, 'experiment {missing} does not exist'],
      ['GET', `${P}/{missing}`, 'pipeline {missing} does not exist'],
      ['DELETE', `${P}/{missing}`, 'pipeline {missing} does not exist'],
      ['GET', `${P}/{missing}/versions`, 'pipeline {missing} does not exist'],
      ['GET', `${P}/{pipeline}/versions/{missing}`, 'pipeline {pipeline} has no version {missing}'],
      ['DELETE', `${P}/{pipeline}/versions/{missing}`, 'pipeline {pipeline} has no version {missing}'],
      ['GET', `${R}/{missing}`, 'run {missing} does not exist'],
      ['DELETE', `${R}/{missing}`, 'run {missing} does not exist'],
      ['POST', `${R}/{missing}:terminate`, 'run {missing} does not exist'],
      ['POST', `${R}/{missing}:retry`, 'run {missing} does not exist'],
      ['POST', `${R}/{missing}:archive`, 'run {missing} does not exist'],
      ['POST', `${R}/{missing}:unarchive`, 'run {missing} does not exist'],
      ['GET', `${R}?experiment_id={missing}`, 'experiment {missing} does not exist'],
      ['GET', `${RR}/{missing}`, 'recurring run {missing} does not exist'],
      ['DELETE', `${RR}/{missing}`, 'recurring run {missing} does not exist'],
      ['POST', `${RR}/{missing}:enable`, 'recurring run {missing} does not exist'],
      ['POST', `${RR}/{missing}:disable`, 'recurring run {missing} does not exist'],
      ['GET', `${RR}?experiment_id={missing}`, 'experiment {missing} does not exist'],
    ] as const
  ).map(
    ([method, url, message]): BadInputCase => ({
      name: `${method} ${url.replace('/apis/v2beta1', '')}: no such id`,
      request: (f) => ({ method, url: fill(url, f) }),
      status: 404,
      code: 5,
      message: (f) => new RegExp(`^${fill(message, f)}$`),
    }),
  ),
  {
    name: 'a pipeline name that names nothing',
    request: () => ({ method: 'GET', url: `${P}/names/nobody` }),
    status: 404,
    code: 5,
    message: () => /^no pipeline is named "nobody"$/,
  },
  {
    name: 'upload_version to a pipeline that does not exist',
    request: (f) => ({
      method: 'POST',
      url: `${P}/upload_version?pipelineid=${f.missing}`,
      upload: { field: 'uploadfile', content: HELLO.text },
    }),
    status: 404,
    code: 5,
    message: (f) => new RegExp(`^pipeline ${f.missing} does not exist$`),
  },

  // Ids that cannot be ids.
  {
    name: 'a path id that is not a UUID',
    request: () => ({ method: 'GET', url: `${E}/nope` }),
    status: 400,
    code: 3,
    message: () => /^params\.experiment_id is "nope"; expected a UUID$/,
  },
  {
    name: 'a nested path id that is not a UUID',
    request: (f) => ({ method: 'DELETE', url: `${P}/${f.pipeline}/versions/v1` }),
    status: 400,
    code: 3,
    message: () => /^params\.pipeline_version_id is "v1"; expected a UUID$/,
  },
  {
    name: 'a body reference that is not a UUID',
    request: () => ({
      method: 'POST',
      url: R,
      json: { display_name: 'r', pipeline_spec: HELLO.spec, experiment_id: 'nope' },
    }),
    status: 400,
    code: 3,
    message: () => /^body\.experiment_id is "nope"; expected a UUID, or empty for none$/,
  },
  {
    name: 'a nested body reference that is not a UUID',
    request: () => ({
      method: 'POST',
      url: R,
      json: { display_name: 'r', pipeline_version_reference: { pipeline_id: 'p1' } },
    }),
    status: 400,
    code: 3,
    message: () =>
      /^body\.pipeline_version_reference\.pipeline_id is "p1"; expected a UUID, or empty for none$/,
  },
  {
    name: 'a query reference that is not a UUID',
    request: () => ({ method: 'GET', url: `${RR}?experiment_id=nope` }),
    status: 400,
    code: 3,
    message: () => /^querystring\.experiment_id is "nope"; expected a UUID, or empty for none$/,
  },

  // Names taken.
  {
    name: 'an experiment name already taken',
    request: (f) => ({ method: 'POST', url: E, json: { display_name: f.experimentName } }),
    status: 409,
    code: 6,
    message: (f) =>
      new RegExp(
        `^an experiment named "${f.experimentName}" already exists \\(experiment_id ${f.experiment}\\)$`,
      ),
  },
  {
    name: 'a pipeline name already taken',
    request: (f) => ({ method: 'POST', url: P, json: { name: f.pipelineName } }),
    status: 409,
    code: 6,
    message: (f) =>
      new RegExp(
        `^a pipeline named "${f.pipelineName}" already exists \\(pipeline_id ${f.pipeline}\\); upload a new version`,
      ),
  },
  {
    name: 'an uploaded pipeline whose name is taken',
    request: (f) => ({
      method: 'POST',
      url: `${P}/upload?name=${f.pipelineName}`,
      upload: { field: 'uploadfile', content: HELLO.text },
    }),
    status: 409,
    code: 6,
    message: (f) => new RegExp(`^a pipeline named "${f.pipelineName}" already exists`),
  },
  {
    name: 'a version name already taken',
    request: (f) => ({
      method: 'POST',
      url: `${P}/${f.pipeline}/versions`,
      json: { name: 'v1', pipeline_spec: HELLO.spec },
    }),
    status: 409,
    code: 6,
    message: (f) =>
      new RegExp(
        `^pipeline ${f.pipeline} already has a version named "v1" \\(pipeline_version_id ${f.version}\\)$`,
      ),
  },
  {
    name: 'an uploaded version whose name is taken',
    request: (f) => ({
      method: 'POST',
      url: `${P}/upload_version?pipelineid=${f.pipeline}&name=v1`,
      upload: { field: 'uploadfile', content: HELLO.text },
    }),
    status: 409,
    code: 6,
    message: (f) => new RegExp(`^pipeline ${f.pipeline} already has a version named "v1"`),
  },

  // Operations the resource's state does not allow.
  {
    name: 'deleting an experiment that holds runs',
    request: (f) => ({ method: 'DELETE', url: `${E}/${f.experiment}` }),
    status: 400,
    code: 9,
    message: (f) =>
      new RegExp(
        `^experiment ${f.experiment} still holds 1 run\\(s\\) and 0 recurring run\\(s\\); archive it instead`,
      ),
  },
  {
    name: 'deleting a pipeline that has versions, without cascade',
    request: (f) => ({ method: 'DELETE', url: `${P}/${f.pipeline}` }),
    status: 400,
    code: 9,
    message: (f) =>
      new RegExp(
        `^pipeline ${f.pipeline} has 1 version\\(s\\); delete them first, or delete with cascade=true$`,
      ),
  },
  {
    name: 'deleting a run still running',
    request: (f) => ({ method: 'DELETE', url: `${R}/${f.run}` }),
    status: 400,
    code: 9,
    message: (f) =>
      new RegExp(`^run ${f.run} is RUNNING; terminate it and wait for it to end before deleting it$`),
  },
  {
    name: 'retrying a run still running',
    request: (f) => ({ method: 'POST', url: `${R}/${f.run}:retry` }),
    status: 400,
    code: 9,
    message: (f) => new RegExp(`^run ${f.run} is RUNNING; only a FAILED or CANCELED run can be retried$`),
  },
  {
    name: 'unarchiving a run of an archived experiment',
    request: (f) => ({ method: 'POST', url: `${R}/${f.archivedRun}:unarchive` }),
    status: 400,
    code: 9,
    message: (f) =>
      new RegExp(
        `^run ${f.archivedRun} is in experiment ${f.archived}, which is archived; unarchive the experiment first$`,
      ),
  },

  // Listing.
  {
    name: 'a page token that is not one',
    request: () => ({ method: 'GET', url: `${E}?page_token=abc` }),
    status: 400,
    code: 3,
    message: () =>
      /^page_token "abc": not a page token from this server \(not JSON\); list again without page_token/,
  },
  {
    name: "another list's page token",
    request: (f) => ({ method: 'GET', url: `${P}?page_token=${f.experimentsToken}` }),
    status: 400,
    code: 3,
    message: () =>
      /^page_token: issued for listing experiments, not pipelines; list again without page_token$/,
  },
  {
    name: 'a page token with another sort_by',
    request: (f) => ({ method: 'GET', url: `${E}?page_token=${f.experimentsToken}&sort_by=display_name` }),
    status: 400,
    code: 3,
    message: () =>
      /^page_token: issued for sort_by "created_at asc" and no filter, but this request has sort_by "display_name asc"/,
  },
  {
    name: 'sort_by a field experiments do not have',
    request: () => ({ method: 'GET', url: `${E}?sort_by=colour` }),
    status: 400,
    code: 3,
    message: () =>
      /^sort_by "colour": experiments have no field "colour"; sort experiments by one of: experiment_id, id, display_name, name, created_at, last_run_created_at, namespace, storage_state$/,
  },
  {
    name: 'sort_by a field that can only be filtered on',
    request: () => ({ method: 'GET', url: `${P}?sort_by=description` }),
    status: 400,
    code: 3,
    message: () =>
      /^sort_by "description": description can be filtered on but not sorted by; sort pipelines by one of: pipeline_id, /,
  },
  {
    name: 'sort_by in a direction that does not exist',
    request: (f) => ({ method: 'GET', url: `${P}/${f.pipeline}/versions?sort_by=name%20sideways` }),
    status: 400,
    code: 3,
    message: () => /^sort_by "name sideways": expected "field", "field asc" or "field desc"/,
  },
  {
    name: 'a filter on a field runs do not have',
    request: () => ({ method: 'GET', url: `${R}?filter=${filter(byName('colour'))}` }),
    status: 400,
    code: 3,
    message: () =>
      /^filter\.predicates\[0\]\.key: runs have no field "colour"; filter runs on one of: run_id, id, display_name, name, created_at, /,
  },
  {
    name: 'a filter that is not JSON',
    request: () => ({ method: 'GET', url: `${E}?filter=${encodeURIComponent('{predicates')}` }),
    status: 400,
    code: 3,
    message: () => /^filter "\{predicates": not valid JSON \(/,
  },
  {
    name: "a filter with v1beta1's op",
    request: () => ({
      method: 'GET',
      url: `${E}?filter=${filter({ predicates: [{ key: 'display_name', op: 'EQUALS', string_value: 'x' }] })}`,
    }),
    status: 400,
    code: 3,
    message: () =>
      /^filter\.predicates\[0\]: unknown field "op" \("op" is v1beta1's name; v2beta1 calls it "operation"\)/,
  },
  {
    name: 'a filter on a state that does not exist',
    request: () => ({
      method: 'GET',
      url: `${R}?filter=${filter({ predicates: [{ key: 'state', operation: 'EQUALS', string_value: 'DONE' }] })}`,
    }),
    status: 400,
    code: 3,
    message: () =>
      /^filter\.predicates\[0\] \(state EQUALS\): string_value is "DONE"; state is one of PENDING, RUNNING, /,
  },
  {
    name: 'a filter with a timestamp that is not one',
    request: () => ({
      method: 'GET',
      url: `${E}?filter=${filter({ predicates: [{ key: 'created_at', operation: 'LESS_THAN', timestamp_value: 'soon' }] })}`,
    }),
    status: 400,
    code: 3,
    message: () =>
      /^filter\.predicates\[0\] \(created_at LESS_THAN\): timestamp_value "soon" is not an RFC 3339 timestamp/,
  },
  {
    name: 'a page size over the maximum',
    request: () => ({ method: 'GET', url: `${E}?page_size=500` }),
    status: 400,
    code: 3,
    message: () => /^page_size 500: expected a whole number from 1 to 200, or 0 for the default \(20\)$/,
  },
  {
    name: 'a negative page size',
    request: () => ({ method: 'GET', url: `${R}?page_size=-1` }),
    status: 400,
    code: 3,
    message: () => /^page_size -1: expected a whole number from 1 to 200/,
  },
  {
    name: 'a page size that is not a number',
    request: () => ({ method: 'GET', url: `${P}?page_size=ten` }),
    status: 400,
    code: 3,
    message: () => /^querystring\.page_size is "ten"; expected an integer$/,
  },
  {
    name: 'cascade that is not a boolean',
    request: (f) => ({ method: 'DELETE', url: `${P}/${f.pipeline}?cascade=maybe` }),
    status: 400,
    code: 3,
    message: () => /^querystring\.cascade is "maybe"; expected a boolean$/,
  },

  // Routing.
  {
    name: 'a custom method that does not exist',
    request: (f) => ({ method: 'POST', url: `${E}/${f.experiment}:explode` }),
    status: 404,
    code: 5,
    message: () =>
      /^no operation POST .*:explode; the operations are listed at \/apis\/v2beta1\/openapi\.json$/,
  },
  {
    name: 'a method the collection does not have',
    request: () => ({ method: 'PUT', url: E, json: { display_name: 'x' } }),
    status: 404,
    code: 5,
    message: () => /^no operation PUT \/apis\/v2beta1\/experiments; the operations are listed at/,
  },
];

/**
 * Requests that a server error once answered, found by this suite and fixed: each asserts the answer it
 * gets now, a 4xx naming the input, or at least no server error.
 */
interface Finding {
  readonly name: string;
  readonly request: (f: Fixtures) => BadRequest;
  readonly expected?: { readonly status: number; readonly code: number; readonly message: RegExp };
}

const FINDINGS: readonly Finding[] = [
  {
    name: 'upload_version to a pipelineid that is not a UUID (PostgreSQL: 500 "invalid input syntax for type uuid"; the others: 404, where every other id is checked as a UUID with a 400)',
    request: () => ({
      method: 'POST',
      url: `${P}/upload_version?pipelineid=nope`,
      upload: { field: 'uploadfile', content: HELLO.text },
    }),
    expected: { status: 400, code: 3, message: /pipelineid/ },
  },
  {
    name: 'a NUL character in a name (PostgreSQL: 500 "invalid byte sequence"; SQLite and MariaDB store it)',
    request: () => ({ method: 'POST', url: E, json: { display_name: 'a\u0000b' } }),
    expected: { status: 400, code: 3, message: /display_name/ },
  },
  {
    name: 'a namespace over 255 characters (PostgreSQL and MariaDB: 500 "value too long"; SQLite stores it)',
    request: () => ({
      method: 'POST',
      url: E,
      json: { display_name: 'long-namespace', namespace: 'n'.repeat(256) },
    }),
    expected: { status: 400, code: 3, message: /namespace/ },
  },
  {
    name: 'a run of a pipeline whose name is over 255 characters (PostgreSQL and MariaDB: 500 "too long"; SQLite runs it)',
    request: () => ({
      method: 'POST',
      url: R,
      json: { display_name: 'r', pipeline_spec: { ...HELLO.spec, pipelineInfo: { name: 'p'.repeat(300) } } },
    }),
  },
  {
    name: 'a description over 64 KiB (MariaDB: 500 "Data too long for column"; the others store it)',
    request: () => ({
      method: 'POST',
      url: E,
      json: { display_name: 'long-description', description: 'd'.repeat(70_000) },
    }),
  },
  {
    name: 'a multipart body cut short (every dialect: 500 "Unexpected end of multipart data")',
    request: () => ({
      method: 'POST',
      url: `${P}/upload`,
      raw: {
        payload: '--cut\r\nContent-Disposition: form-data; name="uploadfile"',
        contentType: 'multipart/form-data; boundary=cut',
      },
    }),
    expected: { status: 400, code: 3, message: /multipart/ },
  },
  {
    name: 'a multipart body without a boundary (every dialect: 500 "Boundary not found")',
    request: () => ({
      method: 'POST',
      url: `${P}/upload`,
      raw: { payload: 'x', contentType: 'multipart/form-data' },
    }),
    expected: { status: 400, code: 3, message: /malformed: Multipart: Boundary not found/ },
  },
];

function fill(template: string, f: Fixtures): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => String(f[key as keyof Fixtures]));
}

async function send(api: TestApi, request: BadRequest) {
  const { method, url } = request;
  const response = await api.app.inject(
    request.upload
      ? { method, url, ...multipartBody(request.upload.field, 'pipeline.yaml', request.upload.content) }
      : request.raw
        ? { method, url, payload: request.raw.payload, headers: { 'content-type': request.raw.contentType } }
        : request.json !== undefined
          ? {
              method,
              url,
              payload: JSON.stringify(request.json),
              headers: { 'content-type': 'application/json' },
            }
          : { method, url },
  );
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

async function makeFixtures(api: TestApi): Promise<Fixtures> {
  const ok = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
    const answer = await api.call(method, url, body);
    assert.equal(answer.status, 200, `${method} ${url}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const experimentName = 'holds-a-run';
  const experiment = (await ok('POST', E, { display_name: experimentName })).experiment_id;
  const archived = (await ok('POST', E, { display_name: 'archived' })).experiment_id;
  const run = (
    await ok('POST', R, { display_name: 'running', pipeline_spec: HELLO.spec, experiment_id: experiment })
  ).run_id;
  const archivedRun = (
    await ok('POST', R, { display_name: 'r', pipeline_spec: HELLO.spec, experiment_id: archived })
  ).run_id;
  await ok('POST', `${E}/${archived}:archive`);
  const pipelineName = 'taken';
  const pipeline = (
    await ok('POST', `${P}/create`, {
      pipeline: { name: pipelineName },
      pipeline_version: { name: 'v1', pipeline_spec: HELLO.spec },
    })
  ).pipeline_id;
  const version = (await ok('GET', `${P}/${pipeline}/versions`)).pipeline_versions[0].pipeline_version_id;
  const experimentsToken = (await ok('GET', `${E}?page_size=1`)).next_page_token;
  return {
    missing: randomUUID(),
    experiment,
    experimentName,
    archived,
    archivedRun,
    pipeline,
    pipelineName,
    version,
    run,
    experimentsToken,
  };
}

test('the suite has at least 30 cases, each named once', () => {
  assert.ok(CASES.length >= 30, `${CASES.length} cases`);
  assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
});

for (const { dialect, skip } of await dialectTargets()) {
  describe(`bad input on ${dialect}`, { skip }, () => {
    let api: TestApi;
    let fixtures: Fixtures;
    before(async () => {
      api = await startApi(dialect, BODY_LIMIT);
      fixtures = await makeFixtures(api);
    });
    after(() => api.close());

    for (const badCase of CASES) {
      test(badCase.name, async () => {
        const request = badCase.request(fixtures);
        const { status, body } = await send(api, request);
        const shown = `${request.method} ${request.url}: ${JSON.stringify(body)}`;
        assert.equal(status, badCase.status, shown);
        assert.equal(body.code, badCase.code, shown);
        assert.match(body.message, badCase.message(fixtures));
        assert.deepEqual(body.details, []);
        assert.deepEqual(swagger.checkError(body), []);
      });
    }

    for (const finding of FINDINGS) {
      test(`once a server error: ${finding.name}`, async () => {
        const request = finding.request(fixtures);
        const { status, body } = await send(api, request);
        const shown = `${request.method} ${request.url}: ${status} ${JSON.stringify(body)}`;
        const { expected } = finding;
        if (expected === undefined) {
          assert.ok(status < 500, shown);
          return;
        }
        assert.equal(status, expected.status, shown);
        assert.equal(body.code, expected.code, shown);
        assert.match(body.message, expected.message);
      });
    }
  });
}
