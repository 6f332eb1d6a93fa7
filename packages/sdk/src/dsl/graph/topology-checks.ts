import { CollectedChannel } from '../channels/collected.ts';
import {
  LoopArgumentVariable,
  LoopArtifactArgument,
  LoopParameterArgument,
} from '../channels/loop-argument.ts';
import { isOneOf, type PipelineChannel } from '../channels/pipeline-channel.ts';
import { ParallelForGroup, type PipelineGraph, TaskNode, type TasksGroup } from './graph-model.ts';

const DSL_NAME: Record<TasksGroup['groupType'], string> = {
  pipeline: 'pipeline',
  condition: 'If/Elif/Else',
  'condition-branches': 'If/Elif/Else',
  'for-loop': 'ParallelFor',
  'exit-handler': 'ExitHandler',
};

/**
 * The groups from the root down to `group`, both included.
 *
 * @example
 * groupPath(task.parentGroup); // [root, for-loop-1, condition-2]
 */
export function groupPath(group: TasksGroup): TasksGroup[] {
  const path: TasksGroup[] = [];
  for (let current: TasksGroup | undefined = group; current !== undefined; current = current.parent)
    path.unshift(current);
  return path;
}

/** The groups of `upstream`'s path that `downstream`'s path does not share (KFP's uncommon ancestors). */
function uncommonUpstreamGroups(upstream: TasksGroup, downstream: TasksGroup): TasksGroup[] {
  const upstreamPath = groupPath(upstream);
  const downstreamPath = groupPath(downstream);
  let common = 0;
  while (common < upstreamPath.length && upstreamPath[common] === downstreamPath[common]) common += 1;
  return upstreamPath.slice(common);
}

/**
 * Checks that a task placed in `consumerGroup` may depend on `upstream` (a task, or a group such as the
 * branches of a `OneOf`), as KFP's compiler does: not from outside a condition or exit handler that holds
 * the upstream task, and, for data (not `.after()`), not from outside its `ParallelFor` unless through
 * `Collected`.
 *
 * @example
 * checkDependency(graph, producer, consumer.parentGroup, consumer.name, 'data');
 */
export function checkDependency(
  upstream: TaskNode | TasksGroup,
  consumerGroup: TasksGroup,
  consumerName: string,
  kind: 'data' | 'after',
): void {
  if (upstream instanceof TaskNode && upstream.isExitHandler) {
    throw new Error(
      `task ${consumerName} cannot depend on ${upstream.name}, the exit task of an ExitHandler: it runs last`,
    );
  }
  const upstreamGroup = upstream instanceof TaskNode ? upstream.parentGroup : upstream.parent;
  if (upstreamGroup === undefined) {
    throw new Error(
      `task ${consumerName} depends on ${upstream.name}, which is not part of the pipeline's graph (an exit task?)`,
    );
  }
  const [outermost] = uncommonUpstreamGroups(upstreamGroup, consumerGroup);
  if (outermost === undefined) return;
  const prefix = 'Illegal task dependency across control flow scopes.';
  if (outermost.groupType === 'for-loop') {
    if (kind === 'after') return;
    throw new Error(
      `${prefix} Task ${consumerName} uses an output of task ${upstream.name} from outside the ParallelFor ${outermost.name} ` +
        'that runs it: a task outside a loop can only consume the outputs of a task inside it as a list, with Collected(...).',
    );
  }
  throw new Error(
    `${prefix} A downstream task cannot depend on an upstream task within a ${DSL_NAME[outermost.groupType]} context unless ` +
      `the downstream is within that context too. Found task ${consumerName} which depends on upstream task ${upstream.name} ` +
      `within an uncommon ${DSL_NAME[outermost.groupType]} context (${outermost.name}).`,
  );
}

/**
 * Checks the channels a new task consumes: they belong to this pipeline, loop items are used inside
 * their loop, task outputs respect the control-flow scopes, and `Collected` fans in from a loop.
 *
 * @example
 * checkChannelInputs(graph, task.channelInputs, graph.currentGroup, task.name);
 */
export function checkChannelInputs(
  graph: PipelineGraph,
  channels: readonly PipelineChannel[],
  consumerGroup: TasksGroup,
  consumerName: string,
): void {
  for (const channel of channels) {
    if (channel.owner !== graph) {
      throw new Error(
        `task ${consumerName} uses ${channel.fullName}, a value of pipeline '${channel.owner.pipelineName}', ` +
          `in pipeline '${graph.pipelineName}': pass it in as an input of the pipeline instead`,
      );
    }
    checkLoopItemScope(channel, consumerGroup, consumerName);
    if (channel instanceof CollectedChannel) {
      checkCollected(graph, channel, consumerGroup, consumerName);
    } else if (isOneOf(channel)) {
      checkOneOf(graph, channel, consumerGroup, consumerName);
    } else if (channel.taskName !== undefined) {
      checkDependency(producerOf(graph, channel), consumerGroup, consumerName, 'data');
    }
  }
}

function checkLoopItemScope(channel: PipelineChannel, consumerGroup: TasksGroup, consumerName: string): void {
  const loopArgument =
    channel instanceof LoopArgumentVariable
      ? channel.loopArgument
      : channel instanceof LoopParameterArgument || channel instanceof LoopArtifactArgument
        ? channel
        : undefined;
  if (loopArgument === undefined) return;
  const inLoop = groupPath(consumerGroup).some(
    (group) => group instanceof ParallelForGroup && group.loopArgument === loopArgument,
  );
  if (!inLoop) {
    throw new Error(
      `task ${consumerName} uses the loop item ${channel.name} outside the ParallelFor it belongs to`,
    );
  }
}

function producerOf(graph: PipelineGraph, channel: PipelineChannel): TaskNode {
  const producer = channel.taskName === undefined ? undefined : graph.tasks.get(channel.taskName);
  if (producer === undefined) throw new Error(`no task ${channel.taskName} produces ${channel.name}`);
  if (producer.isExitHandler) {
    throw new Error(
      `the outputs of the exit task ${producer.name} cannot be consumed: it runs after everything else`,
    );
  }
  return producer;
}

function checkCollected(
  graph: PipelineGraph,
  channel: CollectedChannel,
  consumerGroup: TasksGroup,
  consumerName: string,
): void {
  const producer = producerOf(graph, channel);
  if (producer.parentGroup === undefined)
    throw new Error(`task ${producer.name} is not part of the pipeline's graph`);
  const uncommon = uncommonUpstreamGroups(producer.parentGroup, consumerGroup);
  if (!uncommon.some((group) => group.groupType === 'for-loop')) {
    throw new Error(
      `Collected can only be used to fan-in outputs produced by a task within a ParallelFor context to a task outside of the ParallelFor context. ` +
        `Producer task ${producer.name} is either not in a ParallelFor context or is only in a ParallelFor that also contains consumer task ${consumerName}.`,
    );
  }
  const [outermost] = uncommon;
  if (outermost !== undefined && outermost.groupType !== 'for-loop') {
    throw new Error(
      `Illegal task dependency across control flow scopes. When using Collected to fan-in outputs from a task within a ParallelFor context, ` +
        `the ParallelFor cannot be nested within a ${DSL_NAME[outermost.groupType]} context unless the consumer task is too. ` +
        `Task ${consumerName} consumes from ${producer.name} within ${outermost.name}.`,
    );
  }
}

function checkOneOf(
  graph: PipelineGraph,
  channel: PipelineChannel,
  consumerGroup: TasksGroup,
  consumerName: string,
): void {
  const branches = [...allGroups(graph.root)].find((group) => group.name === channel.taskName);
  if (branches === undefined) throw new Error(`OneOf ${channel.name} refers to no condition branches`);
  checkDependency(branches, consumerGroup, consumerName, 'data');
}

/**
 * Every group under `root`, parents before children (KFP's `get_all_groups`).
 *
 * @example
 * [...allGroups(graph.root)].map((group) => group.name); // ['my-pipeline', 'for-loop-1', ...]
 */
export function* allGroups(root: TasksGroup): Generator<TasksGroup> {
  yield root;
  for (const group of root.groups) yield* allGroups(group);
}
