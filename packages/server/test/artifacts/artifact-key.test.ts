import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  outputArtifactKey,
  validateArtifactKey,
  validateKeyPrefix,
} from '../../src/artifacts/artifact-key.ts';
import { CairnError } from '../../src/errors.ts';

function assertKeyInvalid(run: () => unknown, ...fragments: string[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CairnError, `expected a CairnError, got ${String(error)}`);
    assert.equal(error.code, 'ARTIFACT_KEY_INVALID');
    for (const fragment of fragments)
      assert.ok(error.message.includes(fragment), `"${fragment}" in: ${error.message}`);
    return true;
  });
}

const goodKeys = [
  'a',
  'pipeline/run-1/train/model',
  'a/b/c/d/e/f/g',
  'with space/and-dash_under.score',
  '.hidden/file',
  'a/.cairn-tmp',
  'cairn-tmp',
  '..a/b..',
  'a/...',
  'unicode/ünïcödé/日本語/🙂',
  'C/not-a-drive',
  'ab:c',
  'a'.repeat(255),
  `${'a'.repeat(255)}/${'b'.repeat(255)}/${'c'.repeat(255)}/${'d'.repeat(255)}`,
];

const badKeys: Array<[key: string, fragments: string[]]> = [
  ['', ['artifact key "" is invalid', 'is empty', 'expected a relative path']],
  ['/etc/passwd', ['"/etc/passwd"', 'is absolute', 'relative to the store root']],
  ['C:/Windows', ['"C:/Windows"', 'Windows drive "C:"']],
  ['c:relative', ['Windows drive "c:"']],
  ['x:y', ['Windows drive "x:"']],
  ['a\\b', ['"a\\\\b"', 'backslash at index 1', '"/" as the only separator']],
  ['a/b\0c', ['"a/b\\u0000c"', 'control character U+0000 at index 3', 'printable characters only']],
  ['line\nbreak', ['control character U+000A']],
  ['del\u007f', ['control character U+007F']],
  ['c1\u0085', ['control character U+0085']],
  ['lone\ud800', ['unpaired UTF-16 surrogate']],
  ['a//b', ['"a//b"', 'empty segment ("//")']],
  ['a/b/', ['"a/b/"', 'ends with "/"', 'not of a directory']],
  ['.', ['"." segment']],
  ['..', ['".." segment', 'without relative path segments']],
  ['a/../b', ['".." segment']],
  ['a/./b', ['"." segment']],
  ['a/..', ['".." segment']],
  ['.cairn-tmp/x', ['".cairn-tmp/x"', "reserved for the store's own files"]],
  ['.cairn-anything', ['".cairn-"']],
  ['.CAIRN-TMP/x', ['reserved']],
  ['a'.repeat(256), ['segment of 256 bytes', 'at most 255 bytes']],
  [`${'a/'.repeat(512)}b`, ['is 1025 bytes long in UTF-8', 'at most 1024 bytes', '…"']],
  ['é'.repeat(513), ['is 1026 bytes long in UTF-8']],
];

describe('validateArtifactKey', () => {
  for (const key of goodKeys) {
    test(`accepts ${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}`, () => {
      assert.equal(validateArtifactKey(key), key);
    });
  }

  for (const [key, fragments] of badKeys) {
    test(`rejects ${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}`, () => {
      assertKeyInvalid(() => validateArtifactKey(key), ...fragments);
    });
  }

  test('accepts exactly 1024 bytes', () => {
    const key = `${'a'.repeat(200)}/`.repeat(5).concat('b'.repeat(19));
    assert.equal(Buffer.byteLength(key), 1024);
    assert.equal(validateArtifactKey(key), key);
  });

  test('property: a key either throws ARTIFACT_KEY_INVALID or stays inside the root', () => {
    const segment = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.constantFrom('.', '..', '', '.cairn-tmp', 'C:', '\\', '\0', '%2e%2e'),
    );
    const key = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(segment, { maxLength: 6 }).map((segments) => segments.join('/')),
    );
    fc.assert(
      fc.property(key, (candidate) => {
        let valid: string;
        try {
          valid = validateArtifactKey(candidate);
        } catch (error) {
          return error instanceof CairnError && error.code === 'ARTIFACT_KEY_INVALID';
        }
        const resolved = path.posix.join('/root', valid);
        return valid === candidate && resolved.startsWith('/root/') && resolved.length > '/root/'.length;
      }),
      { numRuns: 5000 },
    );
  });
});

describe('validateKeyPrefix', () => {
  test('accepts the empty prefix, a trailing slash and partial segments', () => {
    for (const prefix of ['', 'a', 'a/', 'a/b', 'a/b/', 'pipeline/run-1/tr']) {
      assert.equal(validateKeyPrefix(prefix), prefix);
    }
  });

  test('rejects what keys reject, naming the prefix', () => {
    assertKeyInvalid(() => validateKeyPrefix('/a'), 'artifact key prefix "/a"', 'is absolute');
    assertKeyInvalid(() => validateKeyPrefix('a//'), 'empty segment');
    assertKeyInvalid(() => validateKeyPrefix('/'), 'is absolute');
    assertKeyInvalid(() => validateKeyPrefix('../'), '".." segment');
    assertKeyInvalid(() => validateKeyPrefix('.cairn-tmp/'), 'reserved');
    assertKeyInvalid(() => validateKeyPrefix('a\\'), 'backslash');
  });
});

describe('outputArtifactKey', () => {
  const parts = { pipelineName: 'hello', runId: 'run-1', taskName: 'train', outputName: 'model' };

  test('joins the parts in KFP layout', () => {
    assert.equal(outputArtifactKey(parts), 'hello/run-1/train/model');
  });

  test('names the invalid part', () => {
    assertKeyInvalid(
      () => outputArtifactKey({ ...parts, pipelineName: 'a/b' }),
      'pipelineName "a/b"',
      'contains "/"',
    );
    assertKeyInvalid(() => outputArtifactKey({ ...parts, runId: '' }), 'runId ""', 'is empty');
    assertKeyInvalid(() => outputArtifactKey({ ...parts, taskName: '..' }), 'taskName ".."', '".." segment');
    assertKeyInvalid(() => outputArtifactKey({ ...parts, outputName: 'a\\b' }), 'outputName', 'backslash');
    assertKeyInvalid(
      () => outputArtifactKey({ ...parts, pipelineName: '.cairn-x' }),
      'pipelineName',
      'reserved',
    );
    assertKeyInvalid(
      () => outputArtifactKey({ ...parts, pipelineName: 'C:' }),
      'pipelineName',
      'Windows drive',
    );
  });

  test('allows in later parts what is reserved only for the first', () => {
    assert.equal(outputArtifactKey({ ...parts, taskName: '.cairn-x' }), 'hello/run-1/.cairn-x/model');
  });

  test('accepts parts of the longest segment length, which keep the key within 1024 bytes', () => {
    const long = 'x'.repeat(255);
    const key = outputArtifactKey({ pipelineName: long, runId: long, taskName: long, outputName: long });
    assert.equal(validateArtifactKey(key), key);
    assertKeyInvalid(
      () => outputArtifactKey({ ...parts, outputName: 'x'.repeat(256) }),
      'outputName',
      '256 bytes',
    );
  });
});
