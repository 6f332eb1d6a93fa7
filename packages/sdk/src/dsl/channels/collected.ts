import type { ParameterTypeInfo } from '../types/parameter-spec.ts';
import {
  ArtifactChannel,
  type ArtifactRef,
  type ChannelArtifactType,
  isOneOf,
  ParameterChannel,
  type ParameterRef,
  PipelineChannel,
} from './pipeline-channel.ts';

/**
 * The outputs of one task across all iterations of its `ParallelFor`, gathered into a list (KFP's
 * `dsl.Collected`). A parameter becomes a `LIST` parameter; an artifact a list of artifacts.
 *
 * @example
 * const doubled = ParallelFor([1, 2, 3], (n) => double({ n }));
 * sum({ numbers: Collected(doubled.outputs.Output) });
 */
export class CollectedChannel extends PipelineChannel {
  /** The output collected, as the task in the loop produces it. */
  readonly output: ParameterChannel | ArtifactChannel;
  readonly isArtifactChannel: boolean;
  readonly isArtifactList: boolean;
  /** For artifacts, their type; the IR type of a collected artifact is that artifact type, listed. */
  readonly artifactType: ChannelArtifactType | undefined;
  /** For parameters, the list type (`LIST`, of the collected output's type). */
  readonly type: ParameterTypeInfo;

  constructor(output: ParameterChannel | ArtifactChannel) {
    if (output instanceof CollectedChannel)
      throw new TypeError('Collected cannot be used inside of Collected.');
    if (isOneOf(output)) throw new TypeError('OneOf cannot be used inside of Collected.');
    if (output.taskName === undefined) {
      throw new TypeError(
        `Collected gathers the output of a task inside a ParallelFor; got ${output.name}, which no task produces`,
      );
    }
    const listType: ParameterTypeInfo =
      output instanceof ParameterChannel ? { ir: 'LIST', item: output.type } : { ir: 'LIST' };
    super(output.name, output.taskName, output.owner);
    this.type = listType;
    this.output = output;
    this.isArtifactChannel = output instanceof ArtifactChannel;
    this.isArtifactList = this.isArtifactChannel;
    this.artifactType = output instanceof ArtifactChannel ? output.artifactType : undefined;
  }

  get typeLabel(): string {
    return this.artifactType === undefined
      ? 'LIST'
      : `${this.artifactType.schemaTitle}@${this.artifactType.schemaVersion}`;
  }

  plainCopy(): PipelineChannel {
    return this.artifactType === undefined
      ? new ParameterChannel(this.name, this.taskName, this.type, this.owner)
      : new ArtifactChannel(this.name, this.taskName, this.artifactType, false, this.owner);
  }
}

/**
 * Gathers a task output from inside a `ParallelFor` into a list for a task (or the pipeline's outputs)
 * outside the loop. Parameters become a list parameter, artifacts a list of artifacts.
 *
 * @example
 * const prepended = ParallelFor(split.outputs.Output, (id) => prepend({ content: id }));
 * consumeIds({ ids: Collected(prepended.outputs.Output) });
 */
export function Collected(output: ParameterRef<string>): CollectedChannel & ParameterRef<'List'>;
export function Collected<T extends string>(
  output: ArtifactRef<T, false>,
): CollectedChannel & ArtifactRef<T, true>;
export function Collected(output: ParameterRef<string> | ArtifactRef<string, false>): CollectedChannel {
  if (!(output instanceof ParameterChannel) && !(output instanceof ArtifactChannel)) {
    throw new TypeError('Collected takes the output of a task inside a ParallelFor');
  }
  return new CollectedChannel(output);
}
