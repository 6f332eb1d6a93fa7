import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Script } from 'node:vm';
import { functionExpressionSource } from '../../src/runtime/function-source.ts';

/** Evaluates the embedded expression on its own, as the program does, and calls the function it yields. */
function callEmbedded(fn: unknown, ...args: unknown[]): unknown {
  const embedded = new Script(`'use strict';\n${functionExpressionSource('f', fn)}`).runInThisContext() as (
    ...args: unknown[]
  ) => unknown;
  return embedded(...args);
}

describe('functionExpressionSource', () => {
  it('embeds arrow functions, function expressions and declarations, methods and constructed functions', async () => {
    function named(inputs: { n: number }) {
      return inputs.n + 1;
    }
    const methods = {
      plain(inputs: { n: number }) {
        return inputs.n + 2;
      },
      async later(inputs: { n: number }) {
        return inputs.n + 3;
      },
      'quoted name'(inputs: { n: number }) {
        return inputs.n + 4;
      },
      get(inputs: { n: number }) {
        return inputs.n + 5;
      },
    };
    assert.equal(
      callEmbedded((inputs: { n: number }) => inputs.n * 10, { n: 2 }),
      20,
    );
    assert.equal(await callEmbedded(async ({ n }: { n: number }) => n * 100, { n: 2 }), 200);
    assert.equal(callEmbedded(named, { n: 1 }), 2);
    assert.equal(callEmbedded(methods.plain, { n: 1 }), 3);
    assert.equal(await callEmbedded(methods.later, { n: 1 }), 4);
    assert.equal(callEmbedded(methods['quoted name'], { n: 1 }), 5);
    assert.equal(callEmbedded(methods.get, { n: 1 }), 6);
    assert.equal(callEmbedded(new Function('inputs', 'return inputs.n * 7;'), { n: 1 }), 7);
  });

  it('names the component and the problem for what cannot be embedded', () => {
    class Trainer {}
    const accessors = {
      get value() {
        return 1;
      },
    };
    const getter = Object.getOwnPropertyDescriptor(accessors, 'value')?.get;
    const cases: [unknown, RegExp][] = [
      ['inputs => inputs', /Function component 'f': expected a function, got string/],
      [null, /expected a function, got null/],
      [{ fn() {} }, /expected a function, got object/],
      [Trainer, /got a class; pass a function \(or one of its methods\) instead/],
      [
        ((inputs: unknown) => inputs).bind(null),
        /got a native or bound function, whose source is not available/,
      ],
      [Math.max, /got a native or bound function/],
      [function* steps() {}, /got a generator function/],
      [async function* stream() {}, /got a generator function/],
      [
        getter,
        /its source is not a function expression or method that runs as strict-mode JavaScript:\nget value\(\)/,
      ],
    ];
    for (const [fn, message] of cases) {
      assert.throws(() => functionExpressionSource('f', fn), message);
    }
  });
});
