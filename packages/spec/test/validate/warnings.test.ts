import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { checkPipelineText, formatIssue } from '../../src/index.ts';
import { loadKfpFixture } from '../support/kfp-fixtures.ts';

type Node = Record<string, Record<string, unknown>>;

/** two_step_pipeline.yaml, changed by `mutate`, checked. */
function checkTwoStep(mutate: (spec: Node) => void) {
  const spec = structuredClone(loadKfpFixture('two_step_pipeline.yaml').spec) as unknown as Node;
  mutate(spec);
  return checkPipelineText(stringify(spec));
}

describe('warnings leave a pipeline valid and say what is odd', () => {
  test('a task input its component does not declare', () => {
    const { pipeline, issues } = checkTwoStep((spec) => {
      const tasks = (spec.root?.dag as Node).tasks as Node;
      const inputs = (tasks['write-to-gcs']?.inputs as Node).parameters as Record<string, unknown>;
      inputs.txet = { runtimeValue: { constant: 'typo' } };
    });
    assert.ok(pipeline, 'still valid');
    assert.deepEqual(issues.map(formatIssue), [
      'root.dag.tasks.write-to-gcs.inputs.parameters.txet (line 75, column 15): component "comp-write-to-gcs" has no input parameter "txet"; the value is passed but nothing reads it (did you mean "text"?)',
    ]);
    assert.equal(issues[0]?.severity, 'warning');
  });

  test('a placeholder KFP may have added since this version of Cairn', () => {
    const { pipeline, issues } = checkTwoStep((spec) => {
      const executors = (spec.deploymentSpec as Node).executors as Node;
      const container = executors['exec-write-to-gcs']?.container as { command: string[] };
      container.command.push('{{$.pipeline_job_labels}}');
    });
    assert.ok(pipeline, 'still valid');
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.code, 'PLACEHOLDER_SYNTAX');
    assert.match(
      issues[0]?.message ?? '',
      /\{\{\$\.pipeline_job_labels\}\} is not a placeholder Cairn knows; it is passed unchanged/,
    );
  });
});
