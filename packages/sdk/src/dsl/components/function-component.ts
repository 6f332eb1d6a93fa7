import { type FunctionSignature, functionContainer } from '../../runtime/function-container.ts';
import type {
  FunctionInputs,
  FunctionOutputs,
  FunctionResult,
  InputsSpec,
  OutputsSpec,
} from '../types/io-types.ts';
import { type Component, checkInterfaceNames, componentName, defineComponent } from './component.ts';

/** No inputs or no outputs. */
type None = Record<never, never>;

/**
 * What defines a function component, besides its function.
 *
 * @example
 * const options: FunctionComponentOptions<{}, {}> = { name: 'hello', image: 'node:24-slim' };
 */
export interface FunctionComponentOptions<I extends InputsSpec, O extends OutputsSpec> {
  readonly name: string;
  readonly description?: string;
  /** The image to run in; any image with Node 24 works. */
  readonly image?: string;
  readonly inputs?: I;
  readonly outputs?: O;
}

/**
 * The function of a function component: it gets its input values and artifacts, writes its output
 * artifacts, and returns its output parameters.
 *
 * @example
 * const fn: ComponentFunction<{}, {}> = async () => {};
 */
export type ComponentFunction<I extends InputsSpec, O extends OutputsSpec> = (
  inputs: FunctionInputs<I>,
  outputs: FunctionOutputs<O>,
) => FunctionResult<O> | Promise<FunctionResult<O>>;

/**
 * Defines a component that runs a TypeScript function in a container (KFP's lightweight `@dsl.component`).
 * The function runs on its own, away from this module: it imports what it needs inside its body and
 * uses nothing from outside it.
 *
 * @example
 * const train = functionComponent(
 *   { name: 'train', inputs: { epochs: Parameter.Integer, data: Input(Dataset) },
 *     outputs: { accuracy: Parameter.Float, model: Output(Model) } },
 *   async ({ epochs, data }, { model }) => {
 *     const { writeFile } = await import('node:fs/promises');
 *     await writeFile(model.path, `trained ${epochs} epochs on ${data.uri}`);
 *     return { accuracy: 0.9 };
 *   },
 * );
 */
export function functionComponent<I extends InputsSpec = None, O extends OutputsSpec = None>(
  options: FunctionComponentOptions<I, O>,
  fn: ComponentFunction<I, O>,
): Component<I, O> {
  const name = componentName(options.name);
  const inputs = (options.inputs ?? {}) as I;
  const outputs = (options.outputs ?? {}) as O;
  checkInterfaceNames(name, inputs, outputs);
  const container = functionContainer({
    name,
    fn,
    signature: signatureOf(inputs, outputs),
    ...(options.image === undefined ? {} : { image: options.image }),
  });
  return defineComponent<I, O>({
    name,
    description: options.description,
    inputs,
    outputs,
    implementation: {
      kind: 'container',
      image: container.image,
      command: container.command,
      args: container.args,
    },
  });
}

function signatureOf(inputs: InputsSpec, outputs: OutputsSpec): FunctionSignature {
  const signature: FunctionSignature = { inputs: {}, outputs: {} };
  for (const [name, spec] of Object.entries(inputs)) {
    signature.inputs[name] =
      spec.kind === 'parameter'
        ? { kind: 'parameter', type: spec.type.ir, optional: spec.isOptional }
        : {
            kind: 'artifact',
            schemaTitle: spec.artifactType.schemaTitle,
            list: spec.list,
            optional: spec.isOptional,
          };
  }
  for (const [name, spec] of Object.entries(outputs)) {
    signature.outputs[name] =
      spec.kind === 'parameter'
        ? { kind: 'parameter', type: spec.type.ir }
        : { kind: 'artifact', schemaTitle: spec.artifactType.schemaTitle, list: spec.list };
  }
  return signature;
}
