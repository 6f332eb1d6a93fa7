import type { JsonObject, JsonValue, PipelineSpec } from '@cairn/spec';
import type { LoopArtifactArgument, LoopParameterArgument } from '../channels/loop-argument.ts';
import {
  ArtifactChannel,
  type ChannelOwner,
  type ConditionOperation,
  ParameterChannel,
  type PipelineChannel,
} from '../channels/pipeline-channel.ts';
import type { ArtifactSpec } from '../types/artifact-spec.ts';
import type { ItemKind, ParameterKind, ParameterSpec, Presence } from '../types/parameter-spec.ts';

/**
 * A declared input of a component or pipeline.
 *
 * @example
 * const input: InputDefinition = Parameter.String.default('hello');
 */
export type InputDefinition =
  | ParameterSpec<ParameterKind, ItemKind, Presence>
  | ArtifactSpec<string, unknown, 'input', boolean, boolean>;

/**
 * A declared output of a component or pipeline.
 *
 * @example
 * const output: OutputDefinition = Output(Model);
 */
export type OutputDefinition =
  | ParameterSpec<ParameterKind, ItemKind, Presence>
  | ArtifactSpec<string, unknown, 'output', boolean, boolean>;

/**
 * A container executor: the image and the command line, with placeholders already rendered to strings.
 *
 * @example
 * const container: ContainerImplementation = { kind: 'container', image: 'alpine', command: ['echo'], args: ['hi'] };
 */
export interface ContainerImplementation {
  readonly kind: 'container';
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
}

/**
 * An importer executor (KFP's `dsl.importer`): it imports an existing artifact by URI.
 *
 * @example
 * const importing: ImporterImplementation = { kind: 'importer', artifactType: Dataset, reimport: false, metadata: undefined };
 */
export interface ImporterImplementation {
  readonly kind: 'importer';
  readonly artifactType: { readonly schemaTitle: string; readonly schemaVersion: string };
  readonly reimport: boolean;
  /** Metadata with `{{$.inputs.parameters['metadata']}}` placeholders where it embeds pipeline values. */
  readonly metadata: JsonObject | undefined;
}

/**
 * A pipeline used as a component: its compiled spec, which the outer pipeline's spec takes in.
 *
 * @example
 * const graph: GraphImplementation = { kind: 'graph', spec: innerPipeline.spec };
 */
export interface GraphImplementation {
  readonly kind: 'graph';
  readonly spec: PipelineSpec;
}

/**
 * A component as the compiler sees it (KFP's `ComponentSpec` structure).
 *
 * @example
 * const definition: ComponentDefinition = flipCoin.definition;
 */
export interface ComponentDefinition {
  /** The name, made Kubernetes-friendly as KFP does (`Print Text` is `print-text`). */
  readonly name: string;
  readonly description: string | undefined;
  readonly inputs: Readonly<Record<string, InputDefinition>>;
  readonly outputs: Readonly<Record<string, OutputDefinition>>;
  readonly implementation: ContainerImplementation | ImporterImplementation | GraphImplementation;
}

/**
 * A constant argument (JSON) or a channel.
 *
 * @example
 * const argument: TaskArgument = 'hello';
 */
export type TaskArgument = PipelineChannel | JsonValue;

/**
 * The retry policy of a task, with KFP's defaults already applied.
 *
 * @example
 * const retry: RetrySettings = { maxRetryCount: 3, backoffDuration: '0s', backoffFactor: 2, backoffMaxDuration: '3600s' };
 */
export interface RetrySettings {
  readonly maxRetryCount: number;
  readonly backoffDuration: string;
  readonly backoffFactor: number;
  readonly backoffMaxDuration: string;
}

/**
 * Resource requests and limits as the user gave them (strings, or channel patterns).
 *
 * @example
 * const resources: ResourceSettings = { cpuLimit: '2', memoryLimit: '4Gi' };
 */
export interface ResourceSettings {
  cpuRequest?: string;
  cpuLimit?: string;
  memoryRequest?: string;
  memoryLimit?: string;
  acceleratorType?: string;
  acceleratorCount?: string;
}

/**
 * A task in a pipeline graph: one call of a component, with its arguments and options.
 *
 * @example
 * const node: TaskNode = flip({}).node;
 */
export class TaskNode {
  readonly name: string;
  readonly component: ComponentDefinition;
  readonly inputs: ReadonlyMap<string, TaskArgument>;
  /** The channels among the arguments, including those embedded in strings, each once. */
  readonly channelInputs: PipelineChannel[];
  readonly outputs: Readonly<Record<string, PipelineChannel>>;
  /** The pipeline the task belongs to; channels embedded in its strings are looked up there. */
  readonly owner: ChannelOwner;
  parentGroup: TasksGroup | undefined;
  /** The tasks and exit handlers this task runs after (`.after()`). */
  readonly after: (TaskNode | ExitHandlerGroup)[] = [];
  enableCaching = true;
  cacheKey: string | undefined;
  displayName: string | undefined;
  retryPolicy: RetrySettings | undefined;
  readonly env = new Map<string, string>();
  readonly resources: ResourceSettings = {};
  /** An image that replaces the component's (a string, or a channel pattern). */
  image: string | undefined;
  ignoreUpstreamFailure = false;
  /** Set when the task became the exit task of an `ExitHandler`. */
  isExitHandler = false;

  constructor(
    name: string,
    component: ComponentDefinition,
    inputs: ReadonlyMap<string, TaskArgument>,
    channelInputs: PipelineChannel[],
    owner: ChannelOwner,
  ) {
    this.name = name;
    this.component = component;
    this.inputs = inputs;
    this.channelInputs = channelInputs;
    this.owner = owner;
    const outputs: Record<string, PipelineChannel> = {};
    for (const [outputName, output] of Object.entries(component.outputs)) {
      outputs[outputName] =
        output.kind === 'parameter'
          ? new ParameterChannel(outputName, name, output.type, owner)
          : new ArtifactChannel(outputName, name, output.artifactType, output.list, owner);
    }
    this.outputs = outputs;
  }

  /** Adds a channel the task consumes outside its arguments (a resource or image set from a channel). */
  registerChannel(channel: PipelineChannel): void {
    if (!this.channelInputs.some((known) => known.pattern === channel.pattern))
      this.channelInputs.push(channel);
  }
}

/**
 * The kinds of task group, named as KFP names the groups' components (`condition-1`, `for-loop-2`).
 *
 * @example
 * const type: GroupType = 'for-loop';
 */
export type GroupType = 'pipeline' | 'condition' | 'condition-branches' | 'for-loop' | 'exit-handler';

/**
 * A group of tasks and groups: the pipeline's root, a condition branch, the wrapper of an if/elif/else
 * chain, a loop or an exit handler. Each non-root group becomes a DAG component in the IR.
 *
 * @example
 * const loop: TasksGroup = graph.root.groups[0];
 */
export class TasksGroup {
  readonly groupType: GroupType;
  name: string;
  readonly displayName: string | undefined;
  readonly tasks: TaskNode[] = [];
  readonly groups: TasksGroup[] = [];
  parent: TasksGroup | undefined;
  readonly isRoot: boolean;

  constructor(groupType: GroupType, name: string, displayName: string | undefined, isRoot = false) {
    this.groupType = groupType;
    this.name = name;
    this.displayName = displayName;
    this.isRoot = isRoot;
  }

  removeTaskRecursive(task: TaskNode): void {
    const index = this.tasks.indexOf(task);
    if (index >= 0) this.tasks.splice(index, 1);
    for (const group of this.groups) group.removeTaskRecursive(task);
  }
}

/**
 * One branch of a condition: `If`, `Elif` or `Else`. Its conditions are joined with `&&`: an `Elif` or
 * `Else` holds the negations of the branches before it.
 *
 * @example
 * const branch = graph.root.groups[0] as ConditionGroup;
 */
export class ConditionGroup extends TasksGroup {
  readonly branch: 'if' | 'elif' | 'else';
  readonly conditions: readonly ConditionOperation[];
  /** What the next `Elif`/`Else` requires: this branch's and all earlier branches' conditions, negated. */
  readonly negatedUpstreamConditions: readonly ConditionOperation[];

  constructor(
    branch: 'if' | 'elif' | 'else',
    name: string,
    displayName: string | undefined,
    conditions: readonly ConditionOperation[],
    negatedUpstreamConditions: readonly ConditionOperation[],
  ) {
    super('condition', name, displayName);
    this.branch = branch;
    this.conditions = conditions;
    this.negatedUpstreamConditions = negatedUpstreamConditions;
  }
}

/**
 * The group that wraps the branches of an if/elif/else chain, so `OneOf` can choose among their outputs.
 *
 * @example
 * const branches = ifGroup.parent as ConditionBranchesGroup;
 */
export class ConditionBranchesGroup extends TasksGroup {
  private oneOfCount = 0;

  constructor(name: string) {
    super('condition-branches', name, undefined);
  }

  /** The next `OneOf` id in this chain (`<group>-oneof-<id>`). */
  nextOneOfId(): number {
    this.oneOfCount += 1;
    return this.oneOfCount;
  }
}

/**
 * A `ParallelFor` loop: its item channel and its parallelism limit (0 for none).
 *
 * @example
 * const loop = graph.root.groups[0] as ParallelForGroup;
 */
export class ParallelForGroup extends TasksGroup {
  readonly loopArgument: LoopParameterArgument | LoopArtifactArgument;
  readonly itemsIsPipelineChannel: boolean;
  readonly parallelismLimit: number;

  constructor(
    name: string,
    displayName: string | undefined,
    loopArgument: LoopParameterArgument | LoopArtifactArgument,
    parallelismLimit: number,
  ) {
    super('for-loop', name, displayName);
    this.loopArgument = loopArgument;
    this.itemsIsPipelineChannel = !loopArgument.isWithItemsLoopArgument;
    this.parallelismLimit = parallelismLimit;
  }
}

/**
 * An `ExitHandler`: its tasks, and the exit task that runs after them whatever happens.
 *
 * @example
 * const handler = graph.root.groups[0] as ExitHandlerGroup;
 */
export class ExitHandlerGroup extends TasksGroup {
  readonly exitTask: TaskNode;

  constructor(name: string, displayName: string | undefined, exitTask: TaskNode) {
    super('exit-handler', name, displayName);
    this.exitTask = exitTask;
  }
}

/**
 * The graph a pipeline body builds (KFP's `Pipeline` context): the tasks by name, the root group and the
 * stack of groups being filled. Group ids and task names are assigned as KFP assigns them.
 *
 * @example
 * const graph = new PipelineGraph('my-pipeline');
 */
export class PipelineGraph implements ChannelOwner {
  readonly pipelineName: string;
  readonly tasks = new Map<string, TaskNode>();
  readonly root: TasksGroup;
  private readonly stack: TasksGroup[];
  private groupCount = 0;

  constructor(pipelineName: string) {
    this.pipelineName = pipelineName;
    this.root = new TasksGroup('pipeline', pipelineName, undefined, true);
    this.stack = [this.root];
  }

  /** The group new tasks and groups go into. */
  get currentGroup(): TasksGroup {
    const group = this.stack.at(-1);
    if (group === undefined) throw new Error('the pipeline graph has no open group');
    return group;
  }

  /** The next group id: groups are numbered in the order they are opened, across the whole pipeline. */
  nextGroupId(): string {
    this.groupCount += 1;
    return String(this.groupCount);
  }

  /** The last group opened directly in the current group, if any (what `Elif` and `Else` follow). */
  lastGroupAtCurrentLevel(): TasksGroup | undefined {
    return this.currentGroup.groups.at(-1);
  }

  pushGroup(group: TasksGroup): void {
    group.parent = this.currentGroup;
    this.currentGroup.groups.push(group);
    this.stack.push(group);
  }

  popGroup(): void {
    if (this.stack.length <= 1) throw new Error('cannot close the pipeline root group');
    this.stack.pop();
  }

  /** Whether the group is open, that is on the stack. */
  isOpen(group: TasksGroup): boolean {
    return this.stack.includes(group);
  }

  /**
   * Closes the groups opened above `group`, then `group` itself. A chain of `If`/`Elif` without `Else`
   * leaves its branches group open (as in KFP); it closes with the scope around it.
   */
  closeThrough(group: TasksGroup): void {
    const index = this.stack.indexOf(group);
    if (index < 1) throw new Error(`group ${group.name} is not open`);
    this.stack.length = index;
  }

  /** Registers a call of `component`, naming it after the component, made unique with `-2`, `-3`, ... */
  addTask(
    component: ComponentDefinition,
    inputs: ReadonlyMap<string, TaskArgument>,
    channelInputs: PipelineChannel[],
  ): TaskNode {
    const base = component.name === '' ? 'task' : component.name;
    const name = uniqueName(base, (candidate) => this.tasks.has(candidate));
    const task = new TaskNode(name, component, inputs, channelInputs, this);
    this.tasks.set(name, task);
    task.parentGroup = this.currentGroup;
    this.currentGroup.tasks.push(task);
    return task;
  }

  /** Takes a task out of every open group (what `ExitHandler` does to its exit task). */
  removeTaskFromGroups(task: TaskNode): void {
    for (const group of this.stack) group.removeTaskRecursive(task);
  }
}

/**
 * `name`, or `name-2`, `name-3`, ... : the first that is not taken (KFP's
 * `make_name_unique_by_adding_index`).
 *
 * @example
 * uniqueName('print-op', (name) => ['print-op'].includes(name)); // 'print-op-2'
 */
export function uniqueName(name: string, taken: (candidate: string) => boolean): string {
  if (!taken(name)) return name;
  for (let index = 2; ; index += 1) {
    const candidate = `${name}-${index}`;
    if (!taken(candidate)) return candidate;
  }
}

/**
 * Makes a name Kubernetes-friendly as KFP does: lower case, runs of other characters become one `-`,
 * no `-` at either end.
 *
 * @example
 * sanitizeName('Print Text'); // 'print-text'
 */
export function sanitizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^-0-9a-z]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
}
