// Conformance with KFP's v2beta1 swagger: every operation in it is either exercised against a live
// server, over real HTTP, with each answer checked against the swagger's schema for its status, or listed
// in OMITTED_OPERATIONS with the reason Cairn leaves it out. SQLite only: the wire does not depend on the
// database, and the API and store suites cover the dialects.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OPENAPI_PATH } from '../../../src/api/api-server.ts';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { LocalExecutor } from '../../../src/engine/executor/local/local-executor.ts';
import { Worker } from '../../../src/engine/worker/worker.ts';
import { startApi } from '../support/api-harness.ts';
import { ADD_NUMBERS, HELLO, TWO_STEP } from '../support/kfp-pipelines.ts';
import { loadKfpSwagger } from '../support/kfp-swagger.ts';
import { conformanceClient } from './conformance-client.ts';
import { OMITTED_OPERATIONS } from './omitted-operations.ts';

const swagger = loadKfpSwagger();
const api = await startApi('sqlite');
const baseUrl = await api.app.listen({ port: 0, host: '127.0.0.1' });
after(() => api.close());
const client = conformanceClient(baseUrl, swagger);

/** The operations the server says it serves, by operationId, from its own OpenAPI document. */
const served = new Map<string, { method: string; path: string }>();
const openapi = (await (await fetch(baseUrl + OPENAPI_PATH)).json()) as {
  paths: Record<string, Record<string, { operationId?: string }>>;
};
for (const [template, methods] of Object.entries(openapi.paths)) {
  for (const [method, operation] of Object.entries(methods)) {
    if (operation.operationId)
      served.set(operation.operationId, { method: method.toUpperCase(), path: template });
  }
}

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const byName = (name: string) =>
  JSON.stringify({ predicates: [{ key: 'name', operation: 'EQUALS', string_value: name }] });

test('HealthzService: healthz', async () => {
  const healthz = await client.call('HealthzService_GetHealthz');
  assert.equal(healthz.multi_user, false);
  assert.equal(healthz.pipeline_store, 'database');
});

test('ExperimentService: create, get, list, archive, unarchive and delete', async () => {
  const name = unique('conformance');
  const experiment = await client.call('ExperimentService_CreateExperiment', {
    body: { display_name: name, description: 'swagger conformance' },
  });
  assert.equal(experiment.storage_state, 'AVAILABLE');
  const params = { experiment_id: experiment.experiment_id };
  const taken = await client.call(
    'ExperimentService_CreateExperiment',
    { body: { display_name: name } },
    409,
  );
  assert.equal(taken.code, 6);
  assert.deepEqual(await client.call('ExperimentService_GetExperiment', { params }), experiment);

  const listed = await client.call('ExperimentService_ListExperiments', {
    query: { filter: byName(name), sort_by: 'created_at desc', page_size: 1 },
  });
  assert.deepEqual(listed.experiments, [experiment]);
  assert.equal(listed.total_size, 1);

  assert.deepEqual(await client.call('ExperimentService_ArchiveExperiment', { params }), {});
  const archived = await client.call('ExperimentService_GetExperiment', { params });
  assert.equal(archived.storage_state, 'ARCHIVED');
  assert.deepEqual(await client.call('ExperimentService_UnarchiveExperiment', { params }), {});
  assert.deepEqual(await client.call('ExperimentService_DeleteExperiment', { params }), {});

  const gone = await client.call('ExperimentService_GetExperiment', { params }, 404);
  assert.equal(gone.code, 5);
  await client.call('ExperimentService_DeleteExperiment', { params }, 404);
  await client.call('ExperimentService_ArchiveExperiment', { params }, 404);
  await client.call('ExperimentService_UnarchiveExperiment', { params }, 404);
  await client.call('ExperimentService_ListExperiments', { query: { sort_by: 'colour' } }, 400);
});

test('PipelineService: a pipeline and its versions, fetched, listed page by page, and deleted', async () => {
  const name = unique('conformance');
  const pipeline = await client.call('PipelineService_CreatePipeline', {
    body: { name, display_name: 'Conformance', description: 'hello', tags: { team: 'ml' } },
  });
  const params = { pipeline_id: pipeline.pipeline_id };
  await client.call('PipelineService_CreatePipeline', { body: { name } }, 409);

  const v1 = await client.call('PipelineService_CreatePipelineVersion', {
    params,
    body: {
      name: 'v1',
      pipeline_spec: HELLO.spec,
      code_source_url: 'https://example.com/hello.py',
      tags: { stage: 'dev' },
    },
  });
  assert.deepEqual(v1.pipeline_spec, HELLO.spec);
  const v2 = await client.call('PipelineService_CreatePipelineVersion', {
    params,
    body: { name: 'v2', pipeline_spec: ADD_NUMBERS.spec },
  });
  await client.call(
    'PipelineService_CreatePipelineVersion',
    { params, body: { name: 'v3', pipeline_spec: { pipelineInfo: { name: 'incomplete' } } } },
    400,
  );

  assert.deepEqual(await client.call('PipelineService_GetPipeline', { params }), pipeline);
  assert.deepEqual(await client.call('PipelineService_GetPipelineByName', { params: { name } }), pipeline);
  await client.call('PipelineService_GetPipelineByName', { params: { name: unique('nobody') } }, 404);
  const pipelines = await client.call('PipelineService_ListPipelines', { query: { filter: byName(name) } });
  assert.deepEqual(pipelines.pipelines, [pipeline]);

  const first = await client.call('PipelineService_ListPipelineVersions', {
    params,
    query: { sort_by: 'name desc', page_size: 1 },
  });
  assert.deepEqual(
    first.pipeline_versions.map((version: { name: string }) => version.name),
    ['v2'],
  );
  assert.equal(first.total_size, 2);
  const second = await client.call('PipelineService_ListPipelineVersions', {
    params,
    query: { page_token: first.next_page_token },
  });
  assert.deepEqual(
    second.pipeline_versions.map((version: { name: string }) => version.name),
    ['v1'],
  );
  assert.equal(second.next_page_token, '');

  const version = { ...params, pipeline_version_id: v1.pipeline_version_id };
  assert.deepEqual(await client.call('PipelineService_GetPipelineVersion', { params: version }), v1);
  await client.call('PipelineService_DeletePipeline', { params }, 400);
  assert.deepEqual(await client.call('PipelineService_DeletePipelineVersion', { params: version }), {});
  await client.call('PipelineService_GetPipelineVersion', { params: version }, 404);
  await client.call('PipelineService_DeletePipelineVersion', { params: version }, 404);
  assert.deepEqual(
    await client.call('PipelineService_DeletePipeline', { params, query: { cascade: true } }),
    {},
  );
  await client.call('PipelineService_GetPipeline', { params }, 404);
  await client.call(
    'PipelineService_GetPipelineVersion',
    { params: { ...params, pipeline_version_id: v2.pipeline_version_id } },
    404,
  );
});

test('PipelineService: a pipeline and a version updated (display_name and tags)', async () => {
  const { pipeline_id, pipeline_version_id } = await newPipelineVersion(HELLO.spec);
  const pipeline = await client.call('PipelineService_UpdatePipeline', {
    params: { 'pipeline.pipeline_id': pipeline_id },
    body: { pipeline_id, display_name: 'Renamed', tags: { stage: 'prod' } },
  });
  assert.equal(pipeline.display_name, 'Renamed');
  assert.deepEqual(pipeline.tags, { stage: 'prod' });
  assert.deepEqual(await client.call('PipelineService_GetPipeline', { params: { pipeline_id } }), pipeline);
  await client.call(
    'PipelineService_UpdatePipeline',
    { params: { 'pipeline.pipeline_id': pipeline_id }, body: { name: 'another-name' } },
    400,
  );
  await client.call(
    'PipelineService_UpdatePipeline',
    { params: { 'pipeline.pipeline_id': randomUUID() }, body: { display_name: 'x' } },
    404,
  );

  const versionParams = {
    'pipeline_version.pipeline_id': pipeline_id,
    'pipeline_version.pipeline_version_id': pipeline_version_id,
  };
  const version = await client.call('PipelineService_UpdatePipelineVersion', {
    params: versionParams,
    body: { display_name: 'first', tags: { approved: 'yes' } },
  });
  assert.equal(version.display_name, 'first');
  assert.deepEqual(version.tags, { approved: 'yes' });
  assert.deepEqual(
    await client.call('PipelineService_GetPipelineVersion', {
      params: { pipeline_id, pipeline_version_id },
    }),
    version,
  );
  await client.call(
    'PipelineService_UpdatePipelineVersion',
    { params: versionParams, body: { pipeline_spec: ADD_NUMBERS.spec } },
    400,
  );
});

test('PipelineService: a pipeline and its first version created at once', async () => {
  const name = unique('conformance-both');
  const pipeline = await client.call('PipelineService_CreatePipelineAndVersion', {
    body: { pipeline: { name }, pipeline_version: { pipeline_spec: HELLO.spec } },
  });
  const versions = await client.call('PipelineService_ListPipelineVersions', {
    params: { pipeline_id: pipeline.pipeline_id },
  });
  assert.deepEqual(
    versions.pipeline_versions.map((version: { name: string }) => version.name),
    [name],
  );
  await client.call(
    'PipelineService_CreatePipelineAndVersion',
    { body: { pipeline: { name: unique('conformance-none') }, pipeline_version: {} } },
    400,
  );
});

test('PipelineUploadService: a pipeline and a version uploaded as multipart uploadfile', async () => {
  const name = unique('conformance-upload');
  const form = (field: string) => {
    const body = new FormData();
    body.append(field, new Blob([HELLO.text], { type: 'application/x-yaml' }), 'hello.yaml');
    return body;
  };
  const pipeline = await client.call('UploadPipeline', {
    query: { name, description: 'uploaded' },
    form: form('uploadfile'),
  });
  assert.equal(pipeline.name, name);
  const version = await client.call('UploadPipelineVersion', {
    query: { pipelineid: pipeline.pipeline_id, name: 'v2' },
    form: form('uploadfile'),
  });
  assert.deepEqual(version.pipeline_spec, HELLO.spec);
  await client.call('UploadPipeline', { query: { name: unique('x') }, form: form('file') }, 400);
  await client.call(
    'UploadPipelineVersion',
    { query: { pipelineid: randomUUID() }, form: form('uploadfile') },
    404,
  );
});

test('RunService: create (by version and inline), get, list, terminate, retry, archive, unarchive, delete', async () => {
  const experiment = await client.call('ExperimentService_CreateExperiment', {
    body: { display_name: unique('conformance-runs') },
  });
  const { pipeline_id, pipeline_version_id } = await newPipelineVersion(ADD_NUMBERS.spec);

  const byVersion = await client.call('RunService_CreateRun', {
    body: {
      display_name: 'add',
      experiment_id: experiment.experiment_id,
      pipeline_version_reference: { pipeline_id, pipeline_version_id },
      runtime_config: { parameters: { a: 1, b: 2 } },
    },
  });
  assert.equal(byVersion.experiment_id, experiment.experiment_id);
  assert.deepEqual(byVersion.pipeline_version_reference, { pipeline_id, pipeline_version_id });
  assert.deepEqual(byVersion.runtime_config.parameters, { a: 1, b: 2 });
  assert.ok(['PENDING', 'RUNNING'].includes(byVersion.state), byVersion.state);
  const inline = await client.call('RunService_CreateRun', {
    body: { display_name: 'hello', pipeline_spec: HELLO.spec, experiment_id: experiment.experiment_id },
  });
  assert.deepEqual(inline.pipeline_spec, HELLO.spec);
  await client.call(
    'RunService_CreateRun',
    {
      body: {
        display_name: 'add',
        pipeline_version_reference: { pipeline_id, pipeline_version_id },
        runtime_config: { parameters: { a: 'one' } },
      },
    },
    400,
  );

  const run = { run_id: byVersion.run_id };
  const fetched = await client.call('RunService_GetRun', { params: run });
  assert.equal(fetched.run_id, byVersion.run_id);
  const listed = await client.call('RunService_ListRuns', {
    query: { experiment_id: experiment.experiment_id, sort_by: 'created_at' },
  });
  assert.deepEqual(
    listed.runs.map((listedRun: { run_id: string }) => listedRun.run_id),
    [byVersion.run_id, inline.run_id],
  );

  // Nothing executes tasks here: terminating cancels the queued ones, and the run ends CANCELED.
  assert.deepEqual(await client.call('RunService_TerminateRun', { params: run }), {});
  assert.equal((await client.call('RunService_GetRun', { params: run })).state, 'CANCELED');
  assert.deepEqual(await client.call('RunService_RetryRun', { params: run }), {});
  assert.ok(['PENDING', 'RUNNING'].includes((await client.call('RunService_GetRun', { params: run })).state));
  await client.call('RunService_RetryRun', { params: run }, 400);

  assert.deepEqual(await client.call('RunService_ArchiveRun', { params: run }), {});
  assert.equal((await client.call('RunService_GetRun', { params: run })).storage_state, 'ARCHIVED');
  assert.deepEqual(await client.call('RunService_UnarchiveRun', { params: run }), {});
  assert.equal((await client.call('RunService_GetRun', { params: run })).storage_state, 'AVAILABLE');

  await client.call('RunService_DeleteRun', { params: run }, 400);
  await client.call('RunService_TerminateRun', { params: run });
  assert.deepEqual(await client.call('RunService_DeleteRun', { params: run }), {});
  for (const operationId of [
    'RunService_GetRun',
    'RunService_DeleteRun',
    'RunService_TerminateRun',
    'RunService_RetryRun',
    'RunService_ArchiveRun',
    'RunService_UnarchiveRun',
  ]) {
    const missing = await client.call(operationId, { params: run }, 404);
    assert.equal(missing.code, 5);
  }
});

test('RunService: a run executed to its end reads back with its tasks, artifacts and state history', async () => {
  const worker = startWorker();
  try {
    const created = await client.call('RunService_CreateRun', {
      body: {
        display_name: 'two steps',
        pipeline_spec: TWO_STEP.spec,
        runtime_config: { parameters: { text: 'conformance' } },
      },
    });
    const run = await runToEnd(created.run_id);
    assert.equal(run.state, 'SUCCEEDED', JSON.stringify(run.error));
    assert.deepEqual(
      run.state_history.map((entry: { state: string }) => entry.state),
      ['PENDING', 'RUNNING', 'SUCCEEDED'],
    );
    const task = (name: string) =>
      run.run_details.task_details.find((detail: { display_name: string }) => detail.display_name === name);
    const producer = task('component1');
    const consumer = task('component2');
    assert.deepEqual(consumer.inputs.input_gcs, producer.outputs.output_gcs);
    assert.equal(producer.outputs.output_gcs.artifact_ids.length, 1);
    assert.ok(producer.execution_id, JSON.stringify(producer));
  } finally {
    await worker.stop();
  }
});

/** A worker on the API's database that runs tasks here, as `cairn up` would. */
function startWorker(): { stop(): Promise<void> } {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-conformance-'));
  const artifacts = path.join(scratch, 'artifacts');
  const worker = new Worker(
    {
      db: api.db,
      dialect: api.dialect,
      artifactStore: new FsArtifactStore(artifacts),
      executor: new LocalExecutor(),
      workDir: path.join(scratch, 'work'),
      leaseMs: 10_000,
      defaultPipelineRoot: `file://${artifacts}`,
    },
    { concurrency: 2, pollMs: 25 },
  );
  worker.start();
  return {
    async stop() {
      await worker.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the run as the API returned it.
async function runToEnd(runId: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await client.call('RunService_GetRun', { params: { run_id: runId } });
    if (['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED'].includes(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.state} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

test('RecurringRunService: periodic and cron, get, list, disable, enable, delete', async () => {
  const experiment = await client.call('ExperimentService_CreateExperiment', {
    body: { display_name: unique('conformance-recurring') },
  });
  const { pipeline_id, pipeline_version_id } = await newPipelineVersion(ADD_NUMBERS.spec);

  const periodic = await client.call('RecurringRunService_CreateRecurringRun', {
    body: {
      display_name: 'hourly',
      experiment_id: experiment.experiment_id,
      pipeline_version_reference: { pipeline_id, pipeline_version_id },
      runtime_config: { parameters: { a: 1, b: 2 } },
      trigger: { periodic_schedule: { interval_second: '3600' } },
      mode: 'ENABLE',
      max_concurrency: '2',
    },
  });
  assert.equal(periodic.status, 'ENABLED');
  assert.equal(periodic.max_concurrency, '2');
  assert.equal(periodic.trigger.periodic_schedule.interval_second, '3600');
  const cron = await client.call('RecurringRunService_CreateRecurringRun', {
    body: {
      display_name: 'nightly',
      experiment_id: experiment.experiment_id,
      pipeline_spec: HELLO.spec,
      trigger: { cron_schedule: { cron: '0 0 2 * * *' } },
      mode: 'DISABLE',
      max_concurrency: '1',
    },
  });
  assert.equal(cron.status, 'DISABLED');
  assert.equal(cron.trigger.cron_schedule.cron, '0 0 2 * * *');
  await client.call(
    'RecurringRunService_CreateRecurringRun',
    {
      body: {
        display_name: 'never',
        pipeline_spec: HELLO.spec,
        trigger: { cron_schedule: { cron: 'every day' } },
      },
    },
    400,
  );

  const params = { recurring_run_id: periodic.recurring_run_id };
  assert.equal(
    (await client.call('RecurringRunService_GetRecurringRun', { params })).recurring_run_id,
    periodic.recurring_run_id,
  );
  const listed = await client.call('RecurringRunService_ListRecurringRuns', {
    query: { experiment_id: experiment.experiment_id, sort_by: 'created_at' },
  });
  assert.deepEqual(
    listed.recurringRuns.map((recurring: { recurring_run_id: string }) => recurring.recurring_run_id),
    [periodic.recurring_run_id, cron.recurring_run_id],
  );

  assert.deepEqual(await client.call('RecurringRunService_DisableRecurringRun', { params }), {});
  assert.equal((await client.call('RecurringRunService_GetRecurringRun', { params })).status, 'DISABLED');
  assert.deepEqual(await client.call('RecurringRunService_EnableRecurringRun', { params }), {});
  assert.equal((await client.call('RecurringRunService_GetRecurringRun', { params })).status, 'ENABLED');
  assert.deepEqual(await client.call('RecurringRunService_DeleteRecurringRun', { params }), {});
  for (const operationId of [
    'RecurringRunService_GetRecurringRun',
    'RecurringRunService_DeleteRecurringRun',
    'RecurringRunService_DisableRecurringRun',
    'RecurringRunService_EnableRecurringRun',
  ]) {
    const missing = await client.call(operationId, { params }, 404);
    assert.equal(missing.code, 5);
  }
});

/** A new pipeline with one version of `spec`. */
async function newPipelineVersion(spec: Record<string, unknown>) {
  const pipeline = await client.call('PipelineService_CreatePipelineAndVersion', {
    body: { pipeline: { name: unique('conformance-source') }, pipeline_version: { pipeline_spec: spec } },
  });
  const versions = await client.call('PipelineService_ListPipelineVersions', {
    params: { pipeline_id: pipeline.pipeline_id },
  });
  return {
    pipeline_id: pipeline.pipeline_id as string,
    pipeline_version_id: versions.pipeline_versions[0].pipeline_version_id as string,
  };
}

test('an omitted operation is not served, and answers 404 naming the OpenAPI document', async () => {
  for (const operationId of Object.keys(OMITTED_OPERATIONS)) {
    const operation = swagger.operation(operationId);
    assert.equal(
      served.has(operationId),
      false,
      `${operationId} is served; take it out of OMITTED_OPERATIONS`,
    );
    const url = baseUrl + operation.path.replace(/\{[^}]+\}/g, 'x');
    const response = await fetch(url, { method: operation.method });
    assert.equal(response.status, 404, `${operation.method} ${operation.path}`);
    assert.match(((await response.json()) as { message: string }).message, /the operations are listed at/);
  }
});

function anonymous(template: string): string {
  return template.replace(/\{[^}]+\}/g, '{}');
}

test('every operation in the swagger is served and conforms, or is omitted with its reason', () => {
  const problems: string[] = [];
  let conforming = 0;
  for (const { operationId, method, path } of swagger.operations) {
    const serving = served.get(operationId);
    const record = client.records.get(operationId);
    if (operationId in OMITTED_OPERATIONS) continue;
    const found = problems.length;
    if (!serving) {
      problems.push(`${operationId} (${method} ${path}) is neither served nor in OMITTED_OPERATIONS`);
      continue;
    }
    // Path parameters may be named otherwise (the swagger's `{pipeline.pipeline_id}`); the URL is the same.
    if (serving.method !== method || anonymous(serving.path) !== anonymous(path)) {
      problems.push(
        `${operationId} is served at ${serving.method} ${serving.path}; the swagger has ${method} ${path}`,
      );
    }
    if (!record) problems.push(`${operationId} is served but no scenario exercises it`);
    else if (!record.statuses.includes(200)) problems.push(`${operationId} never answered 200`);
    else problems.push(...record.problems);
    if (problems.length === found) conforming += 1;
  }
  const omitted = Object.entries(OMITTED_OPERATIONS);
  const swaggerIds = new Set(swagger.operations.map((operation) => operation.operationId));
  const extensions = [...served.keys()].filter((operationId) => !swaggerIds.has(operationId));
  console.log(
    `swagger conformance: ${conforming} served / ${swagger.operations.length} in the swagger, ${omitted.length} omitted`,
  );
  for (const [operationId, reason] of omitted) console.log(`  omitted ${operationId}: ${reason}`);
  if (extensions.length > 0) console.log(`  served beyond the swagger: ${extensions.join(', ')}`);
  assert.deepEqual(problems, []);
  assert.equal(conforming + omitted.length, swagger.operations.length);
});
