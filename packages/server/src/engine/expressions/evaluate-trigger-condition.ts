import { type CelInput, isCelError } from '@bufbuild/cel';
import { conditionParameterNames, type JsonValue } from '@cairn/spec';
import { CairnError } from '../../errors.ts';
import { compileExpression } from './compile-expression.ts';
import { describeCelValue, previewJson } from './describe-value.ts';
import { jsonToCel } from './json-to-cel.ts';

export interface TriggerConditionInputs {
  /** The task's resolved input parameters, by name (`pipelinechannel--…` for the SDK's conditions). */
  readonly parameterValues: Readonly<Record<string, JsonValue>>;
}

/**
 * Evaluates a task's `triggerPolicy.condition` as KFP's driver does: the condition reads
 * `inputs.parameter_values['name']`, each value typed as its protobuf Value (numbers are doubles, so the
 * SDK casts integer channels with `int(...)`), and must yield a bool. True runs the task, false skips it.
 * Throws a CairnError: EXPRESSION_INVALID when the condition does not compile, EXPRESSION_FAILED when it
 * fails on these inputs (a missing input, a type mismatch, a result that is not a bool).
 */
export function evaluateTriggerCondition(condition: string, inputs: TriggerConditionInputs): boolean {
  const expression = compileExpression('trigger condition', condition);
  const parameterValues = new Map<string, CelInput>();
  for (const [name, value] of Object.entries(inputs.parameterValues))
    parameterValues.set(name, jsonToCel(value));
  const result = expression.evaluate({ inputs: new Map([['parameter_values', parameterValues]]) });
  if (isCelError(result)) {
    throw new CairnError(
      'EXPRESSION_FAILED',
      `Trigger condition ${JSON.stringify(condition)} failed: ${failureDetail(condition, result.message, inputs)}`,
      { cause: result },
    );
  }
  if (typeof result !== 'boolean') {
    throw new CairnError(
      'EXPRESSION_FAILED',
      `Trigger condition ${JSON.stringify(condition)} evaluated to ${describeCelValue(result)}, expected a bool` +
        readValues(condition, inputs),
    );
  }
  return result;
}

function failureDetail(condition: string, message: string, inputs: TriggerConditionInputs): string {
  const missing = conditionParameterNames(condition).filter(
    (name) => !Object.hasOwn(inputs.parameterValues, name),
  );
  if (missing.length === 0) return message + readValues(condition, inputs);
  const available = Object.keys(inputs.parameterValues);
  const has = available.length === 0 ? 'none' : available.map((name) => `"${name}"`).join(', ');
  const names = missing.map((name) => `"${name}"`).join(', ');
  return `it reads input parameter ${names}, which the task does not have (its input parameters: ${has})`;
}

/** The values of the inputs the condition reads, so a log line alone explains the failure. */
function readValues(condition: string, inputs: TriggerConditionInputs): string {
  const shown = conditionParameterNames(condition).flatMap((name) => {
    const value = inputs.parameterValues[name];
    return value === undefined || !Object.hasOwn(inputs.parameterValues, name)
      ? []
      : [`"${name}" = ${previewJson(value)}`];
  });
  return shown.length === 0 ? '' : ` (inputs: ${shown.join(', ')})`;
}
