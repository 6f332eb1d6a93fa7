import { PARAMETER_TYPES, type ParameterType } from '@cairn/spec';

/**
 * A parameter input of a function component: a JSON value the backend passes in `parameterValues`.
 *
 * @example
 * const learningRate: ParameterInput = { kind: 'parameter', type: 'NUMBER_DOUBLE', optional: false };
 */
export interface ParameterInput {
  kind: 'parameter';
  type: ParameterType;
  optional: boolean;
}

/**
 * An artifact input of a function component; `list` inputs receive every artifact of the input (KFP's
 * `isArtifactList`, as fed by `dsl.Collected`).
 *
 * @example
 * const shards: ArtifactInput = { kind: 'artifact', schemaTitle: 'system.Dataset', list: true, optional: false };
 */
export interface ArtifactInput {
  kind: 'artifact';
  schemaTitle: string;
  list: boolean;
  optional: boolean;
}

/**
 * An output parameter: the function returns its value under its name.
 *
 * @example
 * const accuracy: ParameterOutput = { kind: 'parameter', type: 'NUMBER_DOUBLE' };
 */
export interface ParameterOutput {
  kind: 'parameter';
  type: ParameterType;
}

/**
 * An output artifact: the function writes to its `path` and may add `metadata`.
 *
 * @example
 * const model: ArtifactOutput = { kind: 'artifact', schemaTitle: 'system.Model', list: false };
 */
export interface ArtifactOutput {
  kind: 'artifact';
  schemaTitle: string;
  list: boolean;
}

/**
 * The inputs and outputs of a function component by name, as the executor runtime needs them to build
 * the function's arguments and to check what it returns.
 *
 * @example
 * const signature: FunctionSignature = {
 *   inputs: { rows: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } },
 *   outputs: {
 *     sample: { kind: 'artifact', schemaTitle: 'system.Dataset', list: false },
 *     count: { kind: 'parameter', type: 'NUMBER_INTEGER' },
 *   },
 * };
 */
export interface FunctionSignature {
  inputs: Record<string, ParameterInput | ArtifactInput>;
  outputs: Record<string, ParameterOutput | ArtifactOutput>;
}

// The runtime gets these from the backend but never returns them.
const INPUT_ONLY_TYPES: readonly ParameterType[] = ['TASK_FINAL_STATUS', 'TASK_CONFIG'];

/**
 * The signature with its names sorted and only the fields the runtime reads, so that equal signatures
 * embed as equal text (the program is part of a cache key). Throws a TypeError naming the component for
 * what the runtime cannot honour: unknown kinds or parameter types, outputs of input-only types, lists of
 * output artifacts.
 *
 * @example
 * canonicalSignature('count', { outputs: { n: { type: 'NUMBER_INTEGER', kind: 'parameter' } }, inputs: {} });
 * // { inputs: {}, outputs: { n: { kind: 'parameter', type: 'NUMBER_INTEGER' } } }
 */
export function canonicalSignature(component: string, signature: FunctionSignature): FunctionSignature {
  const problem = (why: string): TypeError => new TypeError(`Function component '${component}': ${why}`);
  const parameterType = (what: string, type: ParameterType): ParameterType => {
    if (PARAMETER_TYPES.includes(type)) return type;
    throw problem(
      `${what} has parameter type ${JSON.stringify(type)}; expected one of ${PARAMETER_TYPES.join(', ')}`,
    );
  };
  const schemaTitle = (what: string, title: string): string => {
    if (typeof title === 'string' && title !== '') return title;
    throw problem(`${what} needs a schema title such as 'system.Dataset'`);
  };
  const unknownKind = (what: string, entry: unknown): TypeError =>
    problem(
      `${what} has kind ${JSON.stringify((entry as { kind: unknown }).kind)}; expected 'parameter' or 'artifact'`,
    );

  const inputs = sortedEntries(signature.inputs).map(
    ([name, input]): [string, ParameterInput | ArtifactInput] => {
      const what = `input '${name}'`;
      const optional = input.optional === true;
      if (input.kind === 'parameter') {
        return [name, { kind: 'parameter', type: parameterType(what, input.type), optional }];
      }
      if (input.kind !== 'artifact') throw unknownKind(what, input);
      const title = schemaTitle(what, input.schemaTitle);
      return [name, { kind: 'artifact', schemaTitle: title, list: input.list === true, optional }];
    },
  );
  const outputs = sortedEntries(signature.outputs).map(
    ([name, output]): [string, ParameterOutput | ArtifactOutput] => {
      const what = `output '${name}'`;
      if (output.kind === 'parameter') {
        const type = parameterType(what, output.type);
        if (INPUT_ONLY_TYPES.includes(type)) {
          throw problem(`${what} cannot be of type ${type}, which only inputs take`);
        }
        return [name, { kind: 'parameter', type }];
      }
      if (output.kind !== 'artifact') throw unknownKind(what, output);
      // KFP's executor hands a function one artifact per output; lists of outputs exist only for pipelines.
      if (output.list) throw problem(`${what} is a list of artifacts, which a function cannot output`);
      return [name, { kind: 'artifact', schemaTitle: schemaTitle(what, output.schemaTitle), list: false }];
    },
  );
  return { inputs: Object.fromEntries(inputs), outputs: Object.fromEntries(outputs) };
}

function sortedEntries<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
