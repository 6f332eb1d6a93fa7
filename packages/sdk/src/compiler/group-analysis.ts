// A port of the IR-agnostic half of KFP's compiler (`kfp/compiler/compiler_utils.py`): which channels each
// group needs as inputs, which outputs each group surfaces, and which tasks and groups depend on which.
// Paths and maps are keyed by the task and group objects rather than by name, so a task named like a
// group cannot be confused with it.
import { CollectedChannel } from '../dsl/channels/collected.ts';
import { isLoopChannel, LoopArgumentVariable } from '../dsl/channels/loop-argument.ts';
import { ArtifactChannel, ParameterChannel, PipelineChannel } from '../dsl/channels/pipeline-channel.ts';
import { OneOfArtifact, OneOfParameter } from '../dsl/control-flow/one-of.ts';
import {
  ConditionGroup,
  ParallelForGroup,
  type PipelineGraph,
  TaskNode,
  type TasksGroup,
} from '../dsl/graph/graph-model.ts';
import { allGroups } from '../dsl/graph/topology-checks.ts';

/**
 * A task or a group: the members of a DAG.
 *
 * @example
 * const member: GraphNode = graph.root.groups[0] ?? graph.root;
 */
export type GraphNode = TaskNode | TasksGroup;

/**
 * The name of an input the compiler adds to a DAG for a channel it passes in (KFP's
 * `additional_input_name_for_pipeline_channel`).
 *
 * @example
 * additionalInputName(flip.outputs.Output); // 'pipelinechannel--flip-coin-Output'
 */
export function additionalInputName(channel: PipelineChannel | string): string {
  return `pipelinechannel--${typeof channel === 'string' ? channel : channel.fullName}`;
}

/**
 * Channels by pattern: KFP keeps them in sets, which hash channels by their pattern.
 *
 * @example
 * const inputs: ChannelSet = new Map([[channel.pattern, channel]]);
 */
export type ChannelSet = Map<string, PipelineChannel>;

function addToSet(set: ChannelSet, channel: PipelineChannel): void {
  if (!set.has(channel.pattern)) set.set(channel.pattern, channel);
}

/**
 * What the compiler needs to know about a pipeline's graph before it writes the IR.
 *
 * @example
 * const analysis = analyzeGraph(graph, outputs);
 */
export interface GraphAnalysis {
  readonly groups: readonly TasksGroup[];
  /** Each task and group with its ancestors, from the root down to itself. */
  readonly paths: ReadonlyMap<GraphNode, readonly GraphNode[]>;
  /** The channels of the conditions around each task. */
  readonly conditionChannels: ReadonlyMap<TaskNode, ChannelSet>;
  /** The channels each group (or task) must receive from its parent. */
  readonly inputs: ReadonlyMap<GraphNode, ChannelSet>;
  /** The channels each group surfaces to its parent, by output name. */
  readonly outputs: ReadonlyMap<GraphNode, ReadonlyMap<string, PipelineChannel>>;
  /** The pipeline's outputs, re-pointed at the groups that surface them. */
  readonly pipelineOutputs: ReadonlyMap<string, PipelineChannel>;
  /** The siblings each task or group depends on. */
  readonly dependencies: ReadonlyMap<GraphNode, ReadonlySet<GraphNode>>;
}

/**
 * Analyzes a graph the way KFP's `create_pipeline_spec` does, in KFP's order: inputs, then outputs (which
 * re-point `Collected` and `OneOf` channels at the groups that surface them), then dependencies.
 *
 * @example
 * const analysis = analyzeGraph(graph, new Map(Object.entries(outputs)));
 */
export function analyzeGraph(
  graph: PipelineGraph,
  pipelineOutputs: ReadonlyMap<string, PipelineChannel>,
): GraphAnalysis {
  const groups = [...allGroups(graph.root)];
  const paths = parentPaths(graph.root);
  const resolve = (name: string | undefined): GraphNode | undefined => {
    if (name === undefined) return undefined;
    return graph.tasks.get(name) ?? groups.find((group) => group !== graph.root && group.name === name);
  };
  const conditionChannels = conditionChannelsOf(graph.root);
  const inputs = inputsOfGroups(graph, paths, conditionChannels, resolve);
  const outputs = new Map<GraphNode, Map<string, PipelineChannel>>();
  const surfacedPipelineOutputs = surfaceOutputs(graph, paths, outputs, pipelineOutputs, resolve);
  const dependencies = dependenciesOf(graph, paths, conditionChannels, resolve);
  return {
    groups,
    paths,
    conditionChannels,
    inputs,
    outputs,
    pipelineOutputs: surfacedPipelineOutputs,
    dependencies,
  };
}

function parentPaths(root: TasksGroup): Map<GraphNode, GraphNode[]> {
  const paths = new Map<GraphNode, GraphNode[]>();
  const visit = (current: GraphNode[]): void => {
    const group = current.at(-1) as TasksGroup;
    for (const child of group.groups) {
      paths.set(child, [...current, child]);
      visit([...current, child]);
    }
    for (const task of group.tasks) paths.set(task, [...current, task]);
  };
  paths.set(root, [root]);
  visit([root]);
  return paths;
}

function conditionChannelsOf(root: TasksGroup): Map<TaskNode, ChannelSet> {
  const result = new Map<TaskNode, ChannelSet>();
  const visit = (group: TasksGroup, inherited: readonly PipelineChannel[]): void => {
    const channels =
      group instanceof ConditionGroup ? [...inherited, ...conditionOperands(group)] : inherited;
    for (const task of group.tasks) {
      const set = result.get(task) ?? new Map();
      for (const channel of channels) addToSet(set, channel);
      result.set(task, set);
    }
    for (const child of group.groups) visit(child, channels);
  };
  visit(root, []);
  return result;
}

/**
 * The channels compared in a condition group's conditions, in order (KFP's `get_channels_from_condition`).
 *
 * @example
 * conditionOperands(group); // [flip.outputs.Output]
 */
export function conditionOperands(group: ConditionGroup): PipelineChannel[] {
  return group.conditions.flatMap((operation) =>
    [operation.left, operation.right].filter(
      (operand): operand is ParameterChannel => operand instanceof ParameterChannel,
    ),
  );
}

function uncommonAncestors(
  paths: ReadonlyMap<GraphNode, readonly GraphNode[]>,
  upstream: GraphNode,
  downstream: GraphNode,
): [GraphNode[], GraphNode[]] {
  const upstreamPath = paths.get(upstream);
  const downstreamPath = paths.get(downstream);
  if (upstreamPath === undefined) throw new Error(`${upstream.name} does not exist.`);
  if (downstreamPath === undefined) throw new Error(`${downstream.name} does not exist.`);
  let common = 0;
  while (common < upstreamPath.length && upstreamPath[common] === downstreamPath[common]) common += 1;
  return [upstreamPath.slice(common), downstreamPath.slice(common)];
}

// The loop channels between a channel and what it is ultimately drawn from: a loop item over a key of an
// outer loop's item yields [the item, the key, the outer item, the outer list].
function loopChain(channel: PipelineChannel): PipelineChannel[] {
  const chain: PipelineChannel[] = [];
  let current: unknown = channel;
  while (isLoopChannel(current)) {
    chain.push(current);
    current = current instanceof LoopArgumentVariable ? current.loopArgument : current.items;
  }
  if (current instanceof PipelineChannel) chain.push(current);
  return chain;
}

function inputsOfGroups(
  graph: PipelineGraph,
  paths: ReadonlyMap<GraphNode, readonly GraphNode[]>,
  conditionChannels: ReadonlyMap<TaskNode, ChannelSet>,
  resolve: (name: string | undefined) => GraphNode | undefined,
): Map<GraphNode, ChannelSet> {
  const inputs = new Map<GraphNode, ChannelSet>();
  const add = (node: GraphNode, channel: PipelineChannel): void => {
    const set = inputs.get(node) ?? new Map();
    addToSet(set, channel);
    inputs.set(node, set);
  };
  // KFP tests whether a channel belongs to a loop by a substring test of their full names.
  const drawnFromLoop = (channel: PipelineChannel | undefined, node: GraphNode): boolean =>
    node instanceof ParallelForGroup &&
    channel !== undefined &&
    node.loopArgument.fullName.includes(channel.fullName);
  for (const task of graph.tasks.values()) {
    const channels = [...task.channelInputs, ...(conditionChannels.get(task)?.values() ?? [])];
    for (const channel of channels) {
      const chain = loopChain(channel);
      const upstream = resolve(channel.taskName);
      if (upstream !== undefined) {
        const [, downstreamGroups] = uncommonAncestors(paths, upstream, task);
        for (const node of downstreamGroups) {
          const last = chain.at(-1);
          if (last !== undefined) add(node, last);
          if (drawnFromLoop(last, node)) {
            chain.pop();
            if (chain.length === 0) break;
          }
        }
        continue;
      }
      if (task.isExitHandler) continue;
      const taskPath = paths.get(task) ?? [];
      if (isLoopChannel(channel) && channel.isWithItemsLoopArgument) {
        // Literal items can appear in the middle of the graph: go bottom-up, so parents never see them.
        for (const node of [...taskPath].reverse()) {
          const first = chain[0];
          if (first !== undefined) add(node, first);
          if (drawnFromLoop(first, node)) {
            chain.shift();
            if (chain.length === 0) break;
          }
        }
      } else {
        for (const node of taskPath) {
          const last = chain.at(-1);
          if (last !== undefined) add(node, last);
          if (drawnFromLoop(last, node)) {
            chain.pop();
            if (chain.length === 0) break;
          }
        }
      }
    }
  }
  return inputs;
}

function collectedListChannel(name: string, collected: CollectedChannel, taskName: string): PipelineChannel {
  return collected.output instanceof ParameterChannel
    ? new ParameterChannel(name, taskName, { ir: 'LIST' }, collected.owner)
    : new ArtifactChannel(name, taskName, collected.output.artifactType, true, collected.owner);
}

function childrenOf(group: GraphNode): GraphNode[] {
  return group instanceof TaskNode ? [] : [...group.groups, ...group.tasks];
}

// KFP's `get_outputs_for_all_groups`: surfaces `Collected` outputs up through the loops around their
// producer, and `OneOf` outputs up to their condition-branches group, renaming the channels as it goes.
function surfaceOutputs(
  graph: PipelineGraph,
  paths: ReadonlyMap<GraphNode, readonly GraphNode[]>,
  outputs: Map<GraphNode, Map<string, PipelineChannel>>,
  pipelineOutputs: ReadonlyMap<string, PipelineChannel>,
  resolve: (name: string | undefined) => GraphNode | undefined,
): Map<string, PipelineChannel> {
  const setOutput = (node: GraphNode, name: string, channel: PipelineChannel): void => {
    const map = outputs.get(node) ?? new Map();
    map.set(name, channel);
    outputs.set(node, map);
  };
  const processedOneOfs = new Set<PipelineChannel>();
  const surfaceOneOf = (
    oneOf: OneOfParameter | OneOfArtifact,
    upstreamGroupsOf: (producer: TaskNode) => GraphNode[],
  ): void => {
    // Copies, so the outputs are renamed only where the OneOf uses them.
    const copies = oneOf.oneOfChannels.map((channel) => copyChannel(channel));
    if (oneOf instanceof OneOfParameter) oneOf.oneOfChannels = copies as ParameterChannel[];
    else oneOf.oneOfChannels = copies as ArtifactChannel[];
    for (const inner of copies) {
      const producer = graph.tasks.get(inner.taskName ?? '');
      if (producer === undefined) throw new Error(`OneOf refers to unknown task ${inner.taskName}`);
      const surfacedName = additionalInputName(inner);
      for (const node of [...upstreamGroupsOf(producer)].reverse()) {
        if (node === resolve(inner.taskName)) continue;
        if (node === oneOf.conditionBranchesGroup) {
          setOutput(node, oneOf.name, oneOf);
          break;
        }
        setOutput(node, surfacedName, copyChannel(inner));
        inner.name = surfacedName;
        inner.taskName = node.name;
      }
    }
    processedOneOfs.add(oneOf);
  };

  for (const task of graph.tasks.values()) {
    for (const channel of task.channelInputs) {
      if (channel instanceof CollectedChannel) {
        const producer = graph.tasks.get(channel.taskName ?? '');
        if (producer === undefined) throw new Error(`Collected refers to unknown task ${channel.taskName}`);
        const [upstreamGroups, downstreamGroups] = uncommonAncestors(paths, producer, task);
        const surfacedName = additionalInputName(channel);
        const parentConsumer = downstreamGroups[0];
        upstreamGroups.pop();
        let producerName = producer.name;
        for (const node of [...upstreamGroups].reverse()) {
          setOutput(node, surfacedName, collectedListChannel(channel.name, channel, producerName));
          channel.name = surfacedName;
          channel.taskName = node.name;
          producerName = node.name;
          const parentOfSurfacer = paths.get(node)?.at(-2);
          if (
            parentOfSurfacer !== undefined &&
            parentConsumer !== undefined &&
            childrenOf(parentOfSurfacer).includes(parentConsumer)
          ) {
            break;
          }
        }
      } else if (
        (channel instanceof OneOfParameter || channel instanceof OneOfArtifact) &&
        !processedOneOfs.has(channel)
      ) {
        surfaceOneOf(channel, (producer) => uncommonAncestors(paths, producer, task)[0]);
      }
    }
  }

  const surfacedPipelineOutputs = new Map(pipelineOutputs);
  for (const [outputName, channel] of pipelineOutputs) {
    if (channel instanceof CollectedChannel) {
      const producer = graph.tasks.get(channel.taskName ?? '');
      if (producer === undefined) throw new Error(`Collected refers to unknown task ${channel.taskName}`);
      const surfacedName = additionalInputName(channel);
      const upstreamGroups = (paths.get(producer) ?? []).slice(1, -1);
      let producerName = producer.name;
      let outermost: GraphNode | undefined;
      for (const node of [...upstreamGroups].reverse()) {
        const surfaced = collectedListChannel(channel.name, channel, producerName);
        channel.name = surfacedName;
        channel.taskName = node.name;
        producerName = node.name;
        setOutput(node, surfacedName, surfaced);
        outermost = node;
      }
      if (outermost === undefined)
        throw new Error(`Collected output ${outputName} is not produced inside a ParallelFor`);
      surfacedPipelineOutputs.set(outputName, collectedListChannel(surfacedName, channel, outermost.name));
    } else if (
      (channel instanceof OneOfParameter || channel instanceof OneOfArtifact) &&
      !processedOneOfs.has(channel)
    ) {
      surfaceOneOf(channel, (producer) => (paths.get(producer) ?? []).slice(1));
    }
  }
  return surfacedPipelineOutputs;
}

/**
 * A copy of a channel with the same class and fields (KFP's `copy.copy`), so renaming it leaves the
 * original alone.
 *
 * @example
 * const copy = copyChannel(task.outputs.Output);
 */
export function copyChannel<C extends PipelineChannel>(channel: C): C {
  return Object.assign(Object.create(Object.getPrototypeOf(channel)), channel) as C;
}

function dependenciesOf(
  graph: PipelineGraph,
  paths: ReadonlyMap<GraphNode, readonly GraphNode[]>,
  conditionChannels: ReadonlyMap<TaskNode, ChannelSet>,
  resolve: (name: string | undefined) => GraphNode | undefined,
): Map<GraphNode, Set<GraphNode>> {
  const dependencies = new Map<GraphNode, Set<GraphNode>>();
  for (const task of graph.tasks.values()) {
    const upstreams = new Set<GraphNode>();
    for (const channel of [...task.channelInputs, ...(conditionChannels.get(task)?.values() ?? [])]) {
      const upstream = resolve(channel.taskName);
      if (upstream !== undefined) upstreams.add(upstream);
    }
    for (const upstream of task.after) upstreams.add(upstream);
    for (const upstream of upstreams) {
      // The topology rules KFP enforces here were checked when the task was created.
      const [upstreamNodes, downstreamNodes] = uncommonAncestors(paths, upstream, task);
      const [from] = upstreamNodes;
      const [to] = downstreamNodes;
      if (from === undefined || to === undefined) continue;
      const set = dependencies.get(to) ?? new Set();
      set.add(from);
      dependencies.set(to, set);
    }
  }
  return dependencies;
}
