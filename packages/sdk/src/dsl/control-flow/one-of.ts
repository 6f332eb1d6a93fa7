import { CollectedChannel } from '../channels/collected.ts';
import {
  ArtifactChannel,
  type ArtifactRef,
  isOneOf,
  ParameterChannel,
  type ParameterRef,
  type PipelineChannel,
} from '../channels/pipeline-channel.ts';
import { currentGraph } from '../graph/build-context.ts';
import { ConditionBranchesGroup, ConditionGroup, type PipelineGraph } from '../graph/graph-model.ts';
import type { ItemKind } from '../types/parameter-spec.ts';

/**
 * A `OneOf` of parameters: the output of whichever branch ran.
 *
 * @example
 * const chosen: OneOfParameter<'String'> = OneOf(heads.outputs.Output, tails.outputs.Output);
 */
export class OneOfParameter<
  K extends string = string,
  I extends ItemKind = ItemKind,
> extends ParameterChannel<K, I> {
  /** The outputs chosen among, one per branch; the compiler rewrites these copies as it surfaces them. */
  oneOfChannels: ParameterChannel[];
  readonly conditionBranchesGroup: ConditionBranchesGroup;

  constructor(channels: ParameterChannel[], branches: ConditionBranchesGroup, owner: PipelineGraph) {
    const [first] = channels;
    if (first === undefined) throw new TypeError('OneOf needs at least one output');
    super(oneOfName(branches), undefined, first.type, owner);
    this.taskName = branches.name;
    this.oneOfChannels = channels;
    this.conditionBranchesGroup = branches;
  }
}

/**
 * A `OneOf` of artifacts: the artifact of whichever branch ran.
 *
 * @example
 * const chosen: OneOfArtifact<'system.Artifact', false> = OneOf(t1.outputs.a, t2.outputs.a);
 */
export class OneOfArtifact<T extends string = string, L extends boolean = boolean> extends ArtifactChannel<
  T,
  L
> {
  /** The outputs chosen among, one per branch; the compiler rewrites these copies as it surfaces them. */
  oneOfChannels: ArtifactChannel[];
  readonly conditionBranchesGroup: ConditionBranchesGroup;

  constructor(channels: ArtifactChannel[], branches: ConditionBranchesGroup, owner: PipelineGraph) {
    const [first] = channels;
    if (first === undefined) throw new TypeError('OneOf needs at least one output');
    super(oneOfName(branches), undefined, first.artifactType, first.isArtifactList, owner);
    this.taskName = branches.name;
    this.oneOfChannels = channels;
    this.conditionBranchesGroup = branches;
  }
}

/**
 * The output of whichever branch of an if/elif/else chain ran (KFP's `dsl.OneOf`): one output per
 * branch, all of the same type, the chain ending with `Else` so one of them always exists.
 *
 * @example
 * const [t1, t2, t3] = If(die.output.eq('heads'), () => printAndReturn({ text: 'Got heads!' }))
 *   .Elif(die.output.eq('tails'), () => printAndReturn({ text: 'Got tails!' }))
 *   .Else(() => specialPrint({ text: 'Draw!' }));
 * return { Output: OneOf(t1.outputs.Output, t2.outputs.Output, t3.outputs.output_key) };
 */
export function OneOf<K extends string, I extends ItemKind>(
  ...channels: [ParameterChannel<K, I>, ...ParameterChannel<K, I>[]]
): OneOfParameter<K, I> & ParameterRef<K>;
export function OneOf<T extends string, L extends boolean>(
  ...channels: [ArtifactChannel<T, L>, ...ArtifactChannel<T, L>[]]
): OneOfArtifact<T, L> & ArtifactRef<T, L>;
export function OneOf(...channels: PipelineChannel[]): OneOfParameter | OneOfArtifact {
  const graph = currentGraph('OneOf');
  for (const channel of channels) {
    if (channel instanceof CollectedChannel) throw new TypeError('Collected cannot be used inside of OneOf.');
    if (isOneOf(channel)) throw new TypeError('OneOf cannot be used inside of another OneOf.');
    if (channel.owner !== graph) throw new Error(`OneOf of ${channel.fullName}: a value of another pipeline`);
  }
  const branches = branchesOf(graph, channels);
  if (channels.every((channel) => channel instanceof ParameterChannel)) {
    channels.forEach((channel, index) => {
      const [first] = channels;
      if (first !== undefined && channel.type.ir !== first.type.ir) {
        throw new TypeError(
          `Task outputs passed to OneOf must be the same type. Got two channels with different types: ${first.type.ir} at index 0 and ${channel.type.ir} at index ${index}.`,
        );
      }
    });
    return new OneOfParameter(channels, branches, graph);
  }
  if (channels.every((channel) => channel instanceof ArtifactChannel)) {
    channels.forEach((channel, index) => {
      const [first] = channels;
      if (
        first !== undefined &&
        (channel.artifactType.schemaTitle !== first.artifactType.schemaTitle ||
          channel.isArtifactList !== first.isArtifactList)
      ) {
        throw new TypeError(
          `Task outputs passed to OneOf must be the same type. Got two channels with different types: ${first.typeLabel} at index 0 and ${channel.typeLabel} at index ${index}.`,
        );
      }
    });
    return new OneOfArtifact(channels, branches, graph);
  }
  throw new TypeError(
    'Task outputs passed to OneOf must be the same type. Found a mix of parameters and artifacts passed to OneOf.',
  );
}

// The channels come from tasks directly inside the branches of one chain, which must end with an Else
// so that some branch always produces the output.
function branchesOf(graph: PipelineGraph, channels: PipelineChannel[]): ConditionBranchesGroup {
  let branches: ConditionBranchesGroup | undefined;
  for (const channel of channels) {
    const task = channel.taskName === undefined ? undefined : graph.tasks.get(channel.taskName);
    const branch = task?.parentGroup;
    const parent = branch?.parent;
    if (!(branch instanceof ConditionGroup) || !(parent instanceof ConditionBranchesGroup)) {
      throw new Error(
        `OneOf takes outputs of tasks placed directly in the branches of an If/Elif/Else chain; ${channel.fullName} is not one`,
      );
    }
    if (branches !== undefined && branches !== parent)
      throw new Error('OneOf takes outputs of the branches of one If/Elif/Else chain');
    branches = parent;
  }
  if (branches === undefined) throw new TypeError('OneOf needs at least one output');
  const last = branches.groups.at(-1);
  if (!(last instanceof ConditionGroup) || last.branch !== 'else') {
    throw new Error(
      'OneOf must include an output from a task in an Else group to ensure at least one output is available at runtime.',
    );
  }
  return branches;
}

function oneOfName(branches: ConditionBranchesGroup): string {
  return `pipelinechannel--${branches.name}-oneof-${branches.nextOneOfId()}`;
}
