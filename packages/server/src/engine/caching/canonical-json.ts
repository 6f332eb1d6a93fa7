import type { JsonValue } from '@cairn/spec';

/**
 * JSON text that depends only on the value, never on how it was built: object keys sorted by UTF-16 code
 * units, no whitespace, numbers and strings as `JSON.stringify` writes them (the rules of RFC 8785, JCS).
 * Properties whose value is `undefined` are left out, as `JSON.stringify` does; anything JSON cannot
 * hold (NaN, infinities, `undefined` in an array, functions, ...) is rejected rather than silently changed.
 *
 * @example
 * canonicalJson({ b: [1, 'x'], a: null }); // '{"a":null,"b":[1,"x"]}'
 */
export function canonicalJson(value: JsonValue): string {
  return write(value, '$');
}

function write(value: unknown, at: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${at} is ${value}, which JSON cannot hold`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item, i) => write(item, `${at}[${i}]`)).join(',')}]`;
  if (typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const members = entries.map(([key, item]) => `${JSON.stringify(key)}:${write(item, `${at}.${key}`)}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`${at} is ${describe(value)}, which JSON cannot hold`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null) return `a ${value.constructor?.name ?? 'object'}`;
  return `a ${typeof value}`;
}
