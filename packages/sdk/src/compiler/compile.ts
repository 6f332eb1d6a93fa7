import type { JsonValue, PipelineSpec } from '@cairn/spec';
import { ArtifactChannel, ParameterChannel, type PipelineChannel } from '../dsl/channels/pipeline-channel.ts';
import { type ComponentDefinition, PipelineGraph, type TaskArgument } from '../dsl/graph/graph-model.ts';
import { valueFitsType } from '../dsl/types/parameter-spec.ts';
import { buildPipelineSpec, validatePipelineName } from './pipeline-spec-builder.ts';
import { specToJson, specToYaml } from './spec-text.ts';

/**
 * What can be compiled: a pipeline, or a single component (compiled as a pipeline of one task with the
 * component's inputs and outputs, as KFP does).
 *
 * @example
 * const target: Compilable = myPipeline;
 */
export interface Compilable {
  readonly definition: ComponentDefinition;
}

/**
 * Overrides applied to the compiled spec (KFP's `Compiler.compile` arguments): another pipeline name or
 * display name, and new defaults for pipeline inputs.
 *
 * @example
 * compilePipeline(myPipeline, { pipelineName: 'nightly', pipelineParameters: { epochs: 10 } });
 */
export interface SpecOverrides {
  readonly pipelineName?: string;
  readonly displayName?: string;
  readonly pipelineParameters?: Readonly<Record<string, JsonValue>>;
}

/**
 * Options of {@link compile}: the text format (YAML, KFP's default, or JSON) and the overrides.
 *
 * @example
 * compile(myPipeline, { format: 'json' });
 */
export interface CompileOptions extends SpecOverrides {
  readonly format?: 'yaml' | 'json';
}

/**
 * Compiles a pipeline (or a component) to its PipelineSpec object, the IR KFP's Python SDK writes for
 * the same pipeline.
 *
 * @example
 * const spec = compilePipeline(myPipeline);
 * console.log(Object.keys(spec.components ?? {}));
 */
export function compilePipeline(target: Compilable, overrides: SpecOverrides = {}): PipelineSpec {
  const definition = target?.definition;
  if (definition === undefined) throw new TypeError('compile takes a pipeline or a component');
  const spec =
    definition.implementation.kind === 'graph'
      ? structuredClone(definition.implementation.spec)
      : componentPipelineSpec(definition);
  return withOverrides(spec, overrides);
}

/**
 * Compiles a pipeline (or a component) to the text of its PipelineSpec: YAML with KFP's
 * `# PIPELINE DEFINITION` header, or JSON.
 *
 * @example
 * writeFileSync('pipeline.yaml', compile(myPipeline));
 */
export function compile(target: Compilable, options: CompileOptions = {}): string {
  const { format = 'yaml', ...overrides } = options;
  const spec = compilePipeline(target, overrides);
  if (format === 'yaml') return specToYaml(spec);
  if (format === 'json') return specToJson(spec);
  throw new TypeError(`unknown format ${JSON.stringify(format)}; expected 'yaml' or 'json'`);
}

// KFP's `ComponentSpec.to_pipeline_spec`: one task taking every input of the pipeline, and the task's
// outputs as the pipeline's.
function componentPipelineSpec(definition: ComponentDefinition): PipelineSpec {
  const graph = new PipelineGraph(definition.name);
  const inputs = new Map<string, TaskArgument>();
  const channels: PipelineChannel[] = [];
  for (const [name, spec] of Object.entries(definition.inputs)) {
    const channel =
      spec.kind === 'parameter'
        ? new ParameterChannel(name, undefined, spec.type, graph)
        : new ArtifactChannel(name, undefined, spec.artifactType, spec.list, graph);
    inputs.set(name, channel);
    channels.push(channel);
  }
  const task = graph.addTask(definition, inputs, channels);
  return buildPipelineSpec({
    name: definition.name,
    graph,
    inputs: definition.inputs,
    outputs: definition.outputs,
    outputChannels: new Map(Object.entries(task.outputs)),
    isCompiledComponent: true,
  });
}

// KFP's `modify_pipeline_spec_with_override`.
function withOverrides(spec: PipelineSpec, overrides: SpecOverrides): PipelineSpec {
  if (overrides.pipelineName !== undefined) {
    validatePipelineName(overrides.pipelineName);
    spec.pipelineInfo.name = overrides.pipelineName;
  }
  if (overrides.displayName !== undefined) spec.pipelineInfo.displayName = overrides.displayName;
  for (const [name, value] of Object.entries(overrides.pipelineParameters ?? {})) {
    const parameter = spec.root.inputDefinitions?.parameters?.[name];
    if (parameter === undefined) {
      if (spec.root.inputDefinitions?.artifacts?.[name] !== undefined) {
        throw new Error(`Default value for artifact input ${name} is not supported.`);
      }
      throw new Error(`Pipeline parameter ${name} does not match any known pipeline input.`);
    }
    const type = parameter.parameterType;
    if (type === undefined || !valueFitsType({ ir: type }, value)) {
      throw new TypeError(`Pipeline parameter ${name} takes a ${type} value; got ${JSON.stringify(value)}`);
    }
    parameter.defaultValue = value;
  }
  return spec;
}
