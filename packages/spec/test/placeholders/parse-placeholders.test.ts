import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PlaceholderSyntaxError, parseArgument, parseTemplateText } from '../../src/index.ts';

describe('parseTemplateText', () => {
  test('every string placeholder form of the KFP container contract', () => {
    const cases: [string, unknown][] = [
      ['{{$}}', { kind: 'executorInput' }],
      ["{{$.inputs.parameters['epochs']}}", { kind: 'inputParameter', name: 'epochs' }],
      ['{{$.inputs.parameters["epochs"]}}', { kind: 'inputParameter', name: 'epochs' }],
      ["{{$.inputs.artifacts['data'].path}}", { kind: 'inputArtifact', name: 'data', field: 'path' }],
      ["{{$.inputs.artifacts['data'].uri}}", { kind: 'inputArtifact', name: 'data', field: 'uri' }],
      ["{{$.inputs.artifacts['data'].metadata}}", { kind: 'inputArtifact', name: 'data', field: 'metadata' }],
      [
        "{{$.inputs.artifacts['data'].metadata['rows']}}",
        { kind: 'inputArtifact', name: 'data', field: 'metadataKey', key: 'rows' },
      ],
      ["{{$.inputs.artifacts['data'].value}}", { kind: 'inputArtifact', name: 'data', field: 'value' }],
      ["{{$.inputs.artifacts['data']}}", { kind: 'inputArtifact', name: 'data', field: 'artifact' }],
      ["{{$.outputs.artifacts['model'].path}}", { kind: 'outputArtifact', name: 'model', field: 'path' }],
      ["{{$.outputs.artifacts['model'].uri}}", { kind: 'outputArtifact', name: 'model', field: 'uri' }],
      [
        "{{$.outputs.artifacts['model'].metadata}}",
        { kind: 'outputArtifact', name: 'model', field: 'metadata' },
      ],
      ["{{$.outputs.parameters['score'].output_file}}", { kind: 'outputParameterFile', name: 'score' }],
      ['{{$.outputs.output_file}}', { kind: 'outputMetadataFile' }],
      ['{{$.pipeline_job_name}}', { kind: 'system', name: 'pipeline_job_name' }],
      ['{{$.pipeline_task_uuid}}', { kind: 'system', name: 'pipeline_task_uuid' }],
      ['{{$.workspace_path}}', { kind: 'system', name: 'workspace_path' }],
      ['{{$.something_new}}', { kind: 'unknown', text: '{{$.something_new}}' }],
    ];
    for (const [text, expected] of cases) assert.deepEqual(parseTemplateText(text), [expected], text);
  });

  test('literal text around and between placeholders is kept in order', () => {
    assert.deepEqual(parseTemplateText("--in={{$.inputs.parameters['a']}}/{{$.pipeline_job_uuid}}.txt"), [
      '--in=',
      { kind: 'inputParameter', name: 'a' },
      '/',
      { kind: 'system', name: 'pipeline_job_uuid' },
      '.txt',
    ]);
    assert.deepEqual(parseTemplateText('no placeholders {{ here }}'), ['no placeholders {{ here }}']);
  });

  test('malformed input and output placeholders are errors, not silently passed', () => {
    for (const text of [
      "{{$.inputs.parameter['a']}}",
      "{{$.outputs.parameters['a']}}",
      "{{$.outputs.artifacts['a'].size}}",
      "{{$.inputs.artifacts['a'].uri['x']}}",
    ]) {
      assert.throws(() => parseTemplateText(text), PlaceholderSyntaxError, text);
    }
  });
});

describe('parseArgument', () => {
  test('Concat and IfPresent as the KFP SDK serialises them', () => {
    const concat = parseArgument(`{"Concat": ["prefix-", "{{$.inputs.parameters['text1']}}"]}`);
    assert.deepEqual(concat, {
      kind: 'concat',
      items: [
        { kind: 'text', parts: ['prefix-'] },
        { kind: 'text', parts: [{ kind: 'inputParameter', name: 'text1' }] },
      ],
    });
    const ifPresent = parseArgument(
      `{"IfPresent": {"InputName": "optional_input", "Then": ["--in", "{{$.inputs.parameters['optional_input']}}"], "Else": "bye"}}`,
    );
    assert.deepEqual(ifPresent, {
      kind: 'ifPresent',
      inputName: 'optional_input',
      whenPresent: [
        { kind: 'text', parts: ['--in'] },
        { kind: 'text', parts: [{ kind: 'inputParameter', name: 'optional_input' }] },
      ],
      whenAbsent: [{ kind: 'text', parts: ['bye'] }],
    });
  });

  test('structured placeholders nest', () => {
    const nested = parseArgument(`{"IfPresent": {"InputName": "a", "Then": [{"Concat": ["x", "y"]}]}}`);
    assert.equal(nested.kind, 'ifPresent');
    assert.equal(nested.kind === 'ifPresent' && nested.whenPresent[0]?.kind, 'concat');
    assert.deepEqual(nested.kind === 'ifPresent' && nested.whenAbsent, []);
  });

  test('broken structured placeholders say what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['{"Concat": "x"}', /Concat takes a list/],
      ['{"IfPresent": {"Then": ["x"]}}', /IfPresent\.InputName must be a string/],
      ['{"IfPresent": {"InputName": "a", "Otherwise": []}}', /unknown \["Otherwise"\]/],
      ['{"Concat": [1]}', /expected a string or a \{"Concat"\|"IfPresent": \.\.\.\} object, got 1/],
      ['{"Concat": [{"Join": []}]}', /unknown structured placeholder "Join"/],
      ['{"Concat": [], "IfPresent": {}}', /exactly one key/],
    ];
    for (const [text, message] of cases) assert.throws(() => parseArgument(text), message, text);
  });
});
