import { type CelInput, isCelError } from '@bufbuild/cel';
import type { JsonValue } from '@cairn/spec';
import { CairnError, errorMessage } from '../../errors.ts';
import { celToJson } from './cel-to-json.ts';
import { compileExpression } from './compile-expression.ts';
import { previewJson } from './describe-value.ts';
import { jsonToCel } from './json-to-cel.ts';
import { parameterText } from './parameter-text.ts';

/**
 * Applies a task input's `parameterExpressionSelector` (such as `parseJson(string_value)["A_a"]`) to the
 * parameter value it selects from, as KFP's driver does: the selector sees the field of the protobuf
 * Value that is set (`number_value`, `bool_value`, `list_value`, `struct_value`, `null_value`) and always
 * `string_value`, the value's text (JSON for lists and structs), plus the function `parseJson`.
 * Throws a CairnError: EXPRESSION_INVALID when the selector does not compile, EXPRESSION_FAILED when it
 * fails on this value or yields something JSON cannot hold.
 */
export function evaluateParameterSelector(selector: string, value: JsonValue): JsonValue {
  const expression = compileExpression('parameter selector', selector);
  const fields = valueFields(value);
  const result = expression.evaluate(fields);
  const subject = `Parameter selector ${JSON.stringify(selector)} on ${kindOf(value)} ${previewJson(value)}`;
  if (isCelError(result)) {
    const unset = expression.variables.filter((name) => !Object.hasOwn(fields, name));
    const detail =
      unset.length === 0
        ? result.message
        : `it reads ${unset.join(', ')}, which is not set for ${kindOf(value)} (set: ${Object.keys(fields).join(', ')})`;
    throw new CairnError('EXPRESSION_FAILED', `${subject} failed: ${detail}`, { cause: result });
  }
  try {
    return celToJson(result);
  } catch (error) {
    throw new CairnError('EXPRESSION_FAILED', `${subject} failed: the result ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** KFP binds only the Value's set field, plus `string_value` always (backend/src/v2/expression). */
function valueFields(value: JsonValue): Record<string, CelInput> {
  const string_value = parameterText(value);
  if (value === null) return { null_value: 0n, string_value };
  switch (typeof value) {
    case 'string':
      return { string_value };
    case 'number':
      return { number_value: value, string_value };
    case 'boolean':
      return { bool_value: value, string_value };
  }
  return Array.isArray(value)
    ? { list_value: jsonToCel(value), string_value }
    : { struct_value: jsonToCel(value), string_value };
}

function kindOf(value: JsonValue): string {
  if (value === null) return 'a null value';
  if (Array.isArray(value)) return 'a list value';
  return typeof value === 'object'
    ? 'a struct value'
    : `a ${typeof value === 'boolean' ? 'bool' : typeof value} value`;
}
