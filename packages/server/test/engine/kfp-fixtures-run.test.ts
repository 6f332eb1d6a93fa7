// The acceptance manifest: every KFP-compiled fixture that needs neither Python nor a network runs to
// its expected end through the engine. The others are listed with the reason they are left out, so the
// manifest accounts for every container-only fixture.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { JsonValue } from '@cairn/spec';
import { createRun } from '../../src/engine/runs/create-run.ts';
import { dialectTargets } from '../support/test-databases.ts';
import { REPO_ROOT, startEngine, type TestEngine, tasksOf, waitForRun } from './support/engine-harness.ts';

interface ManifestEntry {
  readonly fixture: string;
  readonly parameters?: Record<string, JsonValue>;
  readonly state: 'SUCCEEDED' | 'FAILED';
  /** Output parameters expected on task rows, by task path. */
  readonly outputs?: Record<string, Record<string, JsonValue>>;
}

const MANIFEST: readonly ManifestEntry[] = [
  { fixture: 'hello_world.yaml', state: 'SUCCEEDED' },
  { fixture: 'arguments_parameters.yaml', parameters: { param2: 'world' }, state: 'SUCCEEDED' },
  { fixture: 'critical/container_component_with_no_inputs.yaml', state: 'SUCCEEDED' },
  {
    fixture: 'critical/producer_consumer_param_pipeline.yaml',
    state: 'SUCCEEDED',
    outputs: { 'root/producer': { output_value: 'Hello world, this is an output parameter\n' } },
  },
  { fixture: 'critical/two_step_pipeline_containerized.yaml', state: 'SUCCEEDED' },
  { fixture: 'essential/container_no_input.yaml', state: 'SUCCEEDED' },
  { fixture: 'essential/pipeline_with_after.yaml', state: 'SUCCEEDED' },
  { fixture: 'gpu-scheduling/nvidia_gpu_scheduling_check.yaml', state: 'SUCCEEDED' },
  { fixture: 'mounted_cabundle_configmap.yaml', state: 'SUCCEEDED' },
  { fixture: 'mounted_cabundle_secret.yaml', state: 'SUCCEEDED' },
  { fixture: 'pipeline_with_only_display_name.yaml', state: 'SUCCEEDED' },
  { fixture: 'run_as_user_cache_disabled.yaml', state: 'SUCCEEDED' },
  { fixture: 'run_as_user_cache_enabled.yaml', state: 'SUCCEEDED' },
  { fixture: 'sequential_v1.yaml', parameters: { param1: 'one', param2: 'two' }, state: 'SUCCEEDED' },
];

/** Container-only fixtures that cannot run here, and why. */
const LEFT_OUT: Readonly<Record<string, string>> = {
  'pipeline_with_concat_placeholder.yaml':
    "its `sh -ec` script uses bash's [[ ]], which the host's sh (dash) lacks",
  'pipeline_with_importer_and_gcpc_types.yaml':
    'it imports gs://ml-pipeline-playground/..., which needs a network',
};

test('the manifest and the left-out list name real fixtures, once each', () => {
  const listed = [...MANIFEST.map((entry) => entry.fixture), ...Object.keys(LEFT_OUT)];
  assert.equal(new Set(listed).size, listed.length);
  for (const fixture of listed)
    assert.ok(existsSync(path.join(REPO_ROOT, 'fixtures/kfp/ir', fixture)), fixture);
});

for (const { dialect, skip } of await dialectTargets()) {
  describe(`KFP fixtures run on ${dialect}`, { skip }, () => {
    let engine: TestEngine;
    before(async () => {
      engine = await startEngine(dialect);
    });
    after(() => engine.close());

    for (const entry of MANIFEST) {
      test(`${entry.fixture} ends ${entry.state}`, async () => {
        const spec = readFileSync(path.join(REPO_ROOT, 'fixtures/kfp/ir', entry.fixture), 'utf8');
        const runId = await createRun(engine.db, engine.dialect, {
          displayName: entry.fixture,
          pipelineSpec: spec,
          ...(entry.parameters ? { parameters: entry.parameters } : {}),
        });
        const run = await waitForRun(engine, runId);
        assert.equal(run.state, entry.state, run.error ?? '');
        const tasks = await tasksOf(engine, runId);
        for (const [taskPath, expected] of Object.entries(entry.outputs ?? {})) {
          const outputs = JSON.parse(tasks.get(taskPath)?.outputs ?? '{}');
          assert.deepEqual(outputs.parameters, expected, taskPath);
        }
      });
    }
  });
}
