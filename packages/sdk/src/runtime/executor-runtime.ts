// This module is embedded verbatim (types stripped) in every function component's program, after
// artifacts.ts and in the same module scope: it may import only `node:` built-ins (and types), and its
// top-level names must not clash with that file's. It implements KFP's executor protocol: read
// ExecutorInput, call the function, write ExecutorOutput (see `ExecutorInput` in KFP's pipeline_spec.proto).

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { inspect, parseArgs } from 'node:util';
import type { JsonObject, JsonValue, ParameterType } from '@cairn/spec';
import type { Artifact, artifactClassFor } from './artifacts.ts';
import type { ArtifactInput, FunctionSignature, ParameterInput } from './function-signature.ts';

/**
 * One artifact as the backend describes it: KFP's `RuntimeArtifact` in protobuf's JSON mapping.
 *
 * @example
 * const data: RuntimeArtifact = { name: 'data', type: { schemaTitle: 'system.Dataset' }, uri: 'file:///tmp/data' };
 */
export interface RuntimeArtifact {
  name?: string;
  type?: { schemaTitle?: string; schemaVersion?: string };
  uri?: string;
  metadata?: JsonObject;
}

/**
 * What the backend passes as `--executor_input`: KFP's `ExecutorInput` in protobuf's JSON mapping.
 *
 * @example
 * const input: ExecutorInput = {
 *   inputs: { parameterValues: { rows: 10 } },
 *   outputs: { outputFile: '/tmp/task/output_metadata.json' },
 * };
 */
export interface ExecutorInput {
  inputs?: {
    parameterValues?: Record<string, JsonValue>;
    artifacts?: Record<string, { artifacts?: RuntimeArtifact[] }>;
  };
  outputs?: {
    parameters?: Record<string, { outputFile?: string }>;
    artifacts?: Record<string, { artifacts?: RuntimeArtifact[] }>;
    outputFile?: string;
  };
}

/**
 * What the runtime writes to `outputs.outputFile`: KFP's `ExecutorOutput` in protobuf's JSON mapping.
 *
 * @example
 * const output: ExecutorOutput = {
 *   parameterValues: { count: 10 },
 *   artifacts: { sample: { artifacts: [{ name: 'sample', uri: 'file:///tmp/sample', metadata: {} }] } },
 * };
 */
export interface ExecutorOutput {
  parameterValues: Record<string, JsonValue>;
  artifacts: Record<string, { artifacts: { name: string; uri: string; metadata: JsonObject }[] }>;
}

/**
 * Everything a run needs besides the executor input, which comes in `argv`.
 *
 * @example
 * const run: FunctionComponentRun = {
 *   argv: process.argv.slice(2),
 *   functionName: 'count',
 *   signature: { inputs: {}, outputs: { n: { kind: 'parameter', type: 'NUMBER_INTEGER' } } },
 *   artifactClassFor,
 *   fn: () => ({ n: 1 }),
 * };
 */
export interface FunctionComponentRun {
  argv: readonly string[];
  functionName: string;
  signature: FunctionSignature;
  artifactClassFor: typeof artifactClassFor;
  fn: (inputs: Record<string, unknown>, outputs: Record<string, Artifact>) => unknown;
}

/**
 * Runs the function as a container task and exits the process with {@link runFunctionComponent}'s code.
 * A function component's program ends with a call to it.
 *
 * @example
 * await executeFunctionComponent({ argv: process.argv.slice(2), functionName: 'count', signature, artifactClassFor, fn });
 */
export async function executeFunctionComponent(run: FunctionComponentRun): Promise<never> {
  const code = await runFunctionComponent(run);
  // Like a Python component, the task ends when the function returns, even if it left sockets or timers
  // open. Nothing written is lost: stdout and stderr are synchronous for files and pipes on Linux.
  process.exit(code);
}

/**
 * Reads the executor input from `--executor_input`, calls the function with its inputs and output
 * artifacts, checks the output parameters it returns and writes the executor output. Returns the exit
 * code: 0, or 1 after printing why to stderr (the function's stack when it threw).
 *
 * @example
 * const code = await runFunctionComponent(run);
 */
export async function runFunctionComponent(run: FunctionComponentRun): Promise<number> {
  try {
    const { executorInput, outputFile } = readCommandLine(run);
    const inputs = functionInputs(run, executorInput);
    const outputs = await functionOutputs(run, executorInput);
    let returned: unknown;
    try {
      returned = await run.fn(inputs, outputs);
    } catch (error) {
      process.stderr.write(`${failureReport(run, error)}\n`);
      return 1;
    }
    const parameterValues = returnedParameters(run, returned);
    await writeExecutorOutput(run, executorInput, outputFile, parameterValues, outputs);
    return 0;
  } catch (error) {
    const report = error instanceof ExecutorError ? error.message : inspect(error);
    process.stderr.write(`cairn executor: ${report}\n`);
    return 1;
  }
}

/** A problem with the executor input or with what the function returned: reported without a stack. */
class ExecutorError extends Error {}

function readCommandLine(run: FunctionComponentRun): { executorInput: ExecutorInput; outputFile: string } {
  let values: { executor_input?: string; function_to_execute?: string };
  try {
    ({ values } = parseArgs({
      args: [...run.argv],
      options: { executor_input: { type: 'string' }, function_to_execute: { type: 'string' } },
    }));
  } catch (error) {
    throw new ExecutorError(`bad command line: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (values.function_to_execute === undefined || values.executor_input === undefined) {
    throw new ExecutorError('usage: --executor_input <json> --function_to_execute <name>');
  }
  if (values.function_to_execute !== run.functionName) {
    throw new ExecutorError(
      `--function_to_execute is '${values.function_to_execute}', but this program holds function '${run.functionName}'`,
    );
  }
  let executorInput: unknown;
  try {
    executorInput = JSON.parse(values.executor_input);
  } catch (error) {
    throw new ExecutorError(`--executor_input is not JSON: ${error instanceof Error ? error.message : ''}`);
  }
  if (!isPlainObject(executorInput)) {
    throw new ExecutorError(`--executor_input must be a JSON object, got ${describe(executorInput)}`);
  }
  const outputFile = (executorInput as ExecutorInput).outputs?.outputFile;
  if (typeof outputFile !== 'string' || outputFile === '') {
    throw new ExecutorError('the executor input has no outputs.outputFile to write the executor output to');
  }
  return { executorInput, outputFile };
}

function functionInputs(run: FunctionComponentRun, executorInput: ExecutorInput): Record<string, unknown> {
  const parameterValues = executorInput.inputs?.parameterValues ?? {};
  const artifacts = executorInput.inputs?.artifacts ?? {};
  const entries = Object.entries(run.signature.inputs).map(([name, input]): [string, unknown] => [
    name,
    input.kind === 'parameter'
      ? inputParameter(name, input, own(parameterValues, name))
      : inputArtifact(run, name, input, own(artifacts, name)?.artifacts),
  ]);
  // fromEntries defines own properties, so no input name can reach Object.prototype.
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
}

function inputParameter(name: string, input: ParameterInput, raw: JsonValue | undefined): unknown {
  if (raw === undefined || raw === null) {
    if (input.optional) return undefined;
    throw new ExecutorError(
      `the executor input has no value for input parameter '${name}', which is not optional`,
    );
  }
  // Values may also arrive as JSON text (KFP v1 passed every parameter as a string).
  let value: unknown = raw;
  if (typeof raw === 'string' && input.type !== 'STRING') {
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
  }
  if (!fitsParameterType(input.type, value)) {
    throw new ExecutorError(
      `input parameter '${name}' must be ${input.type} (${EXPECTED_VALUES[input.type]}), got ${describe(raw)}`,
    );
  }
  return value;
}

function inputArtifact(
  run: FunctionComponentRun,
  name: string,
  input: ArtifactInput,
  runtimeArtifacts: RuntimeArtifact[] | undefined,
): Artifact | Artifact[] | undefined {
  if (input.list) {
    if (runtimeArtifacts === undefined && input.optional) return undefined;
    return (runtimeArtifacts ?? []).map((runtimeArtifact) =>
      artifactOf(run, runtimeArtifact, input.schemaTitle),
    );
  }
  const first = runtimeArtifacts?.[0];
  if (first !== undefined) return artifactOf(run, first, input.schemaTitle);
  if (input.optional) return undefined;
  throw new ExecutorError(`the executor input has no artifact for input '${name}', which is not optional`);
}

async function functionOutputs(
  run: FunctionComponentRun,
  executorInput: ExecutorInput,
): Promise<Record<string, Artifact>> {
  const runtimeArtifacts = executorInput.outputs?.artifacts ?? {};
  const entries: [string, Artifact][] = [];
  for (const [name, output] of Object.entries(run.signature.outputs)) {
    if (output.kind !== 'artifact') continue;
    const runtimeArtifact = own(runtimeArtifacts, name)?.artifacts?.[0];
    if (runtimeArtifact === undefined) {
      throw new ExecutorError(`the executor input has no artifact for output '${name}'`);
    }
    const artifact = artifactOf(run, runtimeArtifact, output.schemaTitle);
    if (artifact.path === '') throw new ExecutorError(`the executor input gives output '${name}' no URI`);
    await mkdir(dirname(artifact.path), { recursive: true });
    entries.push([name, artifact]);
  }
  return Object.fromEntries(entries);
}

function artifactOf(
  run: FunctionComponentRun,
  runtimeArtifact: RuntimeArtifact,
  declaredTitle: string,
): Artifact {
  // The backend's type wins over the declared one, as in KFP: a Dataset passed to an Artifact input is a Dataset.
  const ArtifactClass = run.artifactClassFor(runtimeArtifact.type?.schemaTitle, declaredTitle);
  return new ArtifactClass({
    name: runtimeArtifact.name ?? '',
    uri: runtimeArtifact.uri ?? '',
    metadata: isPlainObject(runtimeArtifact.metadata) ? runtimeArtifact.metadata : {},
  });
}

function returnedParameters(run: FunctionComponentRun, returned: unknown): Record<string, JsonValue> {
  const outputs = Object.entries(run.signature.outputs);
  const declared = outputs.filter(([, output]) => output.kind === 'parameter').map(([name]) => name);
  const expectation =
    declared.length === 0
      ? 'it declares no output parameters, so it should return nothing'
      : `it should return an object with its output parameters (${declared.join(', ')})`;
  if (returned === undefined || (returned === null && declared.length === 0)) returned = {};
  if (!isPlainObject(returned)) {
    throw new ExecutorError(`function '${run.functionName}' returned ${describe(returned)}; ${expectation}`);
  }
  for (const name of Object.keys(returned)) {
    if (declared.includes(name)) continue;
    const artifact = outputs.some(([output, { kind }]) => output === name && kind === 'artifact');
    throw new ExecutorError(
      artifact
        ? `function '${run.functionName}' returned '${name}', which is an output artifact: write its file at outputs.${name}.path instead`
        : `function '${run.functionName}' returned '${name}', which is not one of its outputs; ${expectation}`,
    );
  }
  const values: [string, JsonValue][] = [];
  for (const [name, output] of outputs) {
    if (output.kind !== 'parameter') continue;
    const value = own(returned, name);
    if (value === undefined) {
      throw new ExecutorError(`function '${run.functionName}' did not return output parameter '${name}'`);
    }
    const nonJson = nonJsonPart(value, name, new Set());
    if (!fitsParameterType(output.type, value) || nonJson !== undefined) {
      throw new ExecutorError(
        `function '${run.functionName}' returned ${describe(value)} for output parameter '${name}', which must be ` +
          `${output.type} (${EXPECTED_VALUES[output.type]})${nonJson === undefined ? '' : `; ${nonJson}`}`,
      );
    }
    values.push([name, value as JsonValue]);
  }
  return Object.fromEntries(values);
}

async function writeExecutorOutput(
  run: FunctionComponentRun,
  executorInput: ExecutorInput,
  outputFile: string,
  parameterValues: Record<string, JsonValue>,
  outputs: Record<string, Artifact>,
): Promise<void> {
  const artifacts: ExecutorOutput['artifacts'] = {};
  for (const [name, artifact] of Object.entries(outputs)) {
    const nonJson = isPlainObject(artifact.metadata)
      ? nonJsonPart(artifact.metadata, 'metadata', new Set())
      : `it is ${describe(artifact.metadata)}`;
    if (nonJson !== undefined) {
      throw new ExecutorError(
        `function '${run.functionName}' left metadata on output '${name}' that is not a JSON object: ${nonJson}`,
      );
    }
    artifacts[name] = {
      artifacts: [{ name: artifact.name, uri: artifact.uri, metadata: artifact.metadata }],
    };
  }
  // KFP's executor also writes each parameter to its own file; backends that read those files find them.
  const parameterFiles = executorInput.outputs?.parameters ?? {};
  for (const [name, value] of Object.entries(parameterValues)) {
    const file = own(parameterFiles, name)?.outputFile;
    if (file === undefined || file === '') continue;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
  }
  const executorOutput: ExecutorOutput = { parameterValues, artifacts };
  await mkdir(dirname(outputFile), { recursive: true });
  await writeFile(outputFile, JSON.stringify(executorOutput));
}

function failureReport(run: FunctionComponentRun, error: unknown): string {
  const report =
    error instanceof Error && error.stack !== undefined ? error.stack : `thrown: ${inspect(error)}`;
  if (!(error instanceof ReferenceError)) return report;
  return (
    `${report}\n\nFunction component '${run.functionName}' runs on its own, without the module it was written in: ` +
    'it cannot use that module’s imports or variables. Import what it needs inside its body ' +
    "(const { readFile } = await import('node:fs/promises')) and pass values in as inputs."
  );
}

const EXPECTED_VALUES: Record<ParameterType, string> = {
  STRING: 'a string',
  NUMBER_INTEGER: 'an integer',
  NUMBER_DOUBLE: 'a finite number',
  BOOLEAN: 'a boolean',
  LIST: 'an array',
  STRUCT: 'a plain object',
  TASK_FINAL_STATUS: 'a plain object',
  TASK_CONFIG: 'a plain object',
};

function fitsParameterType(type: ParameterType, value: unknown): boolean {
  switch (type) {
    case 'STRING':
      return typeof value === 'string';
    case 'NUMBER_INTEGER':
      return Number.isInteger(value);
    case 'NUMBER_DOUBLE':
      return Number.isFinite(value);
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'LIST':
      return Array.isArray(value);
    case 'STRUCT':
    case 'TASK_FINAL_STATUS':
    case 'TASK_CONFIG':
      return isPlainObject(value);
  }
}

/** Where `value` holds something JSON cannot represent (or would silently change), if anywhere. */
function nonJsonPart(value: unknown, at: string, enclosing: Set<unknown>): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${at} is ${value}`;
  if (!Array.isArray(value) && !isPlainObject(value)) return `${at} is ${describe(value)}`;
  if (enclosing.has(value)) return `${at} refers back to an enclosing value`;
  enclosing.add(value);
  const parts: [string, unknown][] = Array.isArray(value)
    ? Array.from(value, (item, index) => [`${at}[${index}]`, item])
    : Object.entries(value).map(([key, item]) => [`${at}.${key}`, item]);
  for (const [path, item] of parts) {
    const found = nonJsonPart(item, path, enclosing);
    if (found !== undefined) return found;
  }
  enclosing.delete(value);
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function describe(value: unknown): string {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const shown = inspect(value, { depth: 2, breakLength: Number.POSITIVE_INFINITY, maxArrayLength: 10 });
  return `${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown} (${kind})`;
}
