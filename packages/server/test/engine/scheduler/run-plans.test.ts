// Plans are cached by spec text and shared between runs, so they must be the same plan for the same
// text, unchangeable by any one of their users, and never stand in for a spec that does not validate.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compile, containerComponent, Parameter, pipeline } from '@cairn/sdk';
import { pipelineFromText } from '../../../src/engine/scheduler/run-plans.ts';
import { CairnError } from '../../../src/errors.ts';

function specText(name: string): string {
  const echo = containerComponent({
    name: 'echo',
    image: 'busybox',
    inputs: { word: Parameter.String },
    command: ({ inputs }) => ['echo', inputs.word],
  });
  return compile(
    pipeline({ name, inputs: { word: Parameter.String } }, ({ word }) => {
      echo({ word });
    }),
  );
}

describe('pipelineFromText', () => {
  test('the same text gives the same plan; another text its own', () => {
    const text = specText('plan-cache-same');
    const first = pipelineFromText(text);
    // A copy of the text, not the same string object, as the next request would bring.
    assert.equal(pipelineFromText(` ${text}`.slice(1)), first);
    const other = pipelineFromText(specText('plan-cache-other'));
    assert.notEqual(other, first);
    assert.equal(other.plan.pipeline.name, 'plan-cache-other');
  });

  test('a shared plan cannot be changed by one of its users', () => {
    const { spec, plan } = pipelineFromText(specText('plan-cache-frozen'));
    assert.throws(() => {
      (plan.pipeline as { name: string }).name = 'changed';
    }, TypeError);
    assert.throws(() => {
      (spec.pipelineInfo as { name: string }).name = 'changed';
    }, TypeError);
    assert.equal(pipelineFromText(specText('plan-cache-frozen')).plan.pipeline.name, 'plan-cache-frozen');
  });

  test('a spec that does not validate is refused every time, never kept', () => {
    const text = specText('plan-cache-bad').replace('schemaVersion: 2.1.0', 'schemaVersion: 9.9.9');
    assert.notEqual(text, specText('plan-cache-bad'));
    for (let attempt = 0; attempt < 2; attempt++) {
      assert.throws(
        () => pipelineFromText(text),
        (error: unknown) => error instanceof CairnError && error.code === 'PIPELINE_INVALID',
      );
    }
  });

  test('plans of many pipelines are all right whatever the cache keeps', () => {
    const texts = Array.from({ length: 150 }, (_, index) => specText(`plan-cache-many-${index}`));
    for (const round of [0, 1]) {
      for (const [index, text] of texts.entries()) {
        assert.equal(pipelineFromText(text).plan.pipeline.name, `plan-cache-many-${index}`, `round ${round}`);
      }
    }
  });
});
