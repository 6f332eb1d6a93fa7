import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { checkPipelineText } from '@cairn/spec';
import { runCli } from '../../src/cli/main.ts';

const EXAMPLES = path.resolve(import.meta.dirname, '../../../../examples');
// Modules written by the tests live inside the repository, so that they resolve '@cairn/sdk' as users'
// pipelines in a project with Cairn installed do.
const SCRATCH = mkdtempSync(path.join(path.resolve(import.meta.dirname, '../../../sdk/test'), '.compile-'));
after(() => rmSync(SCRATCH, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function module(name: string, source: string): string {
  const file = path.join(SCRATCH, name);
  writeFileSync(file, source);
  return file;
}

const TWO_PIPELINES = `
import { containerComponent, pipeline } from '@cairn/sdk';
const hello = containerComponent({ name: 'hello', image: 'alpine', command: ['echo', 'hello'] });
export const first = pipeline({ name: 'first' }, () => { hello(); });
export const second = pipeline({ name: 'second' }, () => { hello(); });
`;

describe('cairn compile', () => {
  test('writes the example as YAML, which validates', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'cairn-compile-')), 'pipeline.yaml');
    const result = await cli('compile', path.join(EXAMPLES, 'train-evaluate-deploy.ts'), '-o', out);
    assert.equal(result.code, 0, result.err);
    assert.equal(result.err, `wrote ${out}`);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /^# PIPELINE DEFINITION\n# Name: train-evaluate-deploy\n/);
    assert.equal(checkPipelineText(text).pipeline?.spec.pipelineInfo.name, 'train-evaluate-deploy');
    assert.deepEqual(
      readdirSync(path.dirname(out)).filter((file) => file.endsWith('.tmp')),
      [],
      'no temporary file is left behind',
    );
  });

  test('writes JSON when the output file ends in .json, or with --format json', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-compile-'));
    const example = path.join(EXAMPLES, 'sharded-word-count.ts');
    assert.equal((await cli('compile', example, '-o', path.join(dir, 'p.json'))).code, 0);
    assert.equal(
      JSON.parse(readFileSync(path.join(dir, 'p.json'), 'utf8')).pipelineInfo.name,
      'sharded-word-count',
    );
    const stdout = await cli('compile', example, '--format', 'json');
    assert.equal(stdout.code, 0, stdout.err);
    assert.equal(JSON.parse(stdout.out).pipelineInfo.name, 'sharded-word-count');
  });

  test('prints to standard output without -o', async () => {
    const result = await cli('compile', path.join(EXAMPLES, 'import-and-check-data.ts'));
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /^# PIPELINE DEFINITION\n# Name: import-and-check-data/);
  });

  test('a module with several pipelines needs --pipeline, which picks one by export name', async () => {
    const file = module('two.ts', TWO_PIPELINES);
    const ambiguous = await cli('compile', file);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.err, /exports 2 pipelines \(first, second\); choose one with --pipeline NAME/);
    const chosen = await cli('compile', file, '--pipeline', 'second');
    assert.equal(chosen.code, 0, chosen.err);
    assert.match(chosen.out, /# Name: second/);
    const unknown = await cli('compile', file, '--pipeline', 'third');
    assert.match(unknown.err, /no pipeline or component exported as "third"; it exports: first, second/);
  });

  test('authoring mistakes fail with the SDK message and write nothing', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'cairn-compile-')), 'never.yaml');
    const file = module(
      'mistake.ts',
      `import { containerComponent, Parameter, pipeline } from '@cairn/sdk';
const add = containerComponent({ name: 'add', image: 'alpine', inputs: { a: Parameter.Integer }, command: ['true'] });
export default pipeline({ name: 'mistake' }, () => { (add as unknown as (args: object) => void)({}); });
`,
    );
    const result = await cli('compile', file, '-o', out);
    assert.equal(result.code, 1);
    assert.match(result.err, /^cairn: error: cannot compile .*mistake\.ts: .*\ba\b/);
    assert.equal(existsSync(out), false);
  });

  test('a module without pipelines, and a missing file, say so', async () => {
    const none = await cli('compile', module('none.ts', 'export const answer = 42;\n'));
    assert.equal(none.code, 1);
    assert.match(none.err, /exports no pipeline: export one/);
    const missing = await cli('compile', path.join(SCRATCH, 'missing.ts'));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot compile .*missing\.ts: Cannot find module/);
  });

  test('an unknown format is a command-line error', async () => {
    const result = await cli('compile', path.join(EXAMPLES, 'sharded-word-count.ts'), '--format', 'toml');
    assert.equal(result.code, 2);
    assert.match(result.err, /"toml" is not a format; expected yaml or json/);
  });
});
