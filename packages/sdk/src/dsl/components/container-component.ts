import {
  ArtifactPlaceholder,
  type CommandLineElement,
  InputListPlaceholder,
  InputValuePlaceholder,
  OutputParameterPlaceholder,
  renderCommandLineElement,
} from '../placeholders/placeholders.ts';
import type { ContainerInputs, ContainerOutputs, InputsSpec, OutputsSpec } from '../types/io-types.ts';
import { type Component, checkInterfaceNames, componentName, defineComponent } from './component.ts';

/** No inputs or no outputs. */
type None = Record<never, never>;

/**
 * The placeholders a command line is built from: one per input and output of the component.
 *
 * @example
 * command: ({ inputs, outputs }: ContainerIO<typeof inputs, typeof outputs>) => ['cp', inputs.src.path, outputs.dst.path]
 */
export interface ContainerIO<I extends InputsSpec, O extends OutputsSpec> {
  readonly inputs: ContainerInputs<I>;
  readonly outputs: ContainerOutputs<O>;
}

/**
 * A command line: fixed elements, or a function of the component's input and output placeholders.
 *
 * @example
 * const command: CommandLine<{}, {}> = ['echo', 'hello world'];
 */
export type CommandLine<I extends InputsSpec, O extends OutputsSpec> =
  | readonly CommandLineElement[]
  | ((io: ContainerIO<I, O>) => readonly CommandLineElement[]);

/**
 * What defines a container component (KFP's `@dsl.container_component`).
 *
 * @example
 * const options: ContainerComponentOptions<{}, {}> = { name: 'echo', image: 'alpine', command: ['echo', 'hi'] };
 */
export interface ContainerComponentOptions<I extends InputsSpec, O extends OutputsSpec> {
  readonly name: string;
  readonly description?: string;
  readonly image: string;
  readonly inputs?: I;
  readonly outputs?: O;
  readonly command?: CommandLine<I, O>;
  readonly args?: CommandLine<I, O>;
}

/**
 * Defines a component that runs a container image with a command line built from typed placeholders:
 * `inputs.x` is an input parameter's value, `inputs.data.path`/`.uri`/`.metadata` an input artifact's,
 * `outputs.y` the file an output parameter is written to, `outputs.model.path` where an output artifact
 * goes. `concat` and `ifPresent` build structured arguments; placeholders also work in template literals.
 *
 * @example
 * const flip = containerComponent({
 *   name: 'flip-coin',
 *   image: 'alpine:3.20',
 *   outputs: { Output: Parameter.String },
 *   command: ({ outputs }) => ['sh', '-c', concat('echo heads > ', outputs.Output)],
 * });
 */
export function containerComponent<I extends InputsSpec = None, O extends OutputsSpec = None>(
  options: ContainerComponentOptions<I, O>,
): Component<I, O> {
  const name = componentName(options.name);
  const inputs = (options.inputs ?? {}) as I;
  const outputs = (options.outputs ?? {}) as O;
  checkInterfaceNames(name, inputs, outputs);
  if (typeof options.image !== 'string' || options.image === '') {
    throw new TypeError(`container component ${name} needs an image`);
  }
  for (const [outputName, output] of Object.entries(outputs)) {
    if (output.kind === 'artifact' && output.list) {
      throw new TypeError(
        `Output lists of artifacts are only supported for pipelines. Got output list of artifacts for output ${outputName} of component ${name}.`,
      );
    }
  }
  const io: ContainerIO<I, O> = { inputs: inputPlaceholders(inputs), outputs: outputPlaceholders(outputs) };
  const render = (line: CommandLine<I, O> | undefined): string[] => {
    const elements = typeof line === 'function' ? line(io) : (line ?? []);
    if (!Array.isArray(elements))
      throw new TypeError(`container component ${name}: a command line must be an array`);
    return elements.map(renderCommandLineElement);
  };
  return defineComponent<I, O>({
    name,
    description: options.description,
    inputs,
    outputs,
    implementation: {
      kind: 'container',
      image: options.image,
      command: render(options.command),
      args: render(options.args),
    },
  });
}

function inputPlaceholders<I extends InputsSpec>(inputs: I): ContainerInputs<I> {
  const placeholders: Record<string, InputValuePlaceholder | InputListPlaceholder | ArtifactPlaceholder> = {};
  for (const [name, spec] of Object.entries(inputs)) {
    placeholders[name] =
      spec.kind === 'parameter'
        ? new InputValuePlaceholder(name)
        : spec.list
          ? new InputListPlaceholder(name)
          : new ArtifactPlaceholder('inputs', name);
  }
  return placeholders as ContainerInputs<I>;
}

function outputPlaceholders<O extends OutputsSpec>(outputs: O): ContainerOutputs<O> {
  const placeholders: Record<string, OutputParameterPlaceholder | ArtifactPlaceholder> = {};
  for (const [name, spec] of Object.entries(outputs)) {
    placeholders[name] =
      spec.kind === 'parameter'
        ? new OutputParameterPlaceholder(name)
        : new ArtifactPlaceholder('outputs', name);
  }
  return placeholders as ContainerOutputs<O>;
}
