import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { JsonValue } from '@cairn/spec';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { compileExpression } from '../../../src/engine/expressions/compile-expression.ts';
import { evaluateParameterSelector } from '../../../src/engine/expressions/evaluate-parameter-selector.ts';
import { evaluateTriggerCondition } from '../../../src/engine/expressions/evaluate-trigger-condition.ts';
import { parameterText } from '../../../src/engine/expressions/parameter-text.ts';
import { CairnError, type CairnErrorCode } from '../../../src/errors.ts';

const KFP_IR = path.resolve(import.meta.dirname, '../../../../../fixtures/kfp/ir');

/** Every value of `key` anywhere in the KFP fixtures, as YAML reads it (folded lines joined). */
function fixtureStrings(key: string): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) visit(item);
    else if (node !== null && typeof node === 'object') {
      for (const [name, value] of Object.entries(node)) {
        if (name === key && typeof value === 'string') found.add(value);
        else visit(value);
      }
    }
  };
  for (const file of readdirSync(KFP_IR, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.yaml')) continue;
    for (const document of parseAllDocuments(readFileSync(path.join(KFP_IR, file), 'utf8')))
      visit(document.toJS());
  }
  return found;
}

function assertCairnError(run: () => unknown, code: CairnErrorCode, ...fragments: string[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CairnError, `expected a CairnError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const fragment of fragments) {
      assert.ok(error.message.includes(fragment), `"${fragment}" in: ${error.message}`);
    }
    return true;
  });
}

const p = (name: string) => `inputs.parameter_values['pipelinechannel--${name}']`;

/** Parameter values by short name, expanded to the SDK's `pipelinechannel--` names. */
type Case = [values: Record<string, JsonValue>, expected: boolean];

/** Every distinct condition of KFP's compiled pipelines, each with values on both sides of it. */
const FIXTURE_CONDITIONS: Array<[condition: string, cases: Case[]]> = [
  [
    `${p('flip-coin-Output')} == 'heads'`,
    [
      [{ 'flip-coin-Output': 'heads' }, true],
      [{ 'flip-coin-Output': 'tails' }, false],
    ],
  ],
  [
    `!(${p('flip-coin-Output')} == 'heads')`,
    [
      [{ 'flip-coin-Output': 'heads' }, false],
      [{ 'flip-coin-Output': 'tails' }, true],
    ],
  ],
  [
    `${p('flip-coin-op-Output')} == 'heads'`,
    [
      [{ 'flip-coin-op-Output': 'heads' }, true],
      [{ 'flip-coin-op-Output': 'Heads' }, false],
    ],
  ],
  [
    `${p('flip-coin-op-Output')} != 'no-such-result'`,
    [
      [{ 'flip-coin-op-Output': 'heads' }, true],
      [{ 'flip-coin-op-Output': 'no-such-result' }, false],
    ],
  ],
  [
    `${p('flip-coin-op-2-Output')} == ${p('flip-coin-op-3-Output')}`,
    [
      [{ 'flip-coin-op-2-Output': 'heads', 'flip-coin-op-3-Output': 'heads' }, true],
      [{ 'flip-coin-op-2-Output': 'heads', 'flip-coin-op-3-Output': 'tails' }, false],
    ],
  ],
  [
    `${p('flip-three-sided-die-Output')} == 'heads'`,
    [
      [{ 'flip-three-sided-die-Output': 'heads' }, true],
      [{ 'flip-three-sided-die-Output': 'draw' }, false],
    ],
  ],
  [
    `!(${p('flip-three-sided-die-Output')} == 'heads') && ${p('flip-three-sided-die-Output')} == 'tails'`,
    [
      [{ 'flip-three-sided-die-Output': 'heads' }, false],
      [{ 'flip-three-sided-die-Output': 'tails' }, true],
      [{ 'flip-three-sided-die-Output': 'draw' }, false],
    ],
  ],
  [
    `!(${p('flip-three-sided-die-Output')} == 'heads') && !(${p('flip-three-sided-die-Output')} == 'tails')`,
    [
      [{ 'flip-three-sided-die-Output': 'heads' }, false],
      [{ 'flip-three-sided-die-Output': 'tails' }, false],
      [{ 'flip-three-sided-die-Output': 'draw' }, true],
    ],
  ],
  [
    `${p('is-even-or-odd-Output')} == 'even'`,
    [
      [{ 'is-even-or-odd-Output': 'even' }, true],
      [{ 'is-even-or-odd-Output': 'odd' }, false],
    ],
  ],
  [
    `!(${p('is-even-or-odd-Output')} == 'even')`,
    [
      [{ 'is-even-or-odd-Output': 'even' }, false],
      [{ 'is-even-or-odd-Output': 'odd' }, true],
    ],
  ],
  [
    `${p('is-even-or-odd-2-Output')} == 'even'`,
    [
      [{ 'is-even-or-odd-2-Output': 'even' }, true],
      [{ 'is-even-or-odd-2-Output': 'odd' }, false],
    ],
  ],
  [
    `!(${p('is-even-or-odd-2-Output')} == 'even')`,
    [
      [{ 'is-even-or-odd-2-Output': 'even' }, false],
      [{ 'is-even-or-odd-2-Output': 'odd' }, true],
    ],
  ],
  // Integer channels arrive as protobuf numbers (doubles); the SDK casts them with int(), which truncates.
  [
    `int(${p('int-0-to-9999-Output')}) < 5000`,
    [
      [{ 'int-0-to-9999-Output': 4999 }, true],
      [{ 'int-0-to-9999-Output': 4999.9 }, true],
      [{ 'int-0-to-9999-Output': 5000 }, false],
      [{ 'int-0-to-9999-Output': 9999 }, false],
    ],
  ],
  [
    `!(int(${p('int-0-to-9999-Output')}) < 5000) && int(${p('int-0-to-9999-Output')}) > 5000`,
    [
      [{ 'int-0-to-9999-Output': 4999 }, false],
      [{ 'int-0-to-9999-Output': 5000 }, false],
      [{ 'int-0-to-9999-Output': 5001 }, true],
    ],
  ],
  [
    `!(int(${p('int-0-to-9999-Output')}) < 5000) && !(int(${p('int-0-to-9999-Output')}) > 5000)`,
    [
      [{ 'int-0-to-9999-Output': 4999 }, false],
      [{ 'int-0-to-9999-Output': 5000 }, true],
      [{ 'int-0-to-9999-Output': 5001 }, false],
    ],
  ],
  [
    `int(${p('loop-item-param-3')}) >= int(${p('threshold')})`,
    [
      [{ 'loop-item-param-3': 1, threshold: 2 }, false],
      [{ 'loop-item-param-3': 2, threshold: 2 }, true],
      [{ 'loop-item-param-3': 3, threshold: 2 }, true],
    ],
  ],
  [
    `int(${p('trials-loop-item')}) == 3`,
    [
      [{ 'trials-loop-item': 3 }, true],
      [{ 'trials-loop-item': 2 }, false],
      // int() also parses a string, as CEL defines it.
      [{ 'trials-loop-item': '3' }, true],
    ],
  ],
  [
    `${p('loop-item-param-11')} == '1'`,
    [
      [{ 'loop-item-param-11': '1' }, true],
      [{ 'loop-item-param-11': '2' }, false],
      // A number never equals a string in CEL: no error, just false.
      [{ 'loop-item-param-11': 1 }, false],
    ],
  ],
  [
    `${p('pick_a')} == true`,
    [
      [{ pick_a: true }, true],
      [{ pick_a: false }, false],
      [{ pick_a: 'true' }, false],
    ],
  ],
  [
    `!(${p('pick_a')} == true)`,
    [
      [{ pick_a: true }, false],
      [{ pick_a: false }, true],
    ],
  ],
  [
    `${p('add_drumroll')} == true`,
    [
      [{ add_drumroll: true }, true],
      [{ add_drumroll: false }, false],
    ],
  ],
  [
    `${p('repeat_if_lucky_number')} == true`,
    [
      [{ repeat_if_lucky_number: true }, true],
      [{ repeat_if_lucky_number: false }, false],
    ],
  ],
  [
    `${p('args-generator-op-Output-loop-item-subvar-A_a')} == 'heads'`,
    [
      [{ 'args-generator-op-Output-loop-item-subvar-A_a': 'heads' }, true],
      [{ 'args-generator-op-Output-loop-item-subvar-A_a': 'tails' }, false],
    ],
  ],
  [
    `${p('args-generator-op-Output-loop-item-subvar-A_a')} == 'tails'`,
    [
      [{ 'args-generator-op-Output-loop-item-subvar-A_a': 'heads' }, false],
      [{ 'args-generator-op-Output-loop-item-subvar-A_a': 'tails' }, true],
    ],
  ],
  [
    `${p('loop_parameter-loop-item-subvar-A_a')} == 'heads'`,
    [
      [{ 'loop_parameter-loop-item-subvar-A_a': 'heads' }, true],
      [{ 'loop_parameter-loop-item-subvar-A_a': 'tails' }, false],
    ],
  ],
  [
    `${p('get-run-state-Output')} == 'FAILED'`,
    [
      [{ 'get-run-state-Output': 'FAILED' }, true],
      [{ 'get-run-state-Output': 'SUCCEEDED' }, false],
    ],
  ],
  [
    `${p('print-op1-Output')} == 'Hello'`,
    [
      [{ 'print-op1-Output': 'Hello' }, true],
      [{ 'print-op1-Output': 'hello' }, false],
    ],
  ],
  [
    `${p('print-op1-Output')} != 'Hello'`,
    [
      [{ 'print-op1-Output': 'Hello' }, false],
      [{ 'print-op1-Output': 'Bye' }, true],
    ],
  ],
  [
    `${p('train-scalar')} == '123'`,
    [
      [{ 'train-scalar': '123' }, true],
      [{ 'train-scalar': '1234' }, false],
    ],
  ],
];

const channelValues = (values: Record<string, JsonValue>) =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [`pipelinechannel--${name}`, value]));

describe('evaluateTriggerCondition on the conditions of KFP’s compiled pipelines', () => {
  test('the table covers exactly the conditions the fixtures hold', () => {
    const inFixtures = [...fixtureStrings('condition')].sort();
    const inTable = FIXTURE_CONDITIONS.map(([condition]) => condition).sort();
    assert.deepEqual(inTable, inFixtures);
  });

  for (const [condition, cases] of FIXTURE_CONDITIONS) {
    test(condition, () => {
      for (const [values, expected] of cases) {
        const parameterValues = { ...channelValues(values), unrelated: [1, 2, 3] };
        assert.equal(
          evaluateTriggerCondition(condition, { parameterValues }),
          expected,
          JSON.stringify(values),
        );
      }
    });
  }
});

describe('evaluateTriggerCondition, KFP’s own cases (backend/src/v2/expression/expression_test.go)', () => {
  const parameterValues = { type: 'foo', num: 1 };

  test('a missing input is an error naming it', () => {
    assertCairnError(
      () => evaluateTriggerCondition(`inputs.parameter_values['type']=='foo'`, { parameterValues: {} }),
      'EXPRESSION_FAILED',
      `Trigger condition "inputs.parameter_values['type']=='foo'" failed`,
      'reads input parameter "type", which the task does not have (its input parameters: none)',
    );
  });

  const cases: Array<[string, boolean]> = [
    [`inputs.parameter_values['type']=='foo'`, true],
    [`inputs.parameter_values['type']=='foo2'`, false],
    // A double compares with an int literal: CEL's heterogeneous numeric equality.
    [`inputs.parameter_values['num'] == 1`, true],
    [`inputs.parameter_values['type']=='foo' && inputs.parameter_values['num'] == 1.0`, true],
  ];
  for (const [condition, expected] of cases) {
    test(condition, () => assert.equal(evaluateTriggerCondition(condition, { parameterValues }), expected));
  }
});

describe('evaluateTriggerCondition semantics', () => {
  const evaluate = (condition: string, parameterValues: Record<string, JsonValue>) =>
    evaluateTriggerCondition(condition, { parameterValues });

  test('values keep their JSON kinds: lists, structs, null, and parseJson', () => {
    assert.equal(evaluate(`size(inputs.parameter_values['l']) == 3`, { l: [1, 2, 3] }), true);
    assert.equal(evaluate(`inputs.parameter_values['s'].a.b == 'x'`, { s: { a: { b: 'x' } } }), true);
    assert.equal(evaluate(`'k' in inputs.parameter_values['s']`, { s: { k: 1 } }), true);
    assert.equal(evaluate(`inputs.parameter_values['n'] == null`, { n: null }), true);
    assert.equal(evaluate(`parseJson(inputs.parameter_values['j']).x > 2.5`, { j: '{"x": 3}' }), true);
    assert.equal(evaluate(`inputs.parameter_values['l'].exists(v, v > 2)`, { l: [1, 2, 3] }), true);
    assert.equal(evaluate(`double(inputs.parameter_values['n']) > 0.5`, { n: 1 }), true);
  });

  test('objects with keys that look special to JavaScript are plain maps', () => {
    const s = { $typeName: 'google.protobuf.Value', constructor: 'c', ['__proto__']: 'p' };
    assert.equal(evaluate(`inputs.parameter_values['s'].constructor == 'c'`, { s }), true);
    assert.equal(
      evaluate(`inputs.parameter_values['s']['$typeName'] == 'google.protobuf.Value'`, { s }),
      true,
    );
    assert.equal(evaluate(`size(inputs.parameter_values['s']) == 3`, { s }), true);
  });

  test('a result that is not a bool fails, showing it and the inputs it read', () => {
    assertCairnError(
      () => evaluate(`int(inputs.parameter_values['n']) + 1`, { n: 41 }),
      'EXPRESSION_FAILED',
      'evaluated to 42 (int), expected a bool',
      '(inputs: "n" = 41)',
    );
    assertCairnError(
      () => evaluate(`inputs.parameter_values['s']`, { s: 'yes' }),
      'EXPRESSION_FAILED',
      'evaluated to "yes" (string), expected a bool',
    );
  });

  test('a type mismatch fails with CEL’s reason and the values read', () => {
    assertCairnError(
      () => evaluate(`inputs.parameter_values['n'] > '1'`, { n: 1, other: 2 }),
      'EXPRESSION_FAILED',
      `no matching overload for '_>_' applied to '(double, string)'`,
      '(inputs: "n" = 1)',
    );
    assertCairnError(
      () => evaluate(`int(inputs.parameter_values['n']) < 5000`, { n: 'many' }),
      'EXPRESSION_FAILED',
      '(inputs: "n" = "many")',
    );
    assertCairnError(
      () => evaluate(`int(inputs.parameter_values['n']) < 1`, { n: 1e30 }),
      'EXPRESSION_FAILED',
      'overflow',
    );
  });

  test('long values are cut short in messages', () => {
    const long = 'x'.repeat(500);
    assert.throws(
      () => evaluate(`inputs.parameter_values['s'] > 1`, { s: long }),
      (error: unknown) =>
        error instanceof CairnError && error.message.length < 400 && error.message.includes('…'),
    );
  });

  test('conditions that do not compile are EXPRESSION_INVALID, before any input is read', () => {
    assertCairnError(
      () => evaluate(`inputs.parameter_values['a'] ==`, {}),
      'EXPRESSION_INVALID',
      `Trigger condition "inputs.parameter_values['a'] ==" is not valid CEL: at 1:30`,
    );
    assertCairnError(() => evaluate('', {}), 'EXPRESSION_INVALID', 'the expression is empty');
    assertCairnError(
      () => evaluate(`false && outputs.parameters['x'] == 1`, {}),
      'EXPRESSION_INVALID',
      'reads "outputs", which KFP does not bind',
      `inputs.parameter_values['name']`,
    );
  });

  test('fields of the inputs other than parameter_values fail at evaluation', () => {
    assertCairnError(
      () => evaluate(`size(inputs.artifacts) == 0`, { a: 1 }),
      'EXPRESSION_FAILED',
      'artifacts',
    );
  });

  test('each expression is compiled once', () => {
    const condition = `${p('flip-coin-Output')} == 'heads'`;
    assert.equal(
      compileExpression('trigger condition', condition),
      compileExpression('trigger condition', condition),
    );
    assert.notEqual(
      compileExpression('trigger condition', condition),
      compileExpression('parameter selector', condition.replace(/inputs.*\]/, 'string_value')),
    );
  });
});

describe('evaluateParameterSelector', () => {
  test('the selectors of KFP’s compiled pipelines pick a loop item’s field', () => {
    const selectors = [...fixtureStrings('parameterExpressionSelector')].sort();
    assert.deepEqual(selectors, ['parseJson(string_value)["A_a"]', 'parseJson(string_value)["B_b"]']);
    // The items of pipeline_with_loops_and_conditions.yaml's loop_parameter, as a struct or as JSON text.
    const item = { B_b: ['A', 'B'], A_a: 'heads' };
    for (const value of [item, JSON.stringify(item)]) {
      assert.equal(evaluateParameterSelector('parseJson(string_value)["A_a"]', value), 'heads');
      assert.deepEqual(evaluateParameterSelector('parseJson(string_value)["B_b"]', value), ['A', 'B']);
    }
  });

  // backend/src/v2/expression/expression_test.go, TestSelect.
  const map1 = { a: 'A', b: 'B' };
  const list1 = [1.1, 1.2, 1.3];
  const map2 = { nested: map1, bool: true, double: 1.3, int: 10, str: 'abcdefg', list: list1 };
  const kfpCases: Array<[value: JsonValue, selector: string, expected: JsonValue]> = [
    ['Hello,World!', 'string_value', 'Hello,World!'],
    ['[1.1,1.2,1.3]', 'parseJson(string_value)[0]', 1.1],
    [null, 'string_value', ''],
    [map1, 'struct_value.a', 'A'],
    [map2, 'struct_value.list', list1],
    [map2, 'struct_value.nested', map1],
    [map2, 'struct_value.nested.b', 'B'],
  ];
  for (const [value, selector, expected] of kfpCases) {
    test(`${selector} on ${JSON.stringify(value)}`, () => {
      assert.deepEqual(evaluateParameterSelector(selector, value), expected);
    });
  }

  test('KFP’s failing cases fail, saying which selector, which value and why', () => {
    assertCairnError(
      () => evaluateParameterSelector('parseJson(string_value)', 'invalidjson'),
      'EXPRESSION_FAILED',
      'Parameter selector "parseJson(string_value)" on a string value "invalidjson" failed: failed to unmarshal JSON',
    );
    assertCairnError(
      () => evaluateParameterSelector('struct_value', 'Hello'),
      'EXPRESSION_FAILED',
      'it reads struct_value, which is not set for a string value (set: string_value)',
    );
    assertCairnError(
      () => evaluateParameterSelector('struct_value.c', map1),
      'EXPRESSION_FAILED',
      'on a struct value {"a":"A","b":"B"} failed',
      'c',
    );
  });

  test('each kind of value binds its own field and string_value', () => {
    assert.equal(evaluateParameterSelector('number_value * 2.0', 21), 42);
    assert.equal(evaluateParameterSelector('int(number_value)', 3.9), 3);
    assert.equal(evaluateParameterSelector('bool_value', true), true);
    assert.equal(evaluateParameterSelector('string_value', false), 'false');
    assert.equal(evaluateParameterSelector('list_value[1]', ['a', 'b']), 'b');
    assert.equal(evaluateParameterSelector('size(list_value)', [1, 2, 3]), 3);
    assert.equal(evaluateParameterSelector('null_value', null), 0);
    assertCairnError(
      () => evaluateParameterSelector('number_value', '3'),
      'EXPRESSION_FAILED',
      'number_value',
    );
  });

  test('string_value is the text KFP gives the value', () => {
    const text = (value: JsonValue) => evaluateParameterSelector('string_value', value);
    assert.equal(text(3), '3');
    assert.equal(text(0.1), '0.1');
    assert.equal(text(-2.5), '-2.5');
    assert.equal(text(1e21), '1000000000000000000000');
    assert.equal(text(1.5e-7), '0.00000015');
    assert.equal(text(-1.2345e25), '-12345000000000000000000000');
    // Structs as protojson through Go's encoding/json: sorted keys, HTML characters escaped.
    assert.equal(text({ b: 1, a: ['<&>'] }), '{"a":["\\u003c\\u0026\\u003e"],"b":1}');
    assert.equal(text([{ z: 1, y: 2 }]), '[{"y":2,"z":1}]');
  });

  test('parameterText writes every finite double without an exponent, and it reads back exactly', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const text = parameterText(value);
        assert.doesNotMatch(text, /e/i);
        assert.ok(Object.is(Number(text), value), `${value} -> ${text}`);
      }),
    );
  });

  test('parseJson(string_value) gives back any list or struct', () => {
    const container = fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()));
    fc.assert(
      fc.property(container, (value) => {
        const json = value as JsonValue;
        const selected = evaluateParameterSelector('parseJson(string_value)', json);
        assert.equal(JSON.stringify(sortDeep(selected)), JSON.stringify(sortDeep(json)));
      }),
    );
  });

  test('results without a JSON form fail', () => {
    assertCairnError(
      () => evaluateParameterSelector('{1: 2}', 1),
      'EXPRESSION_FAILED',
      'the result is a map with a key of type int',
    );
    assertCairnError(
      () => evaluateParameterSelector('number_value / 0.0', 1),
      'EXPRESSION_FAILED',
      'Infinity',
    );
    assertCairnError(() => evaluateParameterSelector('type(1)', 1), 'EXPRESSION_FAILED', 'has no JSON form');
    assert.equal(evaluateParameterSelector('b"abc"', 1), 'YWJj');
  });

  test('selectors that do not compile are EXPRESSION_INVALID', () => {
    assertCairnError(
      () => evaluateParameterSelector('parseJson(string_value)[', 'x'),
      'EXPRESSION_INVALID',
      'Parameter selector "parseJson(string_value)[" is not valid CEL',
    );
    assertCairnError(
      () => evaluateParameterSelector('inputs.parameter_values["x"]', 'x'),
      'EXPRESSION_INVALID',
      'reads "inputs", which KFP does not bind: a parameter selector reads only the fields of a protobuf Value',
    );
  });
});

function sortDeep(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortDeep(value[key] ?? null)]),
  );
}
