import { deepFreeze, type PipelineSpec } from '@cairn/spec';
import { buildPipelineSpec, validatePipelineName } from '../../compiler/pipeline-spec-builder.ts';
import { CollectedChannel } from '../channels/collected.ts';
import { ArtifactChannel, ParameterChannel, PipelineChannel } from '../channels/pipeline-channel.ts';
import {
  type Component,
  checkChannelType,
  checkInterfaceNames,
  componentName,
  defineComponent,
} from '../components/component.ts';
import { OneOfArtifact, OneOfParameter } from '../control-flow/one-of.ts';
import { buildGraph } from '../graph/build-context.ts';
import type { ComponentDefinition } from '../graph/graph-model.ts';
import { PipelineGraph } from '../graph/graph-model.ts';
import { groupPath } from '../graph/topology-checks.ts';
import type { Channels, InputsSpec, OutputsSpec, PipelineResult } from '../types/io-types.ts';

/** No inputs or no outputs. */
type None = Record<never, never>;

/**
 * What defines a pipeline besides its body: its name (lower case, digits and `-`), optional description
 * and display name, default pipeline root, and its typed inputs and outputs.
 *
 * @example
 * const options: PipelineOptions<{}, {}> = { name: 'hello-world', description: 'Says hello' };
 */
export interface PipelineOptions<I extends InputsSpec, O extends OutputsSpec> {
  readonly name: string;
  readonly description?: string;
  readonly displayName?: string;
  /** Where the pipeline's artifacts go unless a run says otherwise (the IR's `defaultPipelineRoot`). */
  readonly pipelineRoot?: string;
  readonly inputs?: I;
  readonly outputs?: O;
}

/**
 * A pipeline: compile it, or call it inside another pipeline's body to use it as a task.
 *
 * @example
 * const inner: Pipeline<{ msg: typeof Parameter.String }, {}> = pipeline({ name: 'inner', inputs: { msg: Parameter.String } }, ({ msg }) => { echo({ msg }); });
 */
export interface Pipeline<I extends InputsSpec, O extends OutputsSpec> extends Component<I, O> {
  /** The compiled pipeline spec, frozen: `compilePipeline` returns a copy to change. */
  readonly spec: PipelineSpec;
}

/**
 * Defines a pipeline (KFP's `@dsl.pipeline`). The body runs at once, with the pipeline's inputs as
 * typed values, and builds the graph from component calls and control flow; it returns the pipeline's
 * outputs by name. The pipeline is compiled right away, so mistakes are reported where it is defined.
 *
 * @example
 * export default pipeline(
 *   { name: 'my-pipeline', inputs: { epochs: Parameter.Integer.default(3) }, outputs: { accuracy: Parameter.Float } },
 *   ({ epochs }) => {
 *     const trained = train({ epochs, data: load().outputs.data });
 *     return { accuracy: trained.outputs.accuracy };
 *   },
 * );
 */
export function pipeline<I extends InputsSpec = None, O extends OutputsSpec = None>(
  options: PipelineOptions<I, O>,
  body: (inputs: Channels<I>) => PipelineResult<O>,
): Pipeline<I, O> {
  const name = componentName(options.name);
  validatePipelineName(name);
  const inputs = (options.inputs ?? {}) as I;
  const outputs = (options.outputs ?? {}) as O;
  checkInterfaceNames(name, inputs, outputs);
  const graph = new PipelineGraph(name);
  const inputChannels: Record<string, PipelineChannel> = {};
  for (const [inputName, spec] of Object.entries(inputs)) {
    inputChannels[inputName] =
      spec.kind === 'parameter'
        ? new ParameterChannel(inputName, undefined, spec.type, graph)
        : new ArtifactChannel(inputName, undefined, spec.artifactType, spec.list, graph);
  }
  const result: unknown = buildGraph(graph, () => body(inputChannels as Channels<I>));
  if (typeof (result as { then?: unknown } | undefined)?.then === 'function') {
    throw new TypeError(
      `the body of pipeline ${name} must be synchronous: it builds the graph, it does not run it`,
    );
  }
  if (graph.tasks.size === 0)
    throw new Error(`pipeline ${name} has no tasks: its body must call at least one component`);
  const nestedPipelines = uniquelyNamedSubPipelines(name, graph);
  const outputChannels = checkedOutputs(name, graph, outputs, result);
  const spec = buildPipelineSpec({
    name,
    graph,
    inputs,
    outputs,
    outputChannels,
    isCompiledComponent: false,
  });
  subPipelines.set(spec, nestedPipelines);
  if (options.pipelineRoot !== undefined) spec.defaultPipelineRoot = options.pipelineRoot;
  if (options.displayName !== undefined) spec.pipelineInfo.displayName = options.displayName;
  if (options.description !== undefined) spec.pipelineInfo.description = options.description;
  deepFreeze(spec);
  const definition: ComponentDefinition = {
    name,
    description: options.description,
    inputs,
    outputs,
    implementation: { kind: 'graph', spec },
  };
  return Object.assign(defineComponent<I, O>(definition), { spec });
}

function checkedOutputs(
  name: string,
  graph: PipelineGraph,
  outputs: OutputsSpec,
  result: unknown,
): Map<string, PipelineChannel> {
  const declared = Object.keys(outputs);
  if (declared.length === 0) {
    if (
      result !== undefined &&
      !(typeof result === 'object' && result !== null && Object.keys(result).length === 0)
    ) {
      throw new Error(
        `pipeline ${name} declares no outputs but its body returns some; declare them in \`outputs\``,
      );
    }
    return new Map();
  }
  if (typeof result !== 'object' || result === null) {
    throw new Error(
      `pipeline ${name} declares outputs ${declared.join(', ')}; its body must return them by name`,
    );
  }
  const channels = new Map<string, PipelineChannel>();
  for (const [outputName, value] of Object.entries(result)) {
    const spec = outputs[outputName];
    if (spec === undefined)
      throw new Error(
        `pipeline ${name} returns ${outputName}, which is not one of its outputs (${declared.join(', ')})`,
      );
    if (!(value instanceof PipelineChannel) || value.owner !== graph) {
      throw new Error(`output ${outputName} of pipeline ${name} must be an output of one of its tasks`);
    }
    checkChannelType(
      value,
      spec,
      `Incompatible return type provided for output '${outputName}' of pipeline '${name}': `,
    );
    checkOutputScope(name, graph, outputName, value);
    channels.set(outputName, value);
  }
  const missing = declared.filter((outputName) => !channels.has(outputName));
  if (missing.length > 0)
    throw new Error(`Missing pipeline output: ${missing.join(', ')} (pipeline ${name})`);
  return channels;
}

// KFP's `validate_pipeline_outputs_dict`: outputs come from the top level of the body, except that a
// Collected output comes from inside a loop and a OneOf from a top-level if/elif/else chain.
function checkOutputScope(
  name: string,
  graph: PipelineGraph,
  outputName: string,
  channel: PipelineChannel,
): void {
  const where = `Pipeline outputs may only be returned from the top level of the pipeline body; output ${outputName} of pipeline ${name}`;
  if (channel instanceof OneOfParameter || channel instanceof OneOfArtifact) {
    if (channel.conditionBranchesGroup.parent !== graph.root)
      throw new Error(`${where} is a OneOf of a chain nested in another group.`);
    return;
  }
  const producer = channel.taskName === undefined ? undefined : graph.tasks.get(channel.taskName);
  if (producer?.parentGroup === undefined || producer.isExitHandler) {
    throw new Error(
      `output ${outputName} of pipeline ${name} must be an output of one of its tasks (not an input or an exit task)`,
    );
  }
  if (channel instanceof CollectedChannel) {
    if (!groupPath(producer.parentGroup).some((group) => group.groupType === 'for-loop')) {
      throw new Error(
        `Collected output ${outputName} of pipeline ${name} must come from a task inside a ParallelFor`,
      );
    }
    return;
  }
  if (producer.parentGroup !== graph.root)
    throw new Error(`${where} comes from within ${producer.parentGroup.name}.`);
}

/** The pipelines used (directly or deeper) inside each pipeline, by name. */
const subPipelines = new WeakMap<PipelineSpec, ReadonlyMap<string, PipelineSpec>>();

// Two different pipelines with one name in one pipeline's tree would be indistinguishable to Cairn, which
// knows pipelines by name; the same pipeline used several times is fine.
function uniquelyNamedSubPipelines(name: string, graph: PipelineGraph): ReadonlyMap<string, PipelineSpec> {
  const seen = new Map<string, PipelineSpec>();
  for (const task of graph.tasks.values()) {
    const implementation = task.component.implementation;
    if (implementation.kind !== 'graph') continue;
    const nested = new Map(subPipelines.get(implementation.spec) ?? []);
    nested.set(task.component.name, implementation.spec);
    for (const [nestedName, nestedSpec] of nested) {
      const known = seen.get(nestedName);
      if (nestedName === name || (known !== undefined && known !== nestedSpec)) {
        throw new Error(
          `pipeline ${name} uses two different pipelines named '${nestedName}'${nestedName === name ? ' (its own name)' : ''}; give each pipeline its own name`,
        );
      }
      seen.set(nestedName, nestedSpec);
    }
  }
  return seen;
}
