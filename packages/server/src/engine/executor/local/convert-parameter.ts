import type { JsonValue, ParameterType } from '@cairn/spec';
import { TaskFailure } from './task-failure.ts';

const EXPECTED: Record<ParameterType, string> = {
  STRING: 'text',
  NUMBER_INTEGER: 'an integer',
  NUMBER_DOUBLE: 'a finite number',
  BOOLEAN: 'true or false',
  LIST: 'a JSON array',
  STRUCT: 'a JSON object',
  TASK_FINAL_STATUS: 'a JSON object',
  TASK_CONFIG: 'a JSON object',
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// Go's strconv.ParseBool, which KFP's launcher reads boolean outputs with.
const TRUE_TEXT = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE_TEXT = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/**
 * An output parameter's value from the text of its output file, as KFP's launcher reads it
 * (`TextToPbValue`): a string as written; numbers and booleans with surrounding whitespace ignored; lists
 * and structs as JSON. Throws a TaskFailure that names the output and says what was expected.
 *
 * @example
 * parameterFromText(' 42\n', 'NUMBER_INTEGER', 'count', 'its output file'); // 42
 */
export function parameterFromText(
  text: string,
  type: ParameterType,
  name: string,
  source: string,
): JsonValue {
  const bad = (detail = ''): TaskFailure => badValue(name, type, `${source} holds ${show(text)}${detail}`);
  const trimmed = text.trim();
  switch (type) {
    case 'STRING':
      return text;
    case 'NUMBER_INTEGER': {
      if (!/^[+-]?\d+$/.test(trimmed)) throw bad();
      const value = BigInt(trimmed);
      if (value < INT64_MIN || value > INT64_MAX) throw bad(', outside the 64-bit integer range');
      return Number(value);
    }
    case 'NUMBER_DOUBLE': {
      if (!DECIMAL.test(trimmed)) throw bad();
      const value = Number(trimmed);
      if (!Number.isFinite(value)) throw bad(', too large for a 64-bit float');
      return value;
    }
    case 'BOOLEAN':
      if (TRUE_TEXT.has(trimmed)) return true;
      if (FALSE_TEXT.has(trimmed)) return false;
      throw bad();
    case 'LIST':
    case 'STRUCT':
    case 'TASK_FINAL_STATUS':
    case 'TASK_CONFIG': {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw bad(`, which is not JSON (${(error as Error).message})`);
      }
      if (!fits(type, value)) throw bad();
      return value as JsonValue;
    }
  }
}

/**
 * An output parameter's value from the ExecutorOutput, converted to its declared type: a value of the
 * right JSON type is kept, text is read as an output file's would be, and a STRING output given another
 * value takes its JSON text (as KFP's driver converts such values for a string input).
 *
 * @example
 * parameterFromJson('0.5', 'NUMBER_DOUBLE', 'rmse', 'the executor output'); // 0.5
 */
export function parameterFromJson(
  value: JsonValue,
  type: ParameterType,
  name: string,
  source: string,
): JsonValue {
  if (fits(type, value)) return value;
  if (typeof value === 'string') return parameterFromText(value, type, name, source);
  if (type === 'STRING' && value !== null) return JSON.stringify(value);
  throw badValue(name, type, `${source} gives ${show(value)}`);
}

function fits(type: ParameterType, value: unknown): boolean {
  switch (type) {
    case 'STRING':
      return typeof value === 'string';
    case 'NUMBER_INTEGER':
      return Number.isInteger(value);
    case 'NUMBER_DOUBLE':
      return typeof value === 'number' && Number.isFinite(value);
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'LIST':
      return Array.isArray(value);
    case 'STRUCT':
    case 'TASK_FINAL_STATUS':
    case 'TASK_CONFIG':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

function badValue(name: string, type: ParameterType, found: string): TaskFailure {
  return new TaskFailure(`output parameter '${name}' must be ${type} (${EXPECTED[type]}), but ${found}`);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
