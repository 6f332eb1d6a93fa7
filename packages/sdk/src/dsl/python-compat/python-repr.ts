import type { JsonValue } from '@cairn/spec';
import { pythonFloatRepr } from './python-json.ts';

/**
 * Python's `repr` of a JSON value as KFP holds it after reading it back from protobuf, where every
 * number is a float: `True`, `2.0`, `'text'`, `[1.0, 2.0]`, `{'a': 'b'}`, `None`.
 *
 * @example
 * pythonRepr({ A: 1, B: [true] }); // "{'A': 1.0, 'B': [True]}"
 */
export function pythonRepr(value: JsonValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pythonFloatRepr(value);
  if (typeof value === 'string') return pythonStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([key, member]) => `${pythonStringRepr(key)}: ${pythonRepr(member)}`)
    .join(', ')}}`;
}

/**
 * Python's `repr` of a string: single quotes, or double quotes when the text has single quotes and no
 * double ones; backslashes and control characters escaped.
 *
 * @example
 * pythonStringRepr("it's"); // "\"it's\""
 */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = '';
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (character === '\\') body += '\\\\';
    else if (character === quote) body += `\\${quote}`;
    else if (character === '\n') body += '\\n';
    else if (character === '\r') body += '\\r';
    else if (character === '\t') body += '\\t';
    else if (code < 0x20 || code === 0x7f) body += `\\x${code.toString(16).padStart(2, '0')}`;
    else body += character;
  }
  return `${quote}${body}${quote}`;
}
