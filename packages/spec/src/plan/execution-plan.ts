import type { PathSegment } from '../issues/spec-issue.ts';
import type { JsonObject, JsonValue, ParameterType, TriggerStrategy } from '../model/pipeline-spec.ts';

/**
 * The execution plan of a pipeline: what `planPipeline` derives from a validated PipelineSpec and what the
 * engine walks. It is plain JSON data (no class instances, no `undefined` values, no shared mutable state)
 * because the engine stores it with the run; every field the engine would otherwise have to re-derive from
 * the spec (defaults, data dependencies, normalised bindings, retry numbers) is resolved here once.
 *
 * The plan never copies executor bodies (container commands, importer specs): a task names its executor,
 * which the engine reads from the spec stored beside the plan.
 *
 * A DAG component used by several tasks is planned once; its DagPlan object is shared by those tasks, so
 * treat a plan as read-only. JSON serialisation writes each use out in full.
 */
export interface ExecutionPlan {
  /** Bumped whenever the shape changes, so an engine can tell a stored plan from an older release. */
  readonly planVersion: typeof PLAN_VERSION;
  readonly pipeline: PipelineInfoPlan;
  /** The pipeline's run-time inputs: the root component's input definitions. */
  readonly inputDefinitions: ComponentInputsPlan;
  /** The pipeline's outputs: the root component's output definitions (their sources are `root.outputs`). */
  readonly outputDefinitions: ComponentOutputsPlan;
  readonly root: DagPlan;
  readonly summary: PlanSummary;
}

export const PLAN_VERSION = 1;

/** KFP's name for the pipeline's top-level component, which `spec.root` holds outside `spec.components`. */
export const ROOT_COMPONENT_NAME = 'root';

export interface PipelineInfoPlan {
  readonly name: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly defaultPipelineRoot?: string;
  readonly schemaVersion: string;
  readonly sdkVersion?: string;
}

export interface ParameterInputPlan {
  /** `parameterType`, or the deprecated `type` translated to it (INT is NUMBER_INTEGER, DOUBLE NUMBER_DOUBLE). */
  readonly type: ParameterType;
  /** KFP's `isOptional`: the input may be left unbound, even without a default. */
  readonly optional: boolean;
  readonly defaultValue?: JsonValue;
  readonly description?: string;
}

export interface ParameterOutputPlan {
  readonly type: ParameterType;
  readonly description?: string;
}

export interface ArtifactTypePlan {
  readonly schemaTitle?: string;
  readonly schemaUri?: string;
  readonly instanceSchema?: string;
  readonly schemaVersion?: string;
}

export interface ArtifactInputPlan {
  readonly artifactType: ArtifactTypePlan;
  /** KFP's `isArtifactList`: the input receives a list of artifacts (a fan-in, or a loop's items). */
  readonly isList: boolean;
  readonly optional: boolean;
  readonly description?: string;
}

export interface ArtifactOutputPlan {
  readonly artifactType: ArtifactTypePlan;
  readonly isList: boolean;
  readonly description?: string;
  readonly metadata?: JsonObject;
}

export interface ComponentInputsPlan {
  readonly parameters: Readonly<Record<string, ParameterInputPlan>>;
  readonly artifacts: Readonly<Record<string, ArtifactInputPlan>>;
}

export interface ComponentOutputsPlan {
  readonly parameters: Readonly<Record<string, ParameterOutputPlan>>;
  readonly artifacts: Readonly<Record<string, ArtifactOutputPlan>>;
}

/** One DAG component, planned: the root, a condition branch, a loop body, an exit handler, a sub-pipeline. */
export interface DagPlan {
  /** The key in `spec.components`, or {@link ROOT_COMPONENT_NAME} for the root. */
  readonly componentName: string;
  readonly inputDefinitions: ComponentInputsPlan;
  readonly outputDefinitions: ComponentOutputsPlan;
  /** Topological order: every task comes after its upstream tasks; ties go by task key. */
  readonly tasks: readonly TaskPlan[];
  /** Where each DAG output comes from: tasks of this DAG, named by their keys. */
  readonly outputs: DagOutputsPlan;
}

/** An output of a task in the same DAG. */
export interface TaskOutputRef {
  /** The producer's task key. */
  readonly task: string;
  readonly output: string;
}

export type DagParameterSource =
  /** `valueFromParameter`. If the producer is a loop, the output collects one value per iteration. */
  | ({ readonly kind: 'taskOutput' } & TaskOutputRef)
  /** `valueFromOneof`: the first candidate whose task ran (the branches of an if/elif/else). */
  | { readonly kind: 'oneof'; readonly candidates: readonly TaskOutputRef[] };

/** `artifactSelectors`: one selector is a plain output; several are a oneof over condition branches. */
export interface DagArtifactSource {
  readonly selectors: readonly TaskOutputRef[];
}

export interface DagOutputsPlan {
  readonly parameters: Readonly<Record<string, DagParameterSource>>;
  readonly artifacts: Readonly<Record<string, DagArtifactSource>>;
}

export type TaskKind = 'container' | 'importer' | 'resolver' | 'dag';
export type ExecutorKind = Exclude<TaskKind, 'dag'>;

export type TaskPlan = ExecutorTaskPlan | DagTaskPlan;

interface TaskPlanBase {
  /** The task's key in its DAG's `tasks`: what other tasks and KFP's placeholders refer to. */
  readonly key: string;
  /** `taskInfo.name`, which the UI shows; the key when the spec has none. */
  readonly displayName: string;
  readonly componentName: string;
  /**
   * Sibling tasks this task waits for, sorted: its `dependentTasks` plus every producer of an input it
   * consumes (`taskOutputParameter`, `taskOutputArtifact`, `taskFinalStatus`), even when the spec leaves
   * the producer out of `dependentTasks`.
   */
  readonly upstream: readonly string[];
  readonly trigger: TriggerPlan;
  readonly inputs: TaskInputsPlan;
  readonly iterator?: IteratorPlan;
  readonly retry: RetryPlan;
  readonly caching: CachingPlan;
  /**
   * Present on an exit task (the task of a `dsl.ExitHandler`): the exit-handler DAG tasks it runs after,
   * whatever their outcome. See `find-exit-tasks.ts` for how the IR encodes this.
   */
  readonly guards?: readonly string[];
  /** Present on an exit-handler DAG task: the exit tasks that guard it. */
  readonly exitTasks?: readonly string[];
}

export interface ExecutorTaskPlan extends TaskPlanBase {
  readonly kind: ExecutorKind;
  /** The key of the task's executor in `spec.deploymentSpec.executors`. */
  readonly executorLabel: string;
  /** Where that executor sits in the spec, for messages that point into the document. */
  readonly executorPath: readonly PathSegment[];
  /** The component's interface, which the engine needs to build the task's ExecutorInput. */
  readonly inputDefinitions: ComponentInputsPlan;
  readonly outputDefinitions: ComponentOutputsPlan;
}

export interface DagTaskPlan extends TaskPlanBase {
  readonly kind: 'dag';
  readonly dag: DagPlan;
}

export interface TriggerPlan {
  /** KFP's default when the spec sets none is ALL_UPSTREAM_TASKS_SUCCEEDED. */
  readonly strategy: TriggerStrategy;
  /** A CEL expression over the task's inputs; the task is skipped when it is false. */
  readonly condition?: string;
}

export interface TaskInputsPlan {
  readonly parameters: Readonly<Record<string, ParameterBinding>>;
  readonly artifacts: Readonly<Record<string, ArtifactBinding>>;
}

export type ParameterBinding = ParameterSource & {
  /** A CEL expression applied to the resolved value, for example `parseJson(string_value)["a"]`. */
  readonly parameterExpressionSelector?: string;
};

export type ParameterSource =
  /** `runtimeValue.constant`, or the deprecated `runtimeValue.constantValue` read as the same value. */
  | { readonly kind: 'constant'; readonly value: JsonValue }
  /** An input of the DAG that holds the task. */
  | { readonly kind: 'componentInput'; readonly name: string }
  | ({ readonly kind: 'taskOutput' } & TaskOutputRef)
  /** The final status (state, error) of a sibling task; only exit tasks and ignore_upstream_failure use it. */
  | { readonly kind: 'taskFinalStatus'; readonly task: string }
  /** `runtimeValue.runtimeParameter`: a run-time parameter of the pipeline job, by name. */
  | { readonly kind: 'runtimeParameter'; readonly name: string };

export type ArtifactBinding =
  | { readonly kind: 'componentInput'; readonly name: string }
  | ({ readonly kind: 'taskOutput' } & TaskOutputRef);

export type IteratorPlan = ParameterIteratorPlan | ArtifactIteratorPlan;

export interface ParameterIteratorPlan {
  readonly kind: 'parameter';
  readonly items: ParameterIteratorItems;
  /** The input parameter of the loop's component that receives one item per iteration. */
  readonly itemInput: string;
  /** How many iterations may run at once; 0 means no limit. */
  readonly parallelismLimit: number;
}

export type ParameterIteratorItems =
  /** Items written into the spec (`items.raw`, a JSON array in a string), parsed. */
  | { readonly kind: 'raw'; readonly values: readonly JsonValue[] }
  /** Items read at run time from one of the task's own input parameters (a list). */
  | { readonly kind: 'input'; readonly name: string };

export interface ArtifactIteratorPlan {
  readonly kind: 'artifact';
  /** The task's input artifact (a list) whose items are iterated. */
  readonly inputArtifact: string;
  readonly itemInput: string;
  readonly parallelismLimit: number;
}

/** A task's retry policy with KFP's defaults applied; a task without one has `maxRetryCount` 0. */
export interface RetryPlan {
  readonly maxRetryCount: number;
  /** The delay before the first retry, in milliseconds (whole, rounded up). */
  readonly backoffMs: number;
  /** Each further delay is the previous one times this factor. */
  readonly backoffFactor: number;
  /** No delay is longer than this; KFP's default, and its ceiling, is one hour. */
  readonly maxBackoffMs: number;
}

export interface CachingPlan {
  /** `cachingOptions.enableCache`; false when the spec does not say, as in KFP. */
  readonly enabled: boolean;
  /** A user-chosen cache key that replaces the computed one. */
  readonly cacheKey?: string;
}

/** Counts over the whole plan tree, each use of a reused DAG counted again. */
export interface PlanSummary {
  /** The root DAG and every DAG task's DAG. */
  readonly dags: number;
  readonly tasks: { readonly total: number } & Readonly<Record<TaskKind, number>>;
  /** Tasks with an iterator (ParallelFor loops). */
  readonly iterators: number;
  /** Tasks with a trigger condition (If / Elif / Else branches). */
  readonly conditions: number;
  /** Exit tasks. */
  readonly exitHandlers: number;
}
