import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { formatIssue, loadPipelineDocuments, loadPipelineText } from '../../src/index.ts';
import { loadKfpFixture, readKfpFixture } from '../support/kfp-fixtures.ts';

const MINIMAL = {
  pipelineInfo: { name: 'minimal' },
  schemaVersion: '2.1.0',
  root: { dag: { tasks: {} } },
};

describe('loadPipelineText', () => {
  test('JSON and YAML of the same spec load to the same model', () => {
    const yaml = loadPipelineText(readKfpFixture('two_step_pipeline.yaml'));
    assert.ok(yaml.pipeline);
    const json = loadPipelineText(JSON.stringify(yaml.pipeline.spec, null, 2));
    assert.deepEqual(json.pipeline, yaml.pipeline);
    assert.deepEqual(json.issues, []);
  });

  test('a loaded fixture keeps every field it had: nothing known is dropped', () => {
    const text = readKfpFixture('pipeline_with_loops_and_conditions.yaml');
    const { pipeline } = loadPipelineText(text);
    const { pipeline: again } = loadPipelineText(stringify(pipeline?.spec));
    assert.deepEqual(again?.spec, pipeline?.spec);
    assert.match(JSON.stringify(pipeline?.spec), /parseJson\(string_value\)\[\\"B_b\\"\]/);
  });

  test('the second document is the platform spec', () => {
    const { pipeline, issues } = loadPipelineText(
      readKfpFixture('critical/pipeline_with_secret_as_env.yaml'),
    );
    assert.deepEqual(issues, []);
    const kubernetes = pipeline?.platformSpec?.platforms?.kubernetes;
    assert.ok(kubernetes?.deploymentSpec?.executors?.['exec-comp']);
  });

  test('quoted scalars whose continuation lines sit at the list column read as libyaml reads them', () => {
    // pipeline_with_secret_as_env.yaml carries such lines; the same script appears well-indented elsewhere.
    const relaxed = loadKfpFixture('critical/pipeline_with_secret_as_env.yaml').spec;
    const strict = loadKfpFixture('failing/pipeline_with_exit_handler.yaml').spec;
    assert.equal(
      relaxed.deploymentSpec?.executors?.['exec-comp']?.container?.command?.[2],
      strict.deploymentSpec?.executors?.['exec-fail-op']?.container?.command?.[2],
    );
  });

  test('unknown fields are kept, with a warning that suggests the known field', () => {
    const spec = {
      ...MINIMAL,
      futureField: { a: 1 },
      components: { 'comp-a': { executor_label: 'exec-a', executorLabel: 'exec-a' } },
    };
    const { pipeline, issues } = loadPipelineDocuments([spec]);
    assert.ok(pipeline);
    assert.deepEqual(pipeline.spec.futureField, { a: 1 });
    assert.equal(pipeline.spec.components?.['comp-a']?.executor_label, 'exec-a');
    assert.deepEqual(issues.map(formatIssue), [
      'futureField: unknown field of PipelineSpec, kept as it is',
      'components.comp-a.executor_label: unknown field of ComponentSpec, kept as it is (did you mean "executorLabel"?)',
    ]);
    assert.ok(issues.every((issue) => issue.severity === 'warning' && issue.code === 'FIELD_UNKNOWN'));
  });

  test("protobuf's JSON forms are read: enum numbers, integer strings, null as unset", () => {
    const spec = {
      ...MINIMAL,
      root: {
        inputDefinitions: {
          parameters: { n: { parameterType: 2, defaultValue: null }, s: { parameterType: 'STRING' } },
        },
        dag: {
          tasks: {
            t: { componentRef: { name: 'c' }, iteratorPolicy: { parallelismLimit: '3' }, taskInfo: null },
          },
        },
      },
    };
    const { pipeline, issues } = loadPipelineDocuments([spec]);
    assert.deepEqual(issues, []);
    const root = pipeline?.spec.root;
    assert.equal(root?.inputDefinitions?.parameters?.n?.parameterType, 'NUMBER_INTEGER');
    // A google.protobuf.Value keeps null: it is a value, not "unset".
    assert.equal(root?.inputDefinitions?.parameters?.n?.defaultValue, null);
    assert.equal(root?.dag?.tasks?.t?.iteratorPolicy?.parallelismLimit, 3);
    assert.equal(Object.hasOwn(root?.dag?.tasks?.t ?? {}, 'taskInfo'), false);
  });

  test('issues carry the line and column of the offending node', () => {
    const text = stringify({ ...MINIMAL, pipelineInfo: { name: 42 } });
    const { pipeline, issues } = loadPipelineText(text);
    assert.equal(pipeline, undefined);
    assert.equal(issues.length, 1);
    const [issue] = issues;
    assert.equal(issue?.line, 2);
    assert.equal(issue?.column, 9);
    assert.equal(
      issue && formatIssue(issue),
      'pipelineInfo.name (line 2, column 9): expected a string, got number 42',
    );
  });

  test('issues in JSON text carry positions too, and a key written twice is refused there as well', () => {
    const text = JSON.stringify({ ...MINIMAL, pipelineInfo: { name: 42 } }, null, 2);
    assert.deepEqual(loadPipelineText(text).issues.map(formatIssue), [
      'pipelineInfo.name (line 3, column 13): expected a string, got number 42',
    ]);
    const twice =
      '{"pipelineInfo": {"name": "a", "name": "b"}, "schemaVersion": "2.1.0", "root": {"dag": {}}}';
    assert.deepEqual(loadPipelineText(twice).issues.map(formatIssue), [
      '(document) (line 1, column 32): Map keys must be unique',
    ]);
  });

  test('a key named __proto__ stays an ordinary key and pollutes nothing', () => {
    const text =
      '{"pipelineInfo": {"name": "p"}, "schemaVersion": "2.1.0", "root": {"dag": {"tasks": {"__proto__": {"componentRef": {"name": "c"}}}}}}';
    const { pipeline } = loadPipelineText(text);
    const tasks = pipeline?.spec.root.dag?.tasks ?? {};
    assert.deepEqual(Object.keys(tasks), ['__proto__']);
    assert.equal(Object.getPrototypeOf(tasks), Object.prototype);
    assert.equal(({} as Record<string, unknown>).componentRef, undefined);
  });

  test('duplicate keys are a syntax error with a position', () => {
    const { issues } = loadPipelineText('pipelineInfo:\n  name: a\n  name: b\n');
    assert.equal(issues[0]?.code, 'SYNTAX');
    assert.equal(issues[0]?.line, 3);
  });

  test('an alias bomb fails fast as a syntax error instead of exhausting memory', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 12; level++) {
      const previous = `*a${level - 1}`;
      lines.push(`a${level}: &a${level} [${Array(10).fill(previous).join(', ')}]`);
    }
    const started = performance.now();
    const { pipeline, issues } = loadPipelineText(lines.join('\n'));
    assert.equal(pipeline, undefined);
    assert.equal(issues[0]?.code, 'SYNTAX');
    assert.ok(performance.now() - started < 5000);
  });

  test('a component definition is recognised and explained', () => {
    const { issues } = loadPipelineText('name: Train\nimplementation:\n  container:\n    image: python\n');
    assert.match(issues[0]?.message ?? '', /component definition, not a pipeline/);
  });

  test('a platform spec alone is recognised and explained', () => {
    const { issues } = loadPipelineText('platforms:\n  kubernetes: {}\n');
    assert.match(issues[0]?.message ?? '', /PlatformSpec; it must follow the PipelineSpec/);
  });
});
