import { readFile } from 'node:fs/promises';
import type { ComponentOutputsPlan, JsonValue } from '@cairn/spec';
import { errorMessage } from '../../../errors.ts';
import { parameterFromJson, parameterFromText } from './convert-parameter.ts';
import type { ExecutorOutputJson } from './executor-output.ts';
import { TaskFailure } from './task-failure.ts';

/**
 * Collects the task's output parameters, as KFP's launcher does: a value in the ExecutorOutput takes
 * precedence, any other is read from its output file, and every value is converted to the declared type.
 * A declared output with neither fails the task.
 *
 * @example
 * const values = await collectOutputParameters(task.outputDefinitions.parameters, outputs.parameterFiles, executorOutput);
 */
export async function collectOutputParameters(
  definitions: ComponentOutputsPlan['parameters'],
  files: Readonly<Record<string, string>>,
  executorOutput: ExecutorOutputJson | undefined,
): Promise<Record<string, JsonValue>> {
  const values: Record<string, JsonValue> = {};
  for (const [name, { type }] of Object.entries(definitions)) {
    if (executorOutput !== undefined && Object.hasOwn(executorOutput.parameterValues, name)) {
      const value = executorOutput.parameterValues[name] as JsonValue;
      values[name] = parameterFromJson(value, type, name, 'the executor output');
      continue;
    }
    const file = files[name];
    if (file === undefined) throw new TaskFailure(`output parameter '${name}' has no output file`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new TaskFailure(
        missing
          ? `the task did not write output parameter '${name}': expected its value in ${file} or in the executor output`
          : `reading output parameter '${name}' from ${file} failed: ${errorMessage(error)}`,
      );
    }
    values[name] = parameterFromText(text, type, name, `its output file ${file}`);
  }
  return values;
}
