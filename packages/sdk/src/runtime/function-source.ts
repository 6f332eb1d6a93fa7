import { Script } from 'node:vm';

const GENERATOR_PROTOTYPES: readonly unknown[] = [
  Object.getPrototypeOf(function* () {}),
  Object.getPrototypeOf(async function* () {}),
];

/**
 * The source of `fn` as a JavaScript expression that evaluates to the function, for embedding in a
 * function component's program. `fn.toString()` is the function's own text, which under Node's type
 * stripping is already JavaScript. Throws a clear error for functions whose text cannot stand on its own:
 * classes, native and bound functions, generators, accessors, or text that is not strict-mode JavaScript.
 *
 * @example
 * functionExpressionSource('double', (inputs: { n: number }) => ({ twice: inputs.n * 2 }));
 * // '(\n(inputs             ) => ({ twice: inputs.n * 2 })\n)'
 */
export function functionExpressionSource(name: string, fn: unknown): string {
  const problem = (why: string): Error => new TypeError(`Function component '${name}': ${why}`);
  if (typeof fn !== 'function') {
    throw problem(`expected a function, got ${fn === null ? 'null' : typeof fn}`);
  }
  const text = Function.prototype.toString.call(fn);
  if (/^class\b/.test(text)) {
    throw problem('got a class; pass a function (or one of its methods) instead');
  }
  if (/\{\s*\[native code\]\s*\}$/.test(text)) {
    throw problem(
      'got a native or bound function, whose source is not available; pass the function itself (not fn.bind(...))',
    );
  }
  if (GENERATOR_PROTOTYPES.includes(Object.getPrototypeOf(fn))) {
    throw problem(
      'got a generator function; a component function returns (or resolves to) its output parameters',
    );
  }
  const expression = `(\n${text}\n)`;
  if (compiles(expression)) return expression;
  // A method (`async train(inputs) { ... }`) is not an expression on its own, but is as part of an object.
  if (!/^(?:get|set)(?:\s+(?![\s(])|\s*[['"])/.test(text)) {
    const method = `Object.values({\n${text}\n})[0]`;
    if (compiles(method)) return method;
  }
  throw problem(
    `its source is not a function expression or method that runs as strict-mode JavaScript:\n${text.slice(0, 300)}`,
  );
}

function compiles(expression: string): boolean {
  try {
    // Compiling runs nothing; the program is an ES module, hence strict mode.
    new Script(`'use strict';\n${expression};`);
    return true;
  } catch {
    return false;
  }
}
