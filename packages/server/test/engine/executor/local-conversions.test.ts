// The LocalExecutor's pure conversions: placeholders to argv, parameter values to and from text, and
// resource quantities.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonValue } from '@cairn/spec';
import {
  parameterFromJson,
  parameterFromText,
} from '../../../src/engine/executor/local/convert-parameter.ts';
import type { ExecutorInputJson } from '../../../src/engine/executor/local/executor-input.ts';
import { parameterText } from '../../../src/engine/executor/local/parameter-text.ts';
import { resolveCommandLine } from '../../../src/engine/executor/local/resolve-command-line.ts';
import { planResources } from '../../../src/engine/executor/local/resource-limits.ts';
import { TaskFailure } from '../../../src/engine/executor/local/task-failure.ts';

const executorInput: ExecutorInputJson = {
  inputs: {
    artifacts: {
      shards: {
        artifacts: [
          { name: 'a', type: { schemaTitle: 'system.Dataset' }, uri: 'file:///in/a', metadata: { n: 1 } },
          { name: 'b', type: { schemaTitle: 'system.Dataset' }, uri: 'file:///in/b', metadata: {} },
        ],
      },
    },
    parameterValues: { name: 'x', n: 3 },
  },
  outputs: {
    parameters: { out: { outputFile: '/out/parameters/out' } },
    artifacts: {
      model: {
        artifacts: [{ name: 'model', type: {}, uri: 'file:///out/model%20dir', metadata: { k: 'v' } }],
      },
    },
    outputFile: '/out/output_metadata.json',
  },
};

function resolve(strings: string[], provided: string[] = ['name', 'n', 'shards']): string[] {
  return resolveCommandLine(strings, {
    executorInput,
    provided: new Set(provided),
    system: (name) => (name === 'pipeline_task_name' ? 'task' : undefined),
  });
}

function failure(pattern: RegExp) {
  return (error: unknown) => error instanceof TaskFailure && pattern.test(error.message);
}

describe('resolveCommandLine', () => {
  test('string placeholders, several in one argument', () => {
    assert.deepEqual(
      resolve([
        '--name={{$.inputs.parameters[\'name\']}}-{{$.inputs.parameters["n"]}}',
        "{{$.outputs.parameters['out'].output_file}}",
        "{{$.outputs.artifacts['model'].uri}}",
        "{{$.outputs.artifacts['model'].path}}",
        "{{$.outputs.artifacts['model'].metadata}}",
        '{{$.outputs.output_file}}',
        "{{$.inputs.artifacts['shards'].path}}",
        "{{$.inputs.artifacts['shards'].metadata['n']}}",
        '{{$.pipeline_task_name}} {{$.pipeline_google_cloud_location}} {{$.not_a_placeholder}}',
      ]),
      [
        '--name=x-3',
        '/out/parameters/out',
        'file:///out/model%20dir',
        '/out/model dir',
        '{"k":"v"}',
        '/out/output_metadata.json',
        '/in/a',
        '1',
        'task {{$.pipeline_google_cloud_location}} {{$.not_a_placeholder}}',
      ],
    );
  });

  test('the bare artifact placeholder prints the whole list', () => {
    const [list] = resolve(["{{$.inputs.artifacts['shards']}}"]);
    assert.deepEqual(
      JSON.parse(list ?? '').map((artifact: { uri: string }) => artifact.uri),
      ['file:///in/a', 'file:///in/b'],
    );
  });

  test('IfPresent yields its branch, possibly nothing; Concat makes one argument of nested parts', () => {
    const ifPresent = JSON.stringify({
      IfPresent: { InputName: 'name', Then: ['--name', "{{$.inputs.parameters['name']}}"] },
    });
    const concat = JSON.stringify({
      Concat: [
        'a-',
        { IfPresent: { InputName: 'missing', Then: 'never', Else: { Concat: ['b', '-c'] } } },
        "-{{$.inputs.parameters['n']}}",
      ],
    });
    assert.deepEqual(resolve(['run', ifPresent, concat]), ['run', '--name', 'x', 'a-b-c-3']);
    assert.deepEqual(resolve(['run', ifPresent], []), ['run']);
  });

  test('what cannot be resolved fails with a message that names it', () => {
    assert.throws(() => resolve(["{{$.inputs.parameters['nope']}}"]), failure(/'nope', which has no value/));
    assert.throws(() => resolve(["{{$.outputs.artifacts['nope'].path}}"]), failure(/output artifact 'nope'/));
    assert.throws(
      () => resolve(['{"Concat": "not a list"}']),
      failure(/element 0 has a malformed placeholder/),
    );
  });
});

describe('parameter text', () => {
  test('numbers never use exponents, as in KFP (Go)', () => {
    const cases: [JsonValue, string][] = [
      [1e21, '1000000000000000000000'],
      [1.5e-7, '0.00000015'],
      [-2.5e-10, '-0.00000000025'],
      [123.456, '123.456'],
      [1.2345e22, '12345000000000000000000'],
      [true, 'true'],
      [null, 'null'],
      [[1, 'a'], '[1,"a"]'],
      ['as is', 'as is'],
    ];
    for (const [value, text] of cases) assert.equal(parameterText(value), text);
  });
});

describe('output parameter conversion', () => {
  test('from text, as KFP reads output files', () => {
    assert.equal(parameterFromText(' -42\n', 'NUMBER_INTEGER', 'p', 'f'), -42);
    assert.equal(parameterFromText('1.5e3', 'NUMBER_DOUBLE', 'p', 'f'), 1500);
    assert.equal(parameterFromText('F', 'BOOLEAN', 'p', 'f'), false);
    assert.deepEqual(parameterFromText('{"a": [1]}', 'STRUCT', 'p', 'f'), { a: [1] });
    assert.equal(parameterFromText(' x \n', 'STRING', 'p', 'f'), ' x \n');
    assert.throws(
      () => parameterFromText('1.0', 'NUMBER_INTEGER', 'p', 'f'),
      failure(/must be NUMBER_INTEGER/),
    );
    assert.throws(
      () => parameterFromText('9223372036854775808', 'NUMBER_INTEGER', 'p', 'f'),
      failure(/64-bit/),
    );
    assert.throws(() => parameterFromText('inf', 'NUMBER_DOUBLE', 'p', 'f'), failure(/a finite number/));
    assert.throws(() => parameterFromText('1e999', 'NUMBER_DOUBLE', 'p', 'f'), failure(/too large/));
    assert.throws(() => parameterFromText('yes', 'BOOLEAN', 'p', 'f'), failure(/true or false/));
    assert.throws(() => parameterFromText('{"a": 1}', 'LIST', 'p', 'f'), failure(/a JSON array/));
    assert.throws(() => parameterFromText('[1,', 'LIST', 'p', 'f'), failure(/not JSON/));
  });

  test('from the ExecutorOutput: matching values kept, text read, other values refused', () => {
    assert.equal(parameterFromJson(3, 'NUMBER_INTEGER', 'p', 'o'), 3);
    assert.equal(parameterFromJson('3', 'NUMBER_INTEGER', 'p', 'o'), 3);
    assert.equal(parameterFromJson({ a: 1 }, 'STRING', 'p', 'o'), '{"a":1}');
    assert.throws(
      () => parameterFromJson(3.5, 'NUMBER_INTEGER', 'p', 'o'),
      failure(/'p' must be NUMBER_INTEGER.*o gives 3\.5/),
    );
    assert.throws(() => parameterFromJson(null, 'STRING', 'p', 'o'), failure(/must be STRING/));
  });
});

describe('resource quantities', () => {
  const limiter = { prlimit: '/usr/bin/prlimit' };

  test('memory limits in every Kubernetes form, and the legacy numeric fields in GB', () => {
    const bytes = (resourceMemoryLimit: string) =>
      planResources({ resourceMemoryLimit }, {}, limiter).dataLimitBytes;
    assert.equal(bytes('4G'), 4e9);
    assert.equal(bytes('512Mi'), 512 * 2 ** 20);
    assert.equal(bytes('1.5Gi'), 1.5 * 2 ** 30);
    assert.equal(bytes('129e6'), 129e6);
    assert.equal(bytes('1000'), 1000);
    assert.equal(planResources({ memoryLimit: 2.5 }, {}, limiter).dataLimitBytes, 2.5e9);
    assert.throws(() => bytes('4 GB'), failure(/memory limit "4 GB" is not a Kubernetes quantity/));
  });

  test('placeholders in resource fields read input parameters only', () => {
    const plan = planResources(
      { resourceCpuLimit: "{{$.inputs.parameters['cpu']}}" },
      { cpu: '500m' },
      limiter,
    );
    assert.deepEqual(
      plan.records.map((record) => record.requested),
      ['500m'],
    );
    assert.throws(
      () => planResources({ resourceCpuLimit: "{{$.inputs.parameters['cpu']}}" }, {}, limiter),
      failure(/reads input parameter 'cpu', which has no value/),
    );
    assert.throws(
      () => planResources({ resourceCpuLimit: '{{$.pipeline_job_name}}' }, {}, limiter),
      failure(/may only use input parameter placeholders/),
    );
  });
});
