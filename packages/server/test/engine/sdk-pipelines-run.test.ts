// The TypeScript rewrites of KFP's pipelines (the SDK's compiler tests compare them with KFP's own
// compiled output) run through the engine to their expected ends. Together they cover conditions and
// nested conditions, If/Elif/Else, loops with and without a parallelism limit, nested loops, loops over
// artifacts, Collected, OneOf, exit handlers and final status, ignore-upstream-failure, retries, the
// importer and nested pipelines.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compile, loadPipelineModule } from '@cairn/sdk';
import type { JsonValue } from '@cairn/spec';
import { createRun } from '../../src/engine/runs/create-run.ts';
import { dialectTargets } from '../support/test-databases.ts';
import { REPO_ROOT, startEngine, type TestEngine, tasksOf, waitForRun } from './support/engine-harness.ts';

const PIPELINES = path.join(REPO_ROOT, 'packages/sdk/test/compiler/pipelines');

interface Expectation {
  readonly state: 'SUCCEEDED' | 'FAILED';
  /** The run's parameters; `scratch` is a directory the tasks may write to. */
  readonly parameters?: (scratch: string) => Record<string, JsonValue>;
  /** Further checks on the finished run's task rows, by path. */
  readonly check?: (tasks: Map<string, { state: string; outputs: string | null }>) => void;
}

const FAILS_INSIDE_EXIT_HANDLER: Expectation = { state: 'FAILED' };

const EXPECTED: Readonly<Record<string, Expectation>> = {
  'pipeline-with-dynamic-importer-metadata.ts': {
    state: 'SUCCEEDED',
    check: (tasks) => {
      const importers = [...tasks.entries()].filter(([taskPath]) => /\/importer(-\d+)?$/.test(taskPath));
      assert.ok(importers.length > 0);
      for (const [taskPath, row] of importers) {
        const metadata = JSON.stringify(JSON.parse(row.outputs ?? '{}').artifacts.artifact[0].metadata);
        assert.doesNotMatch(
          metadata,
          /\{\{\$/,
          `${taskPath}: the importer's metadata placeholders are resolved`,
        );
      }
    },
  },
  'pipeline-as-exit-task.ts': FAILS_INSIDE_EXIT_HANDLER,
  'pipeline-with-exit-handler.ts': FAILS_INSIDE_EXIT_HANDLER,
  'pipeline-with-multiple-exit-handlers.ts': FAILS_INSIDE_EXIT_HANDLER,
  'pipeline-with-task-final-status.ts': FAILS_INSIDE_EXIT_HANDLER,
  'pipeline-with-ignore-upstream-failure.ts': { state: 'FAILED' },
  'pipeline-with-ignore-upstream-failure-after.ts': {
    state: 'FAILED',
    parameters: (scratch) => ({ marker_path: path.join(scratch, `marker-${Math.random()}`) }),
    check: (tasks) =>
      assert.equal(tasks.get('root/write-marker')?.state, 'SUCCEEDED', 'ran despite the failure'),
  },
  'pipeline-with-parallelfor-pipeline-param.ts': {
    state: 'SUCCEEDED',
    parameters: () => ({ loop_parameter: ['a', 'b', 'c'], prefix: 'item-' }),
  },
  'pipeline-with-retry.ts': {
    state: 'SUCCEEDED',
    parameters: (scratch) => ({ counter_path: path.join(scratch, `counter-${Math.random()}`) }),
    check: (tasks) =>
      assert.equal(JSON.parse(tasks.get('root/flaky')?.outputs ?? '{}').parameters.Output, 'attempt=2'),
  },
};

/** Rewrites that cannot run here, and why. */
const LEFT_OUT: Readonly<Record<string, string>> = {
  'container-with-concat-placeholder.ts': "runs the image's `my_program`, which the host does not have",
  'container-with-if-placeholder.ts': "runs the image's `my_program`, which the host does not have",
  'pipeline-with-importer.ts': 'imports gs://ml-pipeline-playground/..., which needs a network',
  'pipeline-with-metadata-fields.ts':
    'takes an input artifact, and a run is given parameters only (as in KFP)',
};

const files = readdirSync(PIPELINES)
  .filter((file) => file.endsWith('.ts'))
  .sort();

test('every rewrite is run or left out with a reason', () => {
  assert.ok(files.length >= 30);
  for (const file of [...Object.keys(EXPECTED), ...Object.keys(LEFT_OUT)]) {
    assert.ok(existsSync(path.join(PIPELINES, file)), file);
  }
});

for (const { dialect, skip } of await dialectTargets()) {
  describe(`the SDK's rewrites of KFP pipelines run on ${dialect}`, { skip }, () => {
    let engine: TestEngine;
    let scratch: string;
    before(async () => {
      engine = await startEngine(dialect);
      scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-sdk-runs-'));
    });
    after(async () => {
      await engine.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    for (const file of files.filter((name) => !(name in LEFT_OUT))) {
      const expected = EXPECTED[file] ?? { state: 'SUCCEEDED' };
      test(`${file} ends ${expected.state}`, async () => {
        const { target } = await loadPipelineModule(path.join(PIPELINES, file));
        const runId = await createRun(engine.db, engine.dialect, {
          displayName: file,
          pipelineSpec: compile(target),
          ...(expected.parameters ? { parameters: expected.parameters(scratch) } : {}),
        });
        const run = await waitForRun(engine, runId);
        assert.equal(run.state, expected.state, run.error ?? '');
        expected.check?.(await tasksOf(engine, runId));
      });
    }
  });
}
