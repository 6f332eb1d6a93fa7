// Values crossing group boundaries in ways the KFP fixtures do not show: Collected lists and OneOf outputs
// consumed inside other groups, named as KFP's compiler names them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Collected,
  containerComponent,
  Dataset,
  If,
  Input,
  OneOf,
  Output,
  ParallelFor,
  Parameter,
  pipeline,
} from '../../src/index.ts';
import { compiledSpec } from './support/compiled-spec.ts';

const make = containerComponent({
  name: 'make',
  image: 'alpine',
  inputs: { n: Parameter.Integer.default(1) },
  outputs: { Output: Parameter.String, data: Output(Dataset) },
  command: ({ inputs, outputs }) => ['make', inputs.n, outputs.Output, outputs.data.path],
});

const use = containerComponent({
  name: 'use',
  image: 'alpine',
  inputs: {
    texts: Parameter.List.optional(),
    datas: Input.list(Dataset).optional(),
    text: Parameter.String.optional(),
  },
  command: ['use'],
});

const spec = compiledSpec(
  pipeline({ name: 'surfacing' }, () => {
    const coin = make();
    const made = ParallelFor([1, 2], (n) => make({ n }));
    If(coin.outputs.Output.eq('a'), () => {
      use({ texts: Collected(made.outputs.Output), datas: Collected(made.outputs.data) });
    });
    const [heads, tails] = If(coin.outputs.Output.eq('x'), () => make()).Else(() => make());
    If(coin.outputs.Output.eq('y'), () => {
      use({ text: OneOf(heads.outputs.Output, tails.outputs.Output) });
    });
  }),
);

describe('values surfaced across groups', () => {
  it('surfaces Collected outputs from their loop, as lists', () => {
    const loop = spec.components?.['comp-for-loop-2'];
    assert.deepStrictEqual(loop?.outputDefinitions, {
      parameters: { 'pipelinechannel--make-2-Output': { parameterType: 'LIST' } },
      artifacts: {
        'pipelinechannel--make-2-data': {
          artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' },
          isArtifactList: true,
        },
      },
    });
    assert.deepStrictEqual(loop?.dag?.outputs, {
      parameters: {
        'pipelinechannel--make-2-Output': {
          valueFromParameter: { producerSubtask: 'make-2', outputParameterKey: 'Output' },
        },
      },
      artifacts: {
        'pipelinechannel--make-2-data': {
          artifactSelectors: [{ producerSubtask: 'make-2', outputArtifactKey: 'data' }],
        },
      },
    });
  });

  it('passes Collected lists into a condition under the names KFP gives them', () => {
    const condition = spec.root.dag?.tasks?.['condition-3'];
    assert.deepStrictEqual(
      condition?.inputs?.parameters?.['pipelinechannel--for-loop-2-pipelinechannel--make-2-Output'],
      {
        taskOutputParameter: {
          producerTask: 'for-loop-2',
          outputParameterKey: 'pipelinechannel--make-2-Output',
        },
      },
    );
    assert.deepStrictEqual(
      condition?.inputs?.artifacts?.['pipelinechannel--for-loop-2-pipelinechannel--make-2-data'],
      {
        taskOutputArtifact: { producerTask: 'for-loop-2', outputArtifactKey: 'pipelinechannel--make-2-data' },
      },
    );
    assert.deepStrictEqual(condition?.dependentTasks, ['for-loop-2', 'make']);
    assert.deepStrictEqual(spec.components?.['comp-condition-3']?.dag?.tasks?.use?.inputs, {
      parameters: {
        texts: { componentInputParameter: 'pipelinechannel--for-loop-2-pipelinechannel--make-2-Output' },
      },
      artifacts: {
        datas: { componentInputArtifact: 'pipelinechannel--for-loop-2-pipelinechannel--make-2-data' },
      },
    });
  });

  it('passes a OneOf from its condition-branches group into another condition', () => {
    const branches = spec.components?.['comp-condition-branches-4'];
    assert.deepStrictEqual(branches?.dag?.outputs?.parameters, {
      'pipelinechannel--condition-branches-4-oneof-1': {
        valueFromOneof: {
          parameterSelectors: [
            { producerSubtask: 'condition-5', outputParameterKey: 'pipelinechannel--make-3-Output' },
            { producerSubtask: 'condition-6', outputParameterKey: 'pipelinechannel--make-4-Output' },
          ],
        },
      },
    });
    const condition = spec.root.dag?.tasks?.['condition-7'];
    assert.deepStrictEqual(condition?.dependentTasks, ['condition-branches-4', 'make']);
    assert.deepStrictEqual(spec.components?.['comp-condition-7']?.dag?.tasks?.['use-2']?.inputs?.parameters, {
      text: {
        componentInputParameter:
          'pipelinechannel--condition-branches-4-pipelinechannel--condition-branches-4-oneof-1',
      },
    });
  });
});
