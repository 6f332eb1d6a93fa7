import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { copyField, copyText } from '../../../src/lifecycle/rows/copy-text.ts';

describe('COPY text', () => {
  test('escapes what the format gives a meaning, and nothing else', () => {
    assert.equal(copyField(null), '\\N');
    assert.equal(copyField(''), '');
    assert.equal(copyField('\\N'), '\\\\N');
    assert.equal(copyField('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e');
    assert.equal(copyField('\\.'), '\\\\.');
    assert.equal(copyField('日本語 🚀 "quoted", \x01'), '日本語 🚀 "quoted", \x01');
    assert.equal(copyField('\b\f\v'), '\\b\\f\\v');
    assert.equal(copyField(0), '0');
    assert.equal(copyField(-1), '-1');
    assert.equal(copyField(Number.MAX_SAFE_INTEGER), '9007199254740991');
  });

  test('writes a line per row, fields in the order of the columns given', () => {
    const rows = [
      { b: 'x', a: 1 },
      { a: null, b: '' },
    ];
    assert.deepEqual([...copyText(['a', 'b'], rows)], ['1\tx\n\\N\t\n']);
  });

  test('hands large text over in pieces of whole rows', () => {
    const line = 'y'.repeat(100_000);
    const pieces = [
      ...copyText(
        ['a'],
        Array.from({ length: 10 }, () => ({ a: line })),
      ),
    ];
    assert.ok(pieces.length > 1 && pieces.length < 10, `${pieces.length} pieces`);
    assert.ok(pieces.every((piece) => piece.endsWith('\n')));
    assert.equal(pieces.join(''), `${line}\n`.repeat(10));
  });

  test('refuses a row without one of the columns', () => {
    assert.throws(() => [...copyText(['a', 'b'], [{ a: 1, b: 2 }, { a: 1 }])], /a row to copy has no b/);
  });
});
