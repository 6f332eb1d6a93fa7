import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { readJsonObject } from '../../src/load/read-json-object.ts';

/** The text as the loader's YAML parser reads it: its one document's value, or why it refuses it. */
function readAsYaml(text: string): { value: unknown } | { refused: string } {
  const documents = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, stringKeys: true });
  const errors = documents.flatMap((document) => document.errors.map((error) => error.message));
  if (errors.length > 0) return { refused: errors.join('; ') };
  let values: unknown[];
  try {
    values = documents.map((document) => document.toJS({ maxAliasCount: 50 }));
  } catch (error) {
    // An alias to no anchor parses without errors and throws here; the loader refuses it the same way.
    return { refused: (error as Error).message };
  }
  assert.equal(values.length, 1);
  return { value: values[0] };
}

/** A JSON tree whose objects are entry lists, so that a key can appear twice in the text. */
type Tree = { scalar: string } | { list: Tree[] } | { entries: [string, Tree][] };

const characters = fc.oneof(
  fc.constantFrom('"', '\\', ':', '{', '[', '#', '&', '*', '!', '|', '>', "'", '%', '-', '?', ',', ' '),
  fc.constantFrom('\t', '\n', '\r', '\u0000', '\u007f', '\u0085', '\u2028', '\ufeff', '\ud800', '\udc00'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const text = fc.string({ unit: characters, maxLength: 8 });
const key = fc.oneof(fc.constantFrom('a', 'b', '__proto__', 'true', '1', '-0', ''), text);
const number = fc.oneof(
  fc.constantFrom('-0', '-0.0', '1e400', '-1E+400', '12345678901234567890', '5e-324', '0.1e-7', '1.50'),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
);
const scalar = fc.oneof(
  number,
  fc.constantFrom('true', 'false', 'null'),
  text.map((value) => JSON.stringify(value)),
);
const { object } = fc.letrec<{ tree: Tree; object: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    scalar.map((value) => ({ scalar: value })),
    tie('object'),
    fc.array(tie('tree'), { maxLength: 4 }).map((list) => ({ list })),
  ),
  object: fc.array(fc.tuple(key, tie('tree')), { maxLength: 5 }).map((entries) => ({ entries }) as Tree),
}));
/** White space as JSON allows it between tokens, and the one kind (a lone carriage return) YAML does not. */
const spaces = fc.array(fc.constantFrom('', ' ', '\t', '\n', '\r\n', '\r', '\n\t  '), { minLength: 1 });

function serialise(tree: Tree, spaces: readonly string[]): string {
  let next = 0;
  const space = () => spaces[next++ % spaces.length] ?? '';
  const write = (node: Tree): string => {
    if ('scalar' in node) return node.scalar;
    if ('list' in node) return `[${space()}${node.list.map(write).join(`${space()},${space()}`)}${space()}]`;
    const members = node.entries.map(
      ([name, value]) => `${space()}${JSON.stringify(name)}${space()}:${space()}${write(value)}`,
    );
    return `{${members.join(',')}${space()}}`;
  };
  return `${space()}${write(tree)}${space()}`;
}

function repeatsKey(tree: Tree): boolean {
  if ('scalar' in tree) return false;
  if ('list' in tree) return tree.list.some(repeatsKey);
  const names = tree.entries.map(([name]) => name);
  return new Set(names).size < names.length || tree.entries.some(([, value]) => repeatsKey(value));
}

describe('readJsonObject', () => {
  test('reads JSON to what the YAML parser reads, or leaves the text to it', () => {
    fc.assert(
      fc.property(object, spaces, (tree, whitespace) => {
        const json = serialise(tree, whitespace);
        const read = readJsonObject(json);
        const yaml = readAsYaml(json);
        if (read !== undefined) {
          assert.ok(
            'value' in yaml,
            `YAML refuses what JSON.parse read: ${'refused' in yaml && yaml.refused}`,
          );
          assert.deepStrictEqual(read, yaml.value);
        } else if (!repeatsKey(tree) && !/\r(?!\n)/.test(json)) {
          assert.fail(`plain JSON left to the YAML parser: ${JSON.stringify(json)}`);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('a repeated key is left to the YAML parser, which refuses it', () => {
    assert.equal(readJsonObject('{"a": {"b": 1, "b": 2}}'), undefined);
    assert.equal(readJsonObject('{"__proto__": 1, "__proto__": 2}'), undefined);
    assert.deepEqual(readJsonObject('{"a": {"b": 1}, "b": {"a": 2}}'), { a: { b: 1 }, b: { a: 2 } });
  });

  test('a text the YAML parser reads an unknown alias in is left to it, and it refuses it', () => {
    // Found by the property above: after a lone carriage return, the YAML parser reads `*"` as an alias.
    const text = '{"a":{"a":"",\r"":{},"":[-0,\r",*"]}}';
    assert.equal(readJsonObject(text), undefined);
    assert.match(String((readAsYaml(text) as { refused?: string }).refused), /Unresolved alias/);
  });

  test('numbers read as the YAML parser reads them', () => {
    const read = readJsonObject('{"a": -0, "b": 12345678901234567890, "c": 1e400, "d": 1.0}');
    const b = Number('12345678901234567890');
    assert.deepStrictEqual(read, { a: -0, b, c: Number.POSITIVE_INFINITY, d: 1 });
  });

  test('what is not a JSON object, or nests past what YAML reads, is left to the YAML parser', () => {
    for (const text of ['', '[1]', '"a"', 'a: 1', '{"a": 1} # note', '\ufeff{"a": 1}', '{"a":\r1}']) {
      assert.equal(readJsonObject(text), undefined, JSON.stringify(text));
    }
    const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    assert.ok(readJsonObject(deep(100)));
    assert.equal(readJsonObject(deep(101)), undefined);
  });
});
