import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  concat,
  containerComponent,
  Dataset,
  Input,
  ifPresent,
  Model,
  Output,
  Parameter,
  PipelinePlaceholders,
  pipeline,
} from '../../src/index.ts';
import { compiledSpec } from '../compiler/support/compiled-spec.ts';

const everything = containerComponent({
  name: 'everything',
  image: 'alpine',
  inputs: {
    text: Parameter.String,
    limit: Parameter.Integer.optional(),
    data: Input(Dataset),
    shards: Input.list(Dataset),
  },
  outputs: { count: Parameter.Integer, model: Output(Model) },
  command: ({ inputs, outputs }) => [
    'run',
    inputs.text,
    inputs.data.path,
    inputs.data.uri,
    inputs.data.metadata,
    inputs.data.metadataKey('rows'),
    inputs.shards,
    outputs.count,
    outputs.model.path,
    outputs.model.uri,
    outputs.model.metadata,
    `--text=${inputs.text}`,
    PipelinePlaceholders.executorInput,
    PipelinePlaceholders.executorOutputPath,
    PipelinePlaceholders.jobName,
    PipelinePlaceholders.jobId,
    PipelinePlaceholders.taskName,
  ],
  args: ({ inputs }) => [
    concat('--limit=', ifPresent(inputs.limit, inputs.limit, 'none')),
    ifPresent(inputs.limit, ['--limit', inputs.limit]),
    concat('ü', concat('a', 'b')),
  ],
});

describe('container placeholders', () => {
  it('renders every placeholder as KFP writes it', () => {
    const spec = compiledSpec(everything);
    const container = spec.deploymentSpec?.executors?.['exec-everything']?.container;
    assert.deepStrictEqual(container?.command, [
      'run',
      "{{$.inputs.parameters['text']}}",
      "{{$.inputs.artifacts['data'].path}}",
      "{{$.inputs.artifacts['data'].uri}}",
      "{{$.inputs.artifacts['data'].metadata}}",
      "{{$.inputs.artifacts['data'].metadata['rows']}}",
      "{{$.inputs.artifacts['shards']}}",
      "{{$.outputs.parameters['count'].output_file}}",
      "{{$.outputs.artifacts['model'].path}}",
      "{{$.outputs.artifacts['model'].uri}}",
      "{{$.outputs.artifacts['model'].metadata}}",
      "--text={{$.inputs.parameters['text']}}",
      '{{$}}',
      '{{$.outputs.output_file}}',
      '{{$.pipeline_job_name}}',
      '{{$.pipeline_job_uuid}}',
      '{{$.pipeline_task_name}}',
    ]);
    assert.deepStrictEqual(container?.args, [
      '{"Concat": ["--limit=", {"IfPresent": {"InputName": "limit", "Then": "{{$.inputs.parameters[\'limit\']}}", "Else": "none"}}]}',
      '{"IfPresent": {"InputName": "limit", "Then": ["--limit", "{{$.inputs.parameters[\'limit\']}}"]}}',
      '{"Concat": ["\\u00fc", {"Concat": ["a", "b"]}]}',
    ]);
    assert.deepStrictEqual(spec.root.inputDefinitions?.artifacts?.shards, {
      artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' },
      isArtifactList: true,
    });
  });

  it('refuses what KFP refuses', () => {
    const define = (command: (io: { inputs: { data: { path: unknown } } }) => unknown[]) =>
      containerComponent({
        name: 'refused',
        image: 'alpine',
        inputs: { data: Input(Dataset), text: Parameter.String },
        command: command as never,
      });
    assert.throws(
      () => define(({ inputs }) => ['cat', inputs.data]),
      /a command-line element must be a string or a placeholder; got artifact 'data'/,
    );
    assert.throws(
      () => define(({ inputs }) => [`cat ${inputs.data}`]),
      /artifact 'data' cannot be used as a string/,
    );
    assert.throws(() => `${concat('a')}`, /a concat\(\) placeholder cannot be used inside a string/);
    assert.throws(
      () => concat(ifPresent(everythingInputs().limit, ['a', 'b'])),
      /Cannot use ifPresent\(\) within concat\(\) when its `whenPresent` and `otherwise` arguments are lists/,
    );
    assert.throws(
      () =>
        containerComponent({
          name: 'list-output',
          image: 'alpine',
          outputs: { models: Output.list(Model) },
          command: ['true'],
        }),
      /Output lists of artifacts are only supported for pipelines/,
    );
  });
});

describe('pipeline values inside strings', () => {
  it('become injected inputs, as f-strings do in KFP', () => {
    const echo = containerComponent({
      name: 'echo',
      image: 'alpine',
      inputs: { text: Parameter.String },
      outputs: { Output: Parameter.String },
      command: ({ inputs, outputs }) => ['sh', '-c', `echo ${inputs.text} > ${outputs.Output}`],
    });
    const spec = compiledSpec(
      pipeline({ name: 'f-strings', inputs: { who: Parameter.String } }, ({ who }) => {
        const first = echo({ text: `hello ${who}` });
        echo({ text: `${first.output} and ${who} again, ${PipelinePlaceholders.jobName}` });
      }),
    );
    assert.deepStrictEqual(spec.root.dag?.tasks?.['echo-2']?.inputs?.parameters, {
      text: {
        runtimeValue: {
          constant:
            "{{$.inputs.parameters['pipelinechannel--echo-Output']}} and {{$.inputs.parameters['pipelinechannel--who']}} again, {{$.pipeline_job_name}}",
        },
      },
      'pipelinechannel--echo-Output': {
        taskOutputParameter: { producerTask: 'echo', outputParameterKey: 'Output' },
      },
      'pipelinechannel--who': { componentInputParameter: 'who' },
    });
    assert.deepStrictEqual(spec.root.dag?.tasks?.['echo-2']?.dependentTasks, ['echo']);
  });
});

function everythingInputs(): { limit: Parameters<typeof ifPresent>[0] } {
  let limit: Parameters<typeof ifPresent>[0] | undefined;
  containerComponent({
    name: 'probe',
    image: 'alpine',
    inputs: { limit: Parameter.Integer.optional() },
    command: ({ inputs }) => {
      limit = inputs.limit;
      return [];
    },
  });
  if (limit === undefined) throw new Error('the command function was not called');
  return { limit };
}
