/**
 * The typed model of KFP's PipelineSpec (the "IR"), as written by the KFP SDK in protobuf's JSON mapping
 * (camelCase field names). It mirrors `api/v2alpha1/pipeline_spec.proto` in kubeflow/pipelines.
 *
 * Every message may carry fields this model does not know (a newer KFP SDK may add them); the loader keeps
 * them on the decoded objects, which is why each interface is open to extra keys through {@link Extensible}.
 */

/** A JSON value, as held by `google.protobuf.Value` and `google.protobuf.Struct` fields. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Unknown fields survive decoding; they are reported as warnings, never dropped. */
export interface Extensible {
  readonly [unknownField: string]: unknown;
}

export const PARAMETER_TYPES = [
  'NUMBER_DOUBLE',
  'NUMBER_INTEGER',
  'STRING',
  'BOOLEAN',
  'LIST',
  'STRUCT',
  'TASK_FINAL_STATUS',
  'TASK_CONFIG',
] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

/** The deprecated `type` field of parameter specs (KFP SDK v1 era). */
export const PRIMITIVE_TYPES = ['INT', 'DOUBLE', 'STRING'] as const;
export type PrimitiveType = (typeof PRIMITIVE_TYPES)[number];

export const TRIGGER_STRATEGIES = ['ALL_UPSTREAM_TASKS_SUCCEEDED', 'ALL_UPSTREAM_TASKS_COMPLETED'] as const;
export type TriggerStrategy = (typeof TRIGGER_STRATEGIES)[number];

export interface PipelineSpec extends Extensible {
  pipelineInfo: PipelineInfo;
  deploymentSpec?: DeploymentSpec;
  sdkVersion?: string;
  schemaVersion: string;
  components?: Record<string, ComponentSpec>;
  root: ComponentSpec;
  defaultPipelineRoot?: string;
}

export interface PipelineInfo extends Extensible {
  name: string;
  displayName?: string;
  description?: string;
}

export interface ComponentSpec extends Extensible {
  inputDefinitions?: ComponentInputsSpec;
  outputDefinitions?: ComponentOutputsSpec;
  /** Exactly one of `dag` and `executorLabel` is set. */
  dag?: DagSpec;
  executorLabel?: string;
  singlePlatformSpecs?: JsonObject[];
}

export interface ArtifactTypeSchema extends Extensible {
  /** `<namespace>.<title>`, for example `system.Dataset`. */
  schemaTitle?: string;
  schemaUri?: string;
  instanceSchema?: string;
  schemaVersion?: string;
}

export interface InputArtifactDefinition extends Extensible {
  artifactType?: ArtifactTypeSchema;
  isArtifactList?: boolean;
  isOptional?: boolean;
  description?: string;
}

export interface InputParameterDefinition extends Extensible {
  parameterType?: ParameterType;
  /** Deprecated by KFP in favour of `parameterType`; still read from old specs. */
  type?: PrimitiveType;
  defaultValue?: JsonValue;
  isOptional?: boolean;
  description?: string;
}

export interface ComponentInputsSpec extends Extensible {
  artifacts?: Record<string, InputArtifactDefinition>;
  parameters?: Record<string, InputParameterDefinition>;
}

export interface OutputArtifactDefinition extends Extensible {
  artifactType?: ArtifactTypeSchema;
  metadata?: JsonObject;
  isArtifactList?: boolean;
  description?: string;
}

export interface OutputParameterDefinition extends Extensible {
  parameterType?: ParameterType;
  type?: PrimitiveType;
  description?: string;
}

export interface ComponentOutputsSpec extends Extensible {
  artifacts?: Record<string, OutputArtifactDefinition>;
  parameters?: Record<string, OutputParameterDefinition>;
}

export interface DagSpec extends Extensible {
  tasks?: Record<string, PipelineTaskSpec>;
  outputs?: DagOutputsSpec;
}

export interface ArtifactSelector extends Extensible {
  producerSubtask: string;
  outputArtifactKey: string;
}

export interface ParameterSelector extends Extensible {
  producerSubtask: string;
  outputParameterKey: string;
}

export interface DagOutputArtifactSpec extends Extensible {
  artifactSelectors?: ArtifactSelector[];
}

export interface DagOutputParameterSpec extends Extensible {
  /** Exactly one of the two is set. */
  valueFromParameter?: ParameterSelector;
  valueFromOneof?: { parameterSelectors?: ParameterSelector[] } & Extensible;
}

export interface DagOutputsSpec extends Extensible {
  artifacts?: Record<string, DagOutputArtifactSpec>;
  parameters?: Record<string, DagOutputParameterSpec>;
}

export interface TaskOutputArtifactReference extends Extensible {
  producerTask: string;
  outputArtifactKey: string;
}

export interface TaskOutputParameterReference extends Extensible {
  producerTask: string;
  outputParameterKey: string;
}

export interface InputArtifactBinding extends Extensible {
  /** Exactly one of the two is set. */
  taskOutputArtifact?: TaskOutputArtifactReference;
  componentInputArtifact?: string;
}

export interface ValueOrRuntimeParameter extends Extensible {
  /** Exactly one of the three is set. */
  constant?: JsonValue;
  /** Deprecated proto `Value` form: `{intValue}`, `{doubleValue}` or `{stringValue}`. */
  constantValue?: { intValue?: number; doubleValue?: number; stringValue?: string } & Extensible;
  runtimeParameter?: string;
}

export interface InputParameterBinding extends Extensible {
  /** Exactly one of the four is set. */
  taskOutputParameter?: TaskOutputParameterReference;
  runtimeValue?: ValueOrRuntimeParameter;
  componentInputParameter?: string;
  taskFinalStatus?: { producerTask: string } & Extensible;
  /** A CEL expression applied to the resolved value, for example `parseJson(string_value)["a"]`. */
  parameterExpressionSelector?: string;
}

export interface TaskInputsSpec extends Extensible {
  parameters?: Record<string, InputParameterBinding>;
  artifacts?: Record<string, InputArtifactBinding>;
}

export interface TriggerPolicy extends Extensible {
  /** A CEL expression; the task runs only when it is true. */
  condition?: string;
  strategy?: TriggerStrategy;
}

export interface ParameterIteratorSpec extends Extensible {
  /** Exactly one of `raw` (a JSON array as a string) and `inputParameter` is set. */
  items: { raw?: string; inputParameter?: string } & Extensible;
  itemInput: string;
}

export interface ArtifactIteratorSpec extends Extensible {
  items: { inputArtifact: string } & Extensible;
  itemInput: string;
}

export interface RetryPolicy extends Extensible {
  maxRetryCount?: number;
  /** A protobuf Duration in its JSON form, for example `"3.5s"`. */
  backoffDuration?: string;
  backoffFactor?: number;
  backoffMaxDuration?: string;
}

export interface PipelineTaskSpec extends Extensible {
  taskInfo?: { name?: string } & Extensible;
  inputs?: TaskInputsSpec;
  dependentTasks?: string[];
  cachingOptions?: { enableCache?: boolean; cacheKey?: string } & Extensible;
  componentRef: { name: string } & Extensible;
  triggerPolicy?: TriggerPolicy;
  /** At most one of the two iterators is set. */
  artifactIterator?: ArtifactIteratorSpec;
  parameterIterator?: ParameterIteratorSpec;
  retryPolicy?: RetryPolicy;
  iteratorPolicy?: { parallelismLimit?: number } & Extensible;
}

export interface DeploymentSpec extends Extensible {
  executors?: Record<string, ExecutorSpec>;
}

export interface ExecutorSpec extends Extensible {
  /** Exactly one of the executor kinds is set. */
  container?: ContainerSpec;
  importer?: ImporterSpec;
  resolver?: ResolverSpec;
  /** Deprecated Google Cloud custom job; loaded but not runnable by Cairn. */
  customJob?: JsonObject;
}

export interface ContainerSpec extends Extensible {
  image: string;
  command?: string[];
  args?: string[];
  lifecycle?: { preCacheCheck?: { command?: string[]; args?: string[] } & Extensible } & Extensible;
  resources?: ResourceSpec;
  env?: ({ name: string; value?: string } & Extensible)[];
}

export interface ResourceSpec extends Extensible {
  cpuLimit?: number;
  memoryLimit?: number;
  cpuRequest?: number;
  memoryRequest?: number;
  resourceCpuLimit?: string;
  resourceMemoryLimit?: string;
  resourceCpuRequest?: string;
  resourceMemoryRequest?: string;
  accelerator?: {
    type?: string;
    count?: number;
    resourceType?: string;
    resourceCount?: string;
  } & Extensible;
}

export interface ImporterSpec extends Extensible {
  artifactUri: ValueOrRuntimeParameter;
  typeSchema?: ArtifactTypeSchema;
  properties?: Record<string, ValueOrRuntimeParameter>;
  customProperties?: Record<string, ValueOrRuntimeParameter>;
  metadata?: JsonObject;
  reimport?: boolean;
  downloadToWorkspace?: boolean;
}

export interface ResolverSpec extends Extensible {
  outputArtifactQueries?: Record<string, { filter?: string; limit?: number } & Extensible>;
}

/** The optional second YAML document: platform-specific configuration, keyed by platform. */
export interface PlatformSpec extends Extensible {
  platforms?: Record<string, SinglePlatformSpec>;
}

export interface SinglePlatformSpec extends Extensible {
  deploymentSpec?: { executors?: Record<string, JsonObject> } & Extensible;
  platform?: string;
  config?: JsonObject;
  pipelineConfig?: JsonObject;
}
