import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { checkPipelineText, formatIssue, type PipelineSpec } from '../../src/index.ts';
import { loadKfpFixture } from '../support/kfp-fixtures.ts';

/** two_step_pipeline.yaml, changed by `mutate`, checked. */
function checkTwoStep(mutate: (spec: PipelineSpec) => void) {
  const spec = structuredClone(loadKfpFixture('two_step_pipeline.yaml').spec);
  mutate(spec);
  return checkPipelineText(stringify(spec));
}

describe('warnings leave a pipeline valid and say what is odd', () => {
  test('a task input its component does not declare', () => {
    const { pipeline, issues } = checkTwoStep((spec) => {
      const inputs = spec.root.dag?.tasks?.['write-to-gcs']?.inputs?.parameters;
      assert.ok(inputs);
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
      const command = spec.deploymentSpec?.executors?.['exec-write-to-gcs']?.container?.command;
      assert.ok(command);
      command.push('{{$.pipeline_job_labels}}');
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
