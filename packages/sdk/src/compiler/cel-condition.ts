import type { ParameterType } from '@cairn/spec';
import { type ConditionOperation, ParameterChannel } from '../dsl/channels/pipeline-channel.ts';
import { pythonNumberRepr } from '../dsl/python-compat/python-json.ts';
import { additionalInputName } from './group-analysis.ts';

/**
 * The CEL expression of a condition group's trigger policy: its comparisons joined with `&&`, negated
 * ones as `!(...)`, written exactly as KFP writes them (`int(...)` around integer inputs, `double(...)`
 * where an integer meets a float, quotes where anything meets a string).
 *
 * @example
 * celCondition([flip.outputs.Output.eq('heads')]);
 * // "inputs.parameter_values['pipelinechannel--flip-coin-Output'] == 'heads'"
 */
export function celCondition(operations: readonly ConditionOperation[]): string {
  return operations.map(celComparison).join(' && ');
}

type Operand = ConditionOperation['left'];

function operandType(operand: Operand): ParameterType {
  if (operand instanceof ParameterChannel) return operand.type.ir;
  if (typeof operand === 'string') return 'STRING';
  if (typeof operand === 'boolean') return 'BOOLEAN';
  return Number.isInteger(operand) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE';
}

function celComparison(operation: ConditionOperation): string {
  const operands = [operation.left, operation.right] as const;
  for (const operand of operands) {
    if (
      operand instanceof ParameterChannel &&
      !['STRING', 'NUMBER_INTEGER', 'NUMBER_DOUBLE', 'BOOLEAN'].includes(operand.type.ir)
    ) {
      throw new TypeError(
        `Conditional requires primitive parameter values for comparison. Found input "${additionalInputName(operand)}" of type ${operand.type.ir} in pipeline definition instead.`,
      );
    }
  }
  const types = new Set(operands.map(operandType));
  // Two types meet: promote with KFP's precedence String > Boolean > Double > Integer.
  const canonical: ParameterType = types.has('STRING')
    ? 'STRING'
    : types.has('BOOLEAN')
      ? 'BOOLEAN'
      : types.has('NUMBER_DOUBLE')
        ? 'NUMBER_DOUBLE'
        : 'NUMBER_INTEGER';
  const [left, right] = operands.map((operand) => {
    const type = operandType(operand);
    let text: string;
    if (operand instanceof ParameterChannel) {
      text = `inputs.parameter_values['${additionalInputName(operand)}']`;
      if (type === 'NUMBER_INTEGER') text = `int(${text})`;
    } else if (typeof operand === 'string') {
      text = `'${operand}'`;
    } else if (typeof operand === 'boolean') {
      text = operand ? 'true' : 'false';
    } else {
      text = pythonNumberRepr(operand);
    }
    if (type === canonical) return text;
    if (canonical === 'STRING') return `'${text}'`;
    if (canonical === 'BOOLEAN') {
      // KFP's rule, kept for identical output: a number compared with a boolean becomes `true` when 0.
      if (typeof operand !== 'number') {
        throw new TypeError('a number-valued pipeline parameter cannot be compared with a boolean');
      }
      return Math.trunc(operand) === 0 ? 'true' : 'false';
    }
    return `double(${text})`;
  });
  const comparison = `${left} ${operation.operator} ${right}`;
  return operation.negate ? `!(${comparison})` : comparison;
}
