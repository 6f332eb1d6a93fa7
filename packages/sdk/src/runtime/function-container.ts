import { embeddedRuntimeSource } from './embedded-runtime.ts';
import { canonicalSignature, type FunctionSignature } from './function-signature.ts';
import { functionExpressionSource } from './function-source.ts';

export type {
  ArtifactInput,
  ArtifactOutput,
  FunctionSignature,
  ParameterInput,
  ParameterOutput,
} from './function-signature.ts';

/**
 * A function component's implementation: its function, the signature the runtime types its arguments
 * and checks its result by, and the image to run it in.
 *
 * @example
 * const options: FunctionContainerOptions = {
 *   name: 'double',
 *   fn: async (inputs: { n: number }) => ({ twice: inputs.n * 2 }),
 *   signature: {
 *     inputs: { n: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } },
 *     outputs: { twice: { kind: 'parameter', type: 'NUMBER_INTEGER' } },
 *   },
 * };
 */
export interface FunctionContainerOptions {
  name: string;
  fn: (...args: never[]) => unknown;
  signature: FunctionSignature;
  image?: string;
}

/**
 * The container of a function component, as it goes into the pipeline spec's `deploymentSpec` executor.
 *
 * @example
 * const { image, command, args }: FunctionContainer = functionContainer(options);
 */
export interface FunctionContainer {
  image: string;
  command: string[];
  args: string[];
}

/**
 * The image function components run in unless they name another: any image with Node 24 on its PATH works.
 *
 * @example
 * functionContainer({ ...options, image: DEFAULT_FUNCTION_IMAGE });
 */
export const DEFAULT_FUNCTION_IMAGE = 'node:24-slim';

const PROGRAM_FILE = 'ephemeral_component.mjs';

// As in KFP's lightweight Python components, the program travels as `$0` of `sh -ec` and the arguments
// (`--executor_input {{$}} --function_to_execute <name>`) as `$@`.
const LAUNCHER = [
  'program_path=$(mktemp -d)',
  `printf "%s" "$0" > "$program_path/${PROGRAM_FILE}"`,
  `exec node "$program_path/${PROGRAM_FILE}" "$@"`,
  '',
].join('\n');

// Linux refuses to start a program given one argument longer than 32 pages (MAX_ARG_STRLEN), NUL included.
const MAX_ARGUMENT_BYTES = 32 * 4096 - 1;

/**
 * Builds the container that runs `fn` as a KFP function component: one JavaScript module holding the
 * executor runtime, the signature and the function's own source, written to a file and run by `node`
 * with KFP's `--executor_input` and `--function_to_execute` arguments. The function is called as
 * `fn(inputs, outputs)` and returns its output parameters by name.
 *
 * Like KFP's Python functions, the function must stand on its own: it runs without the module it was
 * written in, so it imports what it needs inside its body and uses no variables from outside it. The
 * result depends only on the options (it is part of the task's cache key). Throws a TypeError naming the
 * component for what cannot run: a non-function, a class, a native or bound function, a generator, a bad
 * signature, or a program over Linux's 128 KiB limit for one argument.
 *
 * @example
 * const container = functionContainer({
 *   name: 'line-count',
 *   fn: async (inputs: { text: Dataset }) => {
 *     const { readFile } = await import('node:fs/promises');
 *     return { lines: (await readFile(inputs.text.path, 'utf8')).split('\n').length };
 *   },
 *   signature: {
 *     inputs: { text: { kind: 'artifact', schemaTitle: 'system.Dataset', list: false, optional: false } },
 *     outputs: { lines: { kind: 'parameter', type: 'NUMBER_INTEGER' } },
 *   },
 * });
 * // container.args: ['--executor_input', '{{$}}', '--function_to_execute', 'line-count']
 */
export function functionContainer(options: FunctionContainerOptions): FunctionContainer {
  const { name, fn, signature, image = DEFAULT_FUNCTION_IMAGE } = options;
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`a function component needs a non-empty name, got ${JSON.stringify(name)}`);
  }
  const problem = (why: string): TypeError => new TypeError(`Function component '${name}': ${why}`);
  if (typeof image !== 'string' || image === '') throw problem('the image must be a non-empty string');
  const fnSource = functionExpressionSource(name, fn);
  const program = [
    embeddedRuntimeSource(),
    'await executeFunctionComponent({',
    '  argv: process.argv.slice(2),',
    `  functionName: ${JSON.stringify(name)},`,
    `  signature: ${JSON.stringify(canonicalSignature(name, signature))},`,
    '  artifactClassFor,',
    `  fn: ${fnSource},`,
    '});',
    '',
  ].join('\n');
  const bytes = Buffer.byteLength(program);
  if (bytes > MAX_ARGUMENT_BYTES) {
    throw problem(
      `its program is ${bytes} bytes, over the ${MAX_ARGUMENT_BYTES} bytes Linux allows one argument; ` +
        'move the bulk of the code into the image and import it from there',
    );
  }
  return {
    image,
    command: ['sh', '-ec', LAUNCHER, program],
    args: ['--executor_input', '{{$}}', '--function_to_execute', name],
  };
}
