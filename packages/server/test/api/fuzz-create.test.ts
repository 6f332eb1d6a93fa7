// Random bodies for every create operation: arbitrary JSON, text that is not JSON, and valid bodies
// mutated (fields dropped, added, retyped; huge, NUL and lone-surrogate strings; junk nested anywhere,
// pipeline specs included), as JSON, or as the YAML file of an upload. Whatever arrives, the answer is not a server error, an error is KFP's
// `{code, message, details}`, and the server still answers healthz afterwards. On every dialect.
// A failure prints fast-check's seed and path; CAIRN_FUZZ_SEED replays another seed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { dialectTargets } from '../support/test-databases.ts';
import { startApi, type TestApi } from './support/api-harness.ts';
import { ADD_NUMBERS, HELLO, multipartBody } from './support/kfp-pipelines.ts';
import { loadKfpSwagger } from './support/kfp-swagger.ts';

const SEED = Number(process.env.CAIRN_FUZZ_SEED ?? 20_261_121);
const RUNS_PER_ENDPOINT = 1000;
const swagger = loadKfpSwagger();

type Json = Record<string, unknown>;

/** What valid bodies refer to, made once per database. */
interface Fixtures {
  readonly experimentId: string;
  readonly pipelineId: string;
  readonly versionId: string;
}

interface CreateEndpoint {
  readonly operationId: string;
  readonly url: (f: Fixtures) => string;
  /** Bodies the operation accepts; the fuzz mutates them. */
  readonly valid: (f: Fixtures) => fc.Arbitrary<Json>;
  /** An upload takes the body as YAML, the file of a multipart/form-data body; the others take JSON. */
  readonly upload?: true;
}

const name = fc.oneof(
  fc.uuid(),
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
);
const tags = fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 10 }), {
  maxKeys: 3,
});
const parameters = fc.record({ a: fc.integer(), b: fc.integer() });
const trigger = fc.oneof(
  fc.record({
    periodic_schedule: fc.record({ interval_second: fc.integer({ min: 1, max: 86_400 }).map(String) }),
  }),
  fc.record({
    cron_schedule: fc.record({ cron: fc.constantFrom('0 0 * * * *', '0 */5 * * * *', '@daily') }),
  }),
);

const ENDPOINTS: readonly CreateEndpoint[] = [
  {
    operationId: 'ExperimentService_CreateExperiment',
    url: () => '/apis/v2beta1/experiments',
    valid: () =>
      fc.record({ display_name: name, description: fc.string() }, { requiredKeys: ['display_name'] }),
  },
  {
    operationId: 'PipelineService_CreatePipeline',
    url: () => '/apis/v2beta1/pipelines',
    valid: () =>
      fc.record({ name, display_name: name, description: fc.string(), tags }, { requiredKeys: ['name'] }),
  },
  {
    operationId: 'PipelineService_CreatePipelineAndVersion',
    url: () => '/apis/v2beta1/pipelines/create',
    valid: () =>
      fc.record({
        pipeline: fc.record({ name, description: fc.string(), tags }, { requiredKeys: ['name'] }),
        pipeline_version: fc.record(
          { name, pipeline_spec: fc.constantFrom(HELLO.spec, ADD_NUMBERS.spec) },
          { requiredKeys: ['pipeline_spec'] },
        ),
      }),
  },
  {
    operationId: 'PipelineService_CreatePipelineVersion',
    url: (f) => `/apis/v2beta1/pipelines/${f.pipelineId}/versions`,
    valid: (f) =>
      fc.record(
        {
          name,
          pipeline_id: fc.constant(f.pipelineId),
          pipeline_spec: fc.constantFrom(HELLO.spec, ADD_NUMBERS.spec),
          code_source_url: fc.webUrl(),
          tags,
        },
        { requiredKeys: ['name', 'pipeline_spec'] },
      ),
  },
  {
    operationId: 'UploadPipeline',
    url: () => '/apis/v2beta1/pipelines/upload',
    valid: () => fc.constantFrom(HELLO.spec, ADD_NUMBERS.spec),
    upload: true,
  },
  {
    operationId: 'RunService_CreateRun',
    url: () => '/apis/v2beta1/runs',
    valid: (f) =>
      fc.oneof(
        fc.record(
          {
            display_name: name,
            pipeline_spec: fc.constant(HELLO.spec),
            experiment_id: fc.constant(f.experimentId),
          },
          { requiredKeys: ['display_name', 'pipeline_spec'] },
        ),
        fc.record({
          display_name: name,
          pipeline_version_reference: fc.constant({
            pipeline_id: f.pipelineId,
            pipeline_version_id: f.versionId,
          }),
          runtime_config: fc.record({ parameters }),
        }),
      ),
  },
  {
    operationId: 'RecurringRunService_CreateRecurringRun',
    url: () => '/apis/v2beta1/recurringruns',
    valid: (f) =>
      fc.record(
        {
          display_name: name,
          experiment_id: fc.constant(f.experimentId),
          pipeline_version_reference: fc.constant({
            pipeline_id: f.pipelineId,
            pipeline_version_id: f.versionId,
          }),
          runtime_config: fc.record({ parameters }),
          trigger,
          mode: fc.constantFrom('ENABLE', 'DISABLE'),
          max_concurrency: fc.integer({ min: 1, max: 10 }).map(String),
          no_catchup: fc.boolean(),
        },
        { requiredKeys: ['display_name', 'pipeline_version_reference', 'trigger'] },
      ),
  },
];

/** Strings that have broken servers: control and format characters, lone surrogates, the very long. */
const nastyString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff',
    '\u202e',
    '🚀',
    '%00',
    "'; drop table runs; --",
  ),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc
    .tuple(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }),
      fc.integer({ min: 256, max: 100_000 }),
    )
    .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length))),
);
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  nastyString,
  fc.constantFrom(null, true, 0, -1, 2 ** 53, 1e308, -0.5, [], {}),
  fc.object({ maxDepth: 3, values: [fc.jsonValue({ maxDepth: 1 }), nastyString] }),
);

type Mutation =
  | { readonly kind: 'drop'; readonly at: number; readonly key: number }
  | { readonly kind: 'set'; readonly at: number; readonly key: number; readonly value: unknown }
  | { readonly kind: 'add'; readonly at: number; readonly key: string; readonly value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat(), key: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), key: fc.nat(), value: junk }),
  fc.record({
    kind: fc.constant('add' as const),
    at: fc.nat(),
    key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'id', 'run_id')),
    value: junk,
  }),
);

/** Every object in the body, the body itself first: where a mutation may land, specs included. */
function objectsIn(value: unknown, found: Json[] = []): Json[] {
  if (typeof value === 'object' && value !== null) {
    if (!Array.isArray(value)) found.push(value as Json);
    for (const child of Object.values(value)) objectsIn(child, found);
  }
  return found;
}

/** The body with the mutations applied, in order; neither the body nor the junk values are changed. */
function mutate(body: Json, mutations: readonly Mutation[]): Json {
  // JSON's copy keeps a "__proto__" key as an own property, as a server's JSON parser sees it.
  const copy = (value: unknown) => (value === undefined ? value : JSON.parse(JSON.stringify(value)));
  const mutated = copy(body) as Json;
  for (const change of mutations) {
    const objects = objectsIn(mutated);
    const target = objects[change.at % objects.length] as Json;
    const keys = Object.keys(target);
    if (change.kind === 'add') {
      Object.defineProperty(target, change.key, {
        value: copy(change.value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else if (keys.length > 0) {
      const key = keys[change.key % keys.length] as string;
      if (change.kind === 'drop') delete target[key];
      else Object.defineProperty(target, key, { value: copy(change.value) });
    }
  }
  return mutated;
}

/** A body as sent: serialized, or text that is not JSON (nor YAML) at all. */
function bodies(valid: fc.Arbitrary<Json>, serialize: (value: unknown) => string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.jsonValue().map(serialize) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: valid.map(serialize) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 4 }))
        .map(([body, mutations]) => serialize(mutate(body, mutations))),
    },
  );
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`fuzzed create bodies on ${dialect}`, { skip }, () => {
    let api: TestApi;
    let fixtures: Fixtures;
    before(async () => {
      api = await startApi(dialect);
      const experiment = await api.call('POST', '/apis/v2beta1/experiments', {
        display_name: `fuzz-${randomUUID()}`,
      });
      const pipeline = await api.call('POST', '/apis/v2beta1/pipelines/create', {
        pipeline: { name: `fuzz-${randomUUID()}` },
        pipeline_version: { pipeline_spec: ADD_NUMBERS.spec },
      });
      const versions = await api.call('GET', `/apis/v2beta1/pipelines/${pipeline.body.pipeline_id}/versions`);
      fixtures = {
        experimentId: experiment.body.experiment_id,
        pipelineId: pipeline.body.pipeline_id,
        versionId: versions.body.pipeline_versions[0].pipeline_version_id,
      };
    });
    after(() => api.close());

    for (const endpoint of ENDPOINTS) {
      test(`${endpoint.operationId}: ${RUNS_PER_ENDPOINT} bodies, no server error`, async (t) => {
        const url = endpoint.url(fixtures);
        // Each upload names its pipeline after its file; numbered, so that names stay reproducible.
        let uploads = 0;
        const started = performance.now();
        const statuses = new Map<number, number>();
        await fc.assert(
          fc.asyncProperty(
            bodies(endpoint.valid(fixtures), endpoint.upload ? toYaml : JSON.stringify),
            async (payload) => {
              const response = await api.app.inject(
                endpoint.upload
                  ? { method: 'POST', url, ...multipartBody('uploadfile', `fuzz-${uploads++}.yaml`, payload) }
                  : { method: 'POST', url, payload, headers: { 'content-type': 'application/json' } },
              );
              const shown = `POST ${url} ${payload.slice(0, 300)} => ${response.statusCode} ${response.body.slice(0, 300)}`;
              statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
              assert.ok(response.statusCode < 500, shown);
              if (response.statusCode >= 400) {
                const body = JSON.parse(response.body);
                assert.deepEqual(swagger.checkError(body), [], shown);
                assert.ok(body.message.length > 0, shown);
                assert.deepEqual(body.details, [], shown);
              }
            },
          ),
          { seed: SEED, numRuns: RUNS_PER_ENDPOINT },
        );
        const tally = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status} ×${count}`);
        t.diagnostic(
          `${RUNS_PER_ENDPOINT} bodies in ${Math.round(performance.now() - started)} ms: ${tally.join(', ')}`,
        );
      });
    }

    test('the server still answers healthz', async () => {
      const healthz = await api.call('GET', '/apis/v2beta1/healthz');
      assert.equal(healthz.status, 200);
    });
  });
}
