/**
 * Cairn's TypeScript SDK: author Kubeflow Pipelines in TypeScript, fully typed, and compile them to KFP's
 * pipeline spec, which Cairn and KFP both run.
 *
 * @example
 * import { compile, containerComponent, Parameter, pipeline } from '@cairn/sdk';
 *
 * const say = containerComponent({
 *   name: 'say',
 *   image: 'alpine:3.20',
 *   inputs: { text: Parameter.String },
 *   command: ({ inputs }) => ['echo', inputs.text],
 * });
 * export default pipeline({ name: 'hello', inputs: { text: Parameter.String.default('hi') } }, ({ text }) => {
 *   say({ text });
 * });
 * // compile(helloPipeline) gives the pipeline spec as YAML.
 */
export {
  type Compilable,
  type CompileOptions,
  compile,
  compilePipeline,
  type SpecOverrides,
} from './compiler/compile.ts';
export { isCompilable, loadPipelineModule, type ModulePipeline } from './compiler/load-pipeline-module.ts';
export { Collected } from './dsl/channels/collected.ts';
export {
  ArtifactChannel,
  ConditionOperation,
  ParameterChannel,
  type ParameterRef,
} from './dsl/channels/pipeline-channel.ts';
export type { Component } from './dsl/components/component.ts';
export {
  type CommandLine,
  type ContainerComponentOptions,
  type ContainerIO,
  containerComponent,
} from './dsl/components/container-component.ts';
export {
  type ComponentFunction,
  type FunctionComponentOptions,
  functionComponent,
} from './dsl/components/function-component.ts';
export { type ImporterOptions, importer } from './dsl/components/importer.ts';
export { Condition, ConditionChain, type ConditionOptions, If } from './dsl/control-flow/condition.ts';
export {
  ExitHandler,
  type ExitHandlerOptions,
  type ExitHandlerScope,
} from './dsl/control-flow/exit-handler.ts';
export { OneOf } from './dsl/control-flow/one-of.ts';
export { ParallelFor, type ParallelForOptions } from './dsl/control-flow/parallel-for.ts';
export { type Pipeline, type PipelineOptions, pipeline } from './dsl/pipeline/pipeline.ts';
export { concat, ifPresent, PipelinePlaceholders } from './dsl/placeholders/placeholders.ts';
export { type AfterTarget, PipelineTask, type RetryOptions } from './dsl/task/pipeline-task.ts';
export {
  Artifact,
  ArtifactSpec,
  type ArtifactType,
  artifactType,
  ClassificationMetrics,
  Dataset,
  HTML,
  Input,
  Markdown,
  Metrics,
  Model,
  Output,
  SlicedClassificationMetrics,
} from './dsl/types/artifact-spec.ts';
export type { InputsSpec, OutputsSpec } from './dsl/types/io-types.ts';
export {
  Parameter,
  ParameterSpec,
  type PipelineTaskFinalStatus,
  TaskFinalStatus,
} from './dsl/types/parameter-spec.ts';
export { DEFAULT_FUNCTION_IMAGE } from './runtime/function-container.ts';
