import type { JsonValue } from '@cairn/spec';

/**
 * A parameter value as text on a command line, as KFP's launcher writes it: strings as they are, numbers
 * in plain decimal notation (Go's `FormatFloat(v, 'f', -1, 64)`: never an exponent), booleans as
 * `true`/`false`, lists and structs as JSON, null as `null`.
 *
 * @example
 * parameterText('a b'); // 'a b'
 * parameterText(1e21); // '1000000000000000000000'
 * parameterText({ lr: 0.1 }); // '{"lr":0.1}'
 */
export function parameterText(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return plainDecimal(value);
  return JSON.stringify(value);
}

/** The shortest decimal that reads back as `value` (what `String` gives), with any exponent written out. */
function plainDecimal(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
