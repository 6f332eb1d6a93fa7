import type { JsonValue } from '@cairn/spec';
import { CollectedChannel } from '../channels/collected.ts';
import { LoopArgumentVariable, LoopParameterArgument } from '../channels/loop-argument.ts';
import {
  ArtifactChannel,
  channelsInValue,
  ParameterChannel,
  PipelineChannel,
} from '../channels/pipeline-channel.ts';
import { currentGraph } from '../graph/build-context.ts';
import type {
  ComponentDefinition,
  InputDefinition,
  OutputDefinition,
  PipelineGraph,
  TaskArgument,
} from '../graph/graph-model.ts';
import { checkChannelInputs } from '../graph/topology-checks.ts';
import { PipelineTask } from '../task/pipeline-task.ts';
import type { CallArguments, InputsSpec, OutputsSpec } from '../types/io-types.ts';
import { valueFitsType } from '../types/parameter-spec.ts';

/**
 * A component: call it inside a pipeline body with its arguments to add a task. Its inputs and outputs
 * are typed, so wrong arguments are compile-time errors.
 *
 * @example
 * const echo: Component<{ text: typeof Parameter.String }, {}> = containerComponent({ ... });
 * pipeline({ name: 'p' }, () => { echo({ text: 'hi' }); });
 */
export interface Component<I extends InputsSpec, O extends OutputsSpec> {
  (...args: CallArguments<I>): PipelineTask<O>;
  /** The component as the compiler sees it. */
  readonly definition: ComponentDefinition;
}

/**
 * Makes a callable component from its definition.
 *
 * @example
 * const component = defineComponent<{}, {}>(definition);
 */
export function defineComponent<I extends InputsSpec, O extends OutputsSpec>(
  definition: ComponentDefinition,
): Component<I, O> {
  const call = (...args: CallArguments<I>): PipelineTask<O> => callComponent<O>(definition, args[0] ?? {});
  return Object.assign(call, { definition });
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Checks the input and output names of a component or pipeline: identifiers (with `-`), and not in the
 * `pipelinechannel--` namespace the compiler uses for the inputs it adds.
 *
 * @example
 * checkInterfaceNames('train', inputs, outputs);
 */
export function checkInterfaceNames(
  componentName: string,
  inputs: Readonly<Record<string, InputDefinition>>,
  outputs: Readonly<Record<string, OutputDefinition>>,
): void {
  for (const [what, names] of [
    ['input', Object.keys(inputs)],
    ['output', Object.keys(outputs)],
  ] as const) {
    for (const name of names) {
      if (!NAME.test(name) || name.startsWith('pipelinechannel--')) {
        throw new TypeError(
          `${componentName}: ${what} name ${JSON.stringify(name)} must be letters, digits, "_" and "-", not start with a digit, and not start with "pipelinechannel--"`,
        );
      }
    }
  }
  for (const [name, output] of Object.entries(outputs)) {
    if (!/^[A-Za-z]/.test(name))
      throw new TypeError(`${componentName}: output name ${JSON.stringify(name)} must start with a letter`);
    if (output.kind === 'parameter' && output.type.ir === 'TASK_FINAL_STATUS') {
      throw new TypeError(`${componentName}: output ${name} cannot be a TaskFinalStatus; only inputs can`);
    }
  }
}

/**
 * Checks a component's name and returns it as KFP names components and tasks.
 *
 * @example
 * componentName('Print Text'); // 'print-text'
 */
export function componentName(name: string): string {
  if (typeof name !== 'string' || !/[a-z0-9]/i.test(name)) {
    throw new TypeError(
      `a component needs a name with at least one letter or digit; got ${JSON.stringify(name)}`,
    );
  }
  return name
    .toLowerCase()
    .replace(/[^-0-9a-z]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Adds a task for `definition` to the pipeline being built, after checking its arguments: known inputs,
 * no required input missing, types that fit, and channels used within their scopes.
 *
 * @example
 * const task = callComponent(definition, { text: 'hello' });
 */
export function callComponent<O extends OutputsSpec>(
  definition: ComponentDefinition,
  args: object,
): PipelineTask<O> {
  const graph = currentGraph(`component ${definition.name}`);
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new TypeError(`${definition.name}() takes its arguments as one object, by input name`);
  }
  const inputs = new Map<string, TaskArgument>();
  const channelInputs: PipelineChannel[] = [];
  const addChannel = (channel: PipelineChannel): void => {
    if (!channelInputs.some((known) => known.pattern === channel.pattern)) channelInputs.push(channel);
  };
  const callerInputs = Object.entries(definition.inputs).filter(([, spec]) => !isFinalStatus(spec));
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined) continue;
    const spec = definition.inputs[name];
    if (spec === undefined || isFinalStatus(spec)) {
      const known = callerInputs.map(([known]) => known);
      throw new TypeError(
        `${definition.name}() got an unexpected input ${JSON.stringify(name)}; its inputs are ${known.length === 0 ? '(none)' : known.join(', ')}`,
      );
    }
    const argument = checkedArgument(definition.name, name, spec, value);
    inputs.set(name, argument);
    if (argument instanceof PipelineChannel) addChannel(argument);
    else
      for (const channel of channelsInConstant(graph, definition.name, name, argument)) addChannel(channel);
  }
  const missing = callerInputs
    .filter(([name, spec]) => !spec.isOptional && !inputs.has(name))
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new TypeError(
      `${definition.name}() missing ${missing.length} required ${missing.length === 1 ? 'input' : 'inputs'}: ${missing.join(', ')}`,
    );
  }
  checkChannelInputs(graph, channelInputs, graph.currentGroup, definition.name);
  return new PipelineTask<O>(graph.addTask(definition, inputs, channelInputs), graph);
}

function isFinalStatus(spec: InputDefinition): boolean {
  return spec.kind === 'parameter' && spec.type.ir === 'TASK_FINAL_STATUS';
}

function checkedArgument(
  component: string,
  name: string,
  spec: InputDefinition,
  value: unknown,
): TaskArgument {
  const prefix = `Incompatible argument passed to the input '${name}' of component '${component}': `;
  if (value instanceof PipelineChannel) {
    checkChannelType(value, spec, prefix);
    return value;
  }
  if (spec.kind === 'artifact') {
    throw new TypeError(
      `${prefix}an artifact input takes an artifact from a task or a pipeline input, not a constant`,
    );
  }
  if (!valueFitsType(spec.type, value)) {
    throw new TypeError(`${prefix}expected a constant of type ${spec.type.ir}, got ${describe(value)}`);
  }
  return value as JsonValue;
}

/**
 * Checks that a channel may feed an input or a pipeline output, with KFP's rules: parameter types must
 * match (loop items of unknown type match anything, a final status feeds a dict; JavaScript's literal
 * numbers feed floats too);
 * artifacts must both be lists or both not, and have the same schema title and major version unless
 * either is `system.Artifact`.
 *
 * @example
 * checkChannelType(task.outputs.model, Input(Dataset), 'input data: '); // throws
 */
export function checkChannelType(
  channel: PipelineChannel,
  spec: InputDefinition | OutputDefinition,
  prefix: string,
): void {
  const given = channelType(channel);
  if (given.kind === 'parameter' && spec.kind === 'parameter') {
    const loose = channel instanceof LoopParameterArgument || channel instanceof LoopArgumentVariable;
    if (loose && given.ir === 'STRING') return;
    const literalInteger =
      channel instanceof LoopParameterArgument &&
      channel.isWithItemsLoopArgument &&
      given.ir === 'NUMBER_INTEGER';
    // KFP reads a TaskFinalStatus (and a TaskConfig) as a dict.
    const dictLike =
      spec.type.ir === 'STRUCT' && (given.ir === 'TASK_FINAL_STATUS' || given.ir === 'TASK_CONFIG');
    if (given.ir === spec.type.ir || dictLike || (literalInteger && spec.type.ir === 'NUMBER_DOUBLE')) return;
    throw new TypeError(
      `${prefix}Argument type ${given.ir} is incompatible with the input type ${spec.type.ir}`,
    );
  }
  if (given.kind === 'artifact' && spec.kind === 'artifact') {
    const expected = spec.artifactType;
    const describeArtifact = (title: string, list: boolean): string => (list ? `List[${title}]` : title);
    const compatible =
      given.list === spec.list &&
      (given.schemaTitle === 'system.Artifact' ||
        expected.schemaTitle === 'system.Artifact' ||
        (given.schemaTitle === expected.schemaTitle &&
          given.schemaVersion.split('.')[0] === expected.schemaVersion.split('.')[0]));
    if (compatible) return;
    throw new TypeError(
      `${prefix}Argument type ${describeArtifact(given.schemaTitle, given.list)} is incompatible with the input type ${describeArtifact(expected.schemaTitle, spec.list)}`,
    );
  }
  throw new TypeError(
    `${prefix}a${given.kind === 'artifact' ? 'n artifact' : ' parameter'} cannot feed a${spec.kind === 'artifact' ? 'n artifact' : ' parameter'}`,
  );
}

type GivenType =
  | { readonly kind: 'parameter'; readonly ir: string }
  | {
      readonly kind: 'artifact';
      readonly schemaTitle: string;
      readonly schemaVersion: string;
      readonly list: boolean;
    };

function channelType(channel: PipelineChannel): GivenType {
  if (channel instanceof CollectedChannel) {
    return channel.artifactType === undefined
      ? { kind: 'parameter', ir: 'LIST' }
      : { kind: 'artifact', ...channel.artifactType, list: true };
  }
  if (channel instanceof ParameterChannel) return { kind: 'parameter', ir: channel.type.ir };
  if (channel instanceof ArtifactChannel)
    return { kind: 'artifact', ...channel.artifactType, list: channel.isArtifactList };
  throw new TypeError(`unknown kind of pipeline value: ${channel.pattern}`);
}

/** The channels embedded in the strings of a constant argument (template literals with pipeline values). */
function channelsInConstant(
  graph: PipelineGraph,
  component: string,
  name: string,
  value: JsonValue,
): PipelineChannel[] {
  const found = channelsInValue(graph, value);
  for (const channel of found) {
    if (channel instanceof ArtifactChannel) {
      throw new TypeError(
        `input '${name}' of component '${component}' embeds artifact ${channel.name} in a string; pass artifacts to artifact inputs`,
      );
    }
  }
  return found;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
