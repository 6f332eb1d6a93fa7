import type { JsonValue } from '@cairn/spec';
import { LoopArtifactArgument, LoopParameterArgument } from '../channels/loop-argument.ts';
import { ArtifactChannel, ParameterChannel } from '../channels/pipeline-channel.ts';
import { currentGraph } from '../graph/build-context.ts';
import { ParallelForGroup } from '../graph/graph-model.ts';
import { checkChannelInputs } from '../graph/topology-checks.ts';
import { type ItemKind, valueFitsType } from '../types/parameter-spec.ts';

/**
 * Options of a loop: `parallelism` caps how many iterations run at once (0, the default, for no cap);
 * `name` is shown in the UI instead of `for-loop-<N>`.
 *
 * @example
 * ParallelFor([1, 2, 3], (n) => { work({ n }); }, { parallelism: 2 });
 */
export interface ParallelForOptions {
  readonly parallelism?: number;
  readonly name?: string;
}

/** The kind of a loop over literal items of type `T`. */
type LiteralItemKind<T> = T extends string
  ? 'String'
  : T extends number
    ? 'Number'
    : T extends boolean
      ? 'Boolean'
      : T extends readonly unknown[]
        ? 'List'
        : 'Struct';

/**
 * Runs `body` once per item, in parallel (KFP's `dsl.ParallelFor`). The items are a literal list, a list
 * parameter (a pipeline input, a task output, a key of an outer loop's item) or a list of artifacts. The
 * body gets the item; use `item.field('key')` for keys of dict items. It returns what the body returns, so
 * the loop's outputs can be `Collected` after it.
 *
 * @example
 * const doubled = ParallelFor([1, 2, 3], (n) => double({ n }), { parallelism: 2 });
 * sum({ numbers: Collected(doubled.outputs.Output) });
 */
export function ParallelFor<T extends JsonValue, R>(
  items: readonly T[],
  body: (item: LoopParameterArgument<LiteralItemKind<T>>) => R,
  options?: ParallelForOptions,
): R;
export function ParallelFor<I extends ItemKind, R>(
  items: ParameterChannel<'List', I>,
  body: (item: LoopParameterArgument<I>) => R,
  options?: ParallelForOptions,
): R;
export function ParallelFor<R>(
  items: ParameterChannel<'Any', ItemKind>,
  body: (item: LoopParameterArgument<'Any'>) => R,
  options?: ParallelForOptions,
): R;
export function ParallelFor<T extends string, R>(
  items: ArtifactChannel<T, true>,
  body: (item: LoopArtifactArgument<T>) => R,
  options?: ParallelForOptions,
): R;
export function ParallelFor<R>(
  items: readonly JsonValue[] | ParameterChannel | ArtifactChannel,
  body: (item: never) => R,
  options: ParallelForOptions = {},
): R {
  const graph = currentGraph('ParallelFor');
  const parallelism = options.parallelism ?? 0;
  if (!Number.isInteger(parallelism) || parallelism < 0) {
    throw new TypeError(`ParallelFor parallelism must be an integer >= 0. Got: ${parallelism}.`);
  }
  let loopArgument: LoopParameterArgument | LoopArtifactArgument;
  if (items instanceof ParameterChannel) {
    checkChannelInputs(graph, [items], graph.currentGroup, 'ParallelFor');
    loopArgument = LoopParameterArgument.fromChannel(items);
  } else if (items instanceof ArtifactChannel) {
    checkChannelInputs(graph, [items], graph.currentGroup, 'ParallelFor');
    loopArgument = new LoopArtifactArgument(items);
  } else if (Array.isArray(items)) {
    if (!valueFitsType({ ir: 'LIST' }, items))
      throw new TypeError('ParallelFor loops over literal items that are JSON values');
    // As in KFP, literal items take a group id for their name before the loop takes its own.
    loopArgument = LoopParameterArgument.fromRawItems(items, graph.nextGroupId(), graph);
  } else {
    throw new TypeError(
      'ParallelFor loops over a list: literal items, a list parameter, or a list of artifacts',
    );
  }
  const group = new ParallelForGroup(
    `for-loop-${graph.nextGroupId()}`,
    options.name,
    loopArgument,
    parallelism,
  );
  graph.pushGroup(group);
  try {
    return body(loopArgument as never);
  } finally {
    if (graph.isOpen(group)) graph.closeThrough(group);
  }
}
