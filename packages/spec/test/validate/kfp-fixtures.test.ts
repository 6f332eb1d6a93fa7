import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkPipelineText, formatIssue } from '../../src/index.ts';
import { kfpFixtureNames, readKfpFixture } from '../support/kfp-fixtures.ts';

describe('KFP compiled fixtures', () => {
  const names = kfpFixtureNames();

  test('all 109 fixtures are present', () => {
    assert.equal(names.length, 109);
  });

  for (const name of names) {
    test(`${name} loads, validates and plans without errors or warnings`, () => {
      const { pipeline, plan, issues } = checkPipelineText(readKfpFixture(name));
      assert.deepEqual(issues.map(formatIssue), []);
      assert.ok(pipeline);
      assert.ok(plan.summary.tasks.total > 0);
    });
  }
});
