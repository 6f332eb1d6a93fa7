import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasErrors, loadPipelineText } from '@cairn/spec';
import {
  compile,
  compilePipeline,
  containerComponent,
  functionComponent,
  Parameter,
  pipeline,
} from '../../src/index.ts';
import { compiledSpec } from './support/compiled-spec.ts';

const train = containerComponent({
  name: 'train',
  image: 'trainer:1',
  inputs: { rate: Parameter.Float.default(0.5), label: Parameter.String.default('naïve "model"') },
  outputs: { model: Parameter.String },
  command: ({ inputs, outputs }) => ['train', inputs.rate, inputs.label, outputs.model],
});

const sample = pipeline(
  {
    name: 'sample',
    description: 'First line.\nSecond line.',
    inputs: {
      rate: Parameter.Float.default(0.25),
      epochs: Parameter.Integer.default(3),
      tags: Parameter.List.default(['a', 1e-5]),
      config: Parameter.Struct.default({ depth: 2 }),
      name: Parameter.String,
    },
    outputs: { model: Parameter.String },
  },
  ({ rate }) => {
    const task = train({ rate }).setRetry({ maxRetryCount: 2 }).setAcceleratorType('tpu').setCpuLimit('1');
    return { model: task.outputs.model };
  },
);

describe('compile', () => {
  it('writes YAML as KFP does: header, sorted keys, floats with a fraction, 64-bit integers as strings', () => {
    const yaml = compile(sample);
    assert.ok(
      yaml.startsWith(
        [
          '# PIPELINE DEFINITION',
          '# Name: sample',
          '# Description: First line.',
          '#              Second line.',
          '# Inputs:',
          "#    config: dict [Default: {'depth': 2.0}]",
          '#    epochs: int [Default: 3.0]',
          '#    name: str',
          '#    rate: float [Default: 0.25]',
          "#    tags: list [Default: ['a', 1e-05]]",
          '# Outputs:',
          '#    model: str',
          'components:',
          '',
        ].join('\n'),
      ),
      yaml,
    );
    assert.match(yaml, /\n {6}epochs:\n {8}defaultValue: 3\.0\n/);
    assert.match(yaml, /\n {10}maxRetryCount: 2\n/);
    assert.match(yaml, /\n {10}backoffFactor: 2\.0\n/);
    assert.match(yaml, /\n {12}count: '1'\n/);
    assert.match(yaml, /\n {10}cpuLimit: 1\.0\n/);
    assert.match(yaml, /\n {8}- 1\.0e-05\n/);
    const keys = [...yaml.matchAll(/^([a-zA-Z]+):/gm)].map(([, key]) => key);
    assert.deepStrictEqual(keys, [
      'components',
      'deploymentSpec',
      'pipelineInfo',
      'root',
      'schemaVersion',
      'sdkVersion',
    ]);
  });

  it("writes JSON as Python's json.dump(indent=2, sort_keys=True) does", () => {
    const json = compile(sample, { format: 'json' });
    assert.match(json, /^\{\n {2}"components": \{\n/);
    assert.match(json, /"defaultValue": 3\.0,/);
    assert.match(json, /"maxRetryCount": 2\n/);
    assert.match(json, /"count": "1",/);
    assert.match(json, /"defaultValue": "na\\u00efve \\"model\\"",/);
    const loaded = loadPipelineText(json);
    assert.ok(!hasErrors(loaded.issues));
    assert.deepStrictEqual(loaded.pipeline?.spec, compiledSpec(sample));
  });

  it('returns a fresh spec object each time', () => {
    const first = compilePipeline(sample);
    first.pipelineInfo.name = 'changed';
    assert.equal(compilePipeline(sample).pipelineInfo.name, 'sample');
  });

  it('applies overrides of the name, display name and input defaults', () => {
    const spec = compiledSpec(sample, {
      pipelineName: 'nightly',
      displayName: 'Nightly run',
      pipelineParameters: { rate: 0.75, name: 'night' },
    });
    assert.equal(spec.pipelineInfo.name, 'nightly');
    assert.equal(spec.pipelineInfo.displayName, 'Nightly run');
    assert.deepStrictEqual(spec.root.inputDefinitions?.parameters?.rate, {
      defaultValue: 0.75,
      isOptional: true,
      parameterType: 'NUMBER_DOUBLE',
    });
    assert.deepStrictEqual(spec.root.inputDefinitions?.parameters?.name, {
      defaultValue: 'night',
      parameterType: 'STRING',
    });
    assert.throws(
      () => compilePipeline(sample, { pipelineParameters: { missing: 1 } }),
      /does not match any known pipeline input/,
    );
    assert.throws(
      () => compilePipeline(sample, { pipelineParameters: { epochs: 'many' } }),
      /takes a NUMBER_INTEGER value/,
    );
    assert.throws(
      () => compilePipeline(sample, { pipelineName: 'Not Valid' }),
      /Invalid pipeline name: Not Valid/,
    );
  });

  it('compiles a single component as a pipeline of one task', () => {
    const spec = compiledSpec(train);
    assert.deepStrictEqual(spec.root.dag?.tasks?.train?.inputs?.parameters, {
      label: { componentInputParameter: 'label' },
      rate: { componentInputParameter: 'rate' },
    });
    assert.deepStrictEqual(spec.root.dag?.outputs, {
      parameters: {
        model: { valueFromParameter: { producerSubtask: 'train', outputParameterKey: 'model' } },
      },
    });
  });

  it('embeds TypeScript functions in the containers of function components', () => {
    const double = functionComponent(
      { name: 'double', inputs: { n: Parameter.Integer }, outputs: { twice: Parameter.Integer } },
      async ({ n }) => ({ twice: n * 2 }),
    );
    const container = compiledSpec(double).deploymentSpec?.executors?.['exec-double']?.container;
    assert.deepStrictEqual(container?.args, ['--executor_input', '{{$}}', '--function_to_execute', 'double']);
    assert.match(container?.command?.at(-1) ?? '', /n \* 2/);
  });

  it('rejects what is not a pipeline or component, and unknown formats', () => {
    // @ts-expect-error compile takes a pipeline or a component
    assert.throws(() => compile({}), /compile takes a pipeline or a component/);
    // @ts-expect-error there is no XML format
    assert.throws(() => compile(sample, { format: 'xml' }), /unknown format "xml"/);
  });
});
