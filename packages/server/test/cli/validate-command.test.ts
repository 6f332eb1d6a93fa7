import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';

const KFP_IR = path.resolve(import.meta.dirname, '../../../../fixtures/kfp/ir');

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function writeSpec(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cairn-validate-')), name);
  writeFileSync(file, text);
  return file;
}

const MISSPELT = `pipelineInfo: {name: typo}
schemaVersion: 2.1.0
components:
  comp-train: {executorLabel: exec-train}
deploymentSpec:
  executors:
    exec-train: {container: {image: alpine, command: [echo]}}
root:
  dag:
    tasks:
      train: {componentRef: {name: comp-trian}, taskInfo: {name: train}}
`;

describe('cairn validate', () => {
  test('a valid KFP pipeline is ok, with exit status 0', async () => {
    const result = await cli('validate', path.join(KFP_IR, 'hello_world.yaml'));
    assert.equal(result.code, 0, result.err);
    assert.equal(result.out, `${path.join(KFP_IR, 'hello_world.yaml')}: ok (pipeline "echo": 1 task)`);
  });

  test('one line per file, the errors of an invalid file with their paths, and exit status 1', async () => {
    const bad = writeSpec('typo.yaml', MISSPELT);
    const good = path.join(KFP_IR, 'critical/pipeline_with_secret_as_env.yaml');
    const result = await cli('validate', good, bad);
    assert.equal(result.code, 1);
    assert.deepEqual(result.out.split('\n'), [
      `${good}: ok (pipeline "pipeline-secret-env": 2 tasks)`,
      `${bad}: invalid, 1 error`,
      '  error: root.dag.tasks.train.componentRef.name (line 11, column 36): component "comp-trian" is not defined (did you mean "comp-train"?)',
    ]);
  });

  test('-o json describes a valid pipeline with the shape of its plan', async () => {
    const file = path.join(KFP_IR, 'pipeline_with_loops_and_conditions.yaml');
    const result = await cli('validate', '-o', 'json', file);
    assert.equal(result.code, 0, result.err);
    assert.deepEqual(JSON.parse(result.out), {
      valid: true,
      files: [
        {
          file,
          valid: true,
          pipeline_name: 'pipeline-with-loops-and-conditions-multi-layers',
          plan: { dags: 15, tasks: 27, loops: 8, conditions: 6, exit_handlers: 0 },
          errors: [],
          warnings: [],
        },
      ],
    });
  });

  test('-o json gives each file with its errors and warnings', async () => {
    const bad = writeSpec('typo.yaml', `${MISSPELT}labels: {team: ml}\n`);
    const result = await cli('validate', '-o', 'json', bad);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.out);
    assert.equal(report.valid, false);
    assert.equal(report.files[0].file, bad);
    assert.deepEqual(report.files[0].errors, [
      {
        code: 'COMPONENT_UNDEFINED',
        document: 'pipeline_spec',
        path: 'root.dag.tasks.train.componentRef.name',
        line: 11,
        column: 36,
        message: 'component "comp-trian" is not defined (did you mean "comp-train"?)',
      },
    ]);
    assert.equal(report.files[0].warnings[0].code, 'FIELD_UNKNOWN');
    assert.equal(report.files[0].warnings[0].path, 'labels');
  });

  test('warnings alone leave a file valid, unless --strict', async () => {
    const file = writeSpec(
      'extra.yaml',
      MISSPELT.replace('comp-trian', 'comp-train').concat('labels: {a: b}\n'),
    );
    const lenient = await cli('validate', file);
    assert.equal(lenient.code, 0, lenient.out);
    assert.match(
      lenient.out,
      /: ok \(pipeline "typo": 1 task\), 1 warning\n {2}warning: labels \(line 12, column 9\): unknown field/,
    );
    const strict = await cli('validate', '--strict', file);
    assert.equal(strict.code, 1);
    assert.match(strict.out, /: invalid, 1 warning/);
  });

  test('a file that cannot be read is invalid and says why', async () => {
    const result = await cli('validate', '/nonexistent/pipeline.yaml');
    assert.equal(result.code, 1);
    assert.match(result.out, /^\/nonexistent\/pipeline\.yaml: invalid: cannot read the file: ENOENT/);
  });

  test('wrong command lines exit with status 2', async () => {
    assert.equal((await cli('validate')).code, 2);
    const format = await cli('validate', '-o', 'xml', path.join(KFP_IR, 'hello_world.yaml'));
    assert.equal(format.code, 2);
    assert.match(format.err, /"xml" is not a format; expected text or json/);
  });

  test('--help explains the exit status', async () => {
    const help = await cli('validate', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /Exit status: 0 when every file is valid, 1 when any is not/);
  });
});
