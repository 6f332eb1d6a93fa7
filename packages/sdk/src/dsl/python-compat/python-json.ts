import type { JsonValue } from '@cairn/spec';

/**
 * Where a number sits in the document, so a caller can format integer fields and float fields apart.
 *
 * @example
 * const path: JsonPath = ['root', 'dag', 'tasks', 'train', 'retryPolicy', 'maxRetryCount'];
 */
export type JsonPath = readonly (string | number)[];

/**
 * Options of {@link pythonJson}: Python's `json.dumps` arguments, and how to write numbers (Python
 * writes `1` for an int and `1.0` for a float; JavaScript cannot tell them apart).
 *
 * @example
 * const options: PythonJsonOptions = { indent: 2, sortKeys: true, numberText: (n) => pythonFloatRepr(n) };
 */
export interface PythonJsonOptions {
  readonly indent?: number;
  readonly sortKeys?: boolean;
  readonly numberText?: (value: number, path: JsonPath) => string;
}

/**
 * Serializes like Python's `json.dumps` with its defaults: `", "` and `": "` separators (`","` between
 * items when indenting), every non-ASCII character escaped (`ensure_ascii`), keys in insertion order
 * unless `sortKeys`. KFP writes the structured placeholders (`Concat`, `IfPresent`) and the literal items
 * of loops this way, so matching it keeps the IR identical.
 *
 * @example
 * pythonJson({ Concat: ['a', 'b'] }); // '{"Concat": ["a", "b"]}'
 */
export function pythonJson(value: JsonValue, options: PythonJsonOptions = {}): string {
  const numberText = options.numberText ?? pythonNumberRepr;
  const write = (current: JsonValue, path: JsonPath, depth: number): string => {
    if (current === null) return 'null';
    if (typeof current === 'boolean') return current ? 'true' : 'false';
    if (typeof current === 'number') return numberText(current, path);
    if (typeof current === 'string') return quote(current);
    const newline = options.indent === undefined ? '' : `\n${' '.repeat(options.indent * (depth + 1))}`;
    const closing = options.indent === undefined ? '' : `\n${' '.repeat(options.indent * depth)}`;
    const separator = options.indent === undefined ? ', ' : ',';
    if (Array.isArray(current)) {
      if (current.length === 0) return '[]';
      const items = current.map((item, index) => newline + write(item, [...path, index], depth + 1));
      return `[${items.join(separator)}${closing}]`;
    }
    const keys = Object.keys(current);
    if (keys.length === 0) return '{}';
    if (options.sortKeys) keys.sort(compareCodePoints);
    const members = keys.map((key) => {
      const member = current[key] as JsonValue;
      return `${newline}${quote(key)}: ${write(member, [...path, key], depth + 1)}`;
    });
    return `{${members.join(separator)}${closing}}`;
  };
  return write(value, [], 0);
}

/**
 * Orders strings by code point, as Python sorts `str` keys (JavaScript's default sort compares UTF-16
 * code units, which differs above U+FFFF).
 *
 * @example
 * ['b', 'a'].sort(compareCodePoints); // ['a', 'b']
 */
export function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
    const difference = (left[index]?.codePointAt(0) ?? 0) - (right[index]?.codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function quote(text: string): string {
  let quoted = '"';
  for (let index = 0; index < text.length; index += 1) {
    const character = text.charAt(index);
    const code = text.charCodeAt(index);
    const short = SHORT_ESCAPES[character];
    if (short !== undefined) quoted += short;
    else if (code >= 0x20 && code <= 0x7e) quoted += character;
    else quoted += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${quoted}"`;
}

/**
 * How Python writes a number that came from JavaScript: integers as ints (`3`), others as floats in
 * Python's `repr` format (`0.5`, `1e-05`).
 *
 * @example
 * pythonNumberRepr(1e-5); // '1e-05'
 */
export function pythonNumberRepr(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : pythonFloatRepr(value);
}

/**
 * Python's `repr` of a float: the shortest digits that read back as the same number, in fixed notation
 * when the exponent is between -4 and 15, else as `1.5e+16`; integral values keep a `.0`.
 *
 * @example
 * pythonFloatRepr(2); // '2.0'
 */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa = '', exponentText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  const sign = value < 0 ? '-' : '';
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    const fraction = digits.slice(exponent + 1);
    return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
  }
  const fraction = digits.slice(1);
  const exponentSign = exponent < 0 ? '-' : '+';
  const exponentDigits = String(Math.abs(exponent)).padStart(2, '0');
  return `${sign}${digits[0]}${fraction === '' ? '' : `.${fraction}`}e${exponentSign}${exponentDigits}`;
}
