import { ConditionOperation } from '../channels/pipeline-channel.ts';
import { currentGraph } from '../graph/build-context.ts';
import { ConditionBranchesGroup, ConditionGroup, type PipelineGraph } from '../graph/graph-model.ts';
import { checkChannelInputs } from '../graph/topology-checks.ts';

/**
 * Options of a condition branch: `name` is shown in the UI instead of `condition-<N>`.
 *
 * @example
 * If(coin.output.eq('heads'), () => { ... }, { name: 'heads' });
 */
export interface ConditionOptions {
  readonly name?: string;
}

/**
 * An `If` and the `Elif`s after it, to continue with `Elif` or close with `Else`. `results` holds what
 * each branch's body returned, in order. As in KFP, the first `Elif` or `Else` wraps the chain in a
 * `condition-branches` group, and until an `Else` closes the chain, tasks created after it in the same
 * scope go into that group too.
 *
 * @example
 * const [heads, tails] = If(coin.output.eq('heads'), () => say({ text: 'heads' }))
 *   .Else(() => say({ text: 'tails' }));
 */
export class ConditionChain<R extends unknown[]> {
  /** What each branch's body returned, in order. */
  readonly results: R;
  private readonly graph: PipelineGraph;
  private readonly last: ConditionGroup;

  constructor(graph: PipelineGraph, last: ConditionGroup, results: R) {
    this.graph = graph;
    this.last = last;
    this.results = results;
  }

  /**
   * A branch that runs when the branches before it did not and `condition` holds.
   *
   * @example
   * If(die.output.eq('heads'), () => say({ text: 'heads' })).Elif(die.output.eq('tails'), () => say({ text: 'tails' }));
   */
  Elif<S>(
    condition: ConditionOperation,
    body: () => S,
    options: ConditionOptions = {},
  ): ConditionChain<[...R, S]> {
    checkCondition(condition, 'Elif');
    this.checkFollows('Elif');
    const group = new ConditionGroup(
      'elif',
      '',
      options.name,
      [...this.last.negatedUpstreamConditions.map((operation) => operation.copy()), condition],
      [...this.last.negatedUpstreamConditions.map((operation) => operation.copy()), condition.negated()],
    );
    wrapInBranches(this.graph);
    const result = runBranch(this.graph, group, body);
    return new ConditionChain(this.graph, group, [...this.results, result]);
  }

  /**
   * The branch that runs when none of the branches before it did.
   *
   * @example
   * If(coin.output.eq('heads'), () => say({ text: 'heads' })).Else(() => say({ text: 'tails' }));
   */
  Else<S>(body: () => S, options: ConditionOptions = {}): [...R, S] {
    this.checkFollows('Else');
    const group = new ConditionGroup(
      'else',
      '',
      options.name,
      this.last.negatedUpstreamConditions.map((operation) => operation.copy()),
      [],
    );
    wrapInBranches(this.graph);
    const branches = this.graph.currentGroup;
    const result = runBranch(this.graph, group, body);
    // The else closes the chain: its branches group closes with it.
    this.graph.closeThrough(branches);
    return [...this.results, result];
  }

  private checkFollows(what: string): void {
    if (this.graph.lastGroupAtCurrentLevel() !== this.last) {
      throw new Error(
        `${what} can only be used right after its If or Elif, in the same scope, with no other control flow in between`,
      );
    }
  }
}

/**
 * Runs `body` as a branch that runs only when `condition` holds; chain `.Elif(...)` and `.Else(...)`.
 *
 * @example
 * const coin = flip({});
 * If(coin.output.eq('heads'), () => { say({ text: 'heads!' }); })
 *   .Else(() => { say({ text: 'tails!' }); });
 */
export function If<R>(
  condition: ConditionOperation,
  body: () => R,
  options: ConditionOptions = {},
): ConditionChain<[R]> {
  const graph = currentGraph('If');
  checkCondition(condition, 'If');
  const group = new ConditionGroup('if', '', options.name, [condition], [condition.negated()]);
  const result = runBranch(graph, group, body);
  return new ConditionChain(graph, group, [result]);
}

/**
 * The same as {@link If} (KFP's older `dsl.Condition`).
 *
 * @example
 * Condition(flip({}).output.eq('heads'), () => { say({ text: 'heads!' }); });
 */
export function Condition<R>(
  condition: ConditionOperation,
  body: () => R,
  options: ConditionOptions = {},
): ConditionChain<[R]> {
  return If(condition, body, options);
}

function checkCondition(condition: unknown, what: string): asserts condition is ConditionOperation {
  if (!(condition instanceof ConditionOperation)) {
    throw new TypeError(
      `${what} takes a comparison of a pipeline value, such as task.outputs.x.eq('y'); got ${typeof condition}. ` +
        'A plain boolean is decided before the pipeline runs.',
    );
  }
}

function runBranch<S>(graph: PipelineGraph, group: ConditionGroup, body: () => S): S {
  const channels = group.conditions.flatMap((operation) =>
    [operation.left, operation.right].filter((operand) => typeof operand === 'object'),
  );
  checkChannelInputs(graph, channels, graph.currentGroup, `the condition ${group.branch}`);
  group.name = `condition-${graph.nextGroupId()}`;
  graph.pushGroup(group);
  try {
    return body();
  } finally {
    if (graph.isOpen(group)) graph.closeThrough(group);
  }
}

// KFP wraps an if/elif/else chain in a `condition-branches` group when the first Elif or Else comes, and
// swaps the ids so the numbers read in source order: the wrapper takes the If's id, the If a new one.
function wrapInBranches(graph: PipelineGraph): void {
  const first = graph.lastGroupAtCurrentLevel();
  if (first instanceof ConditionGroup && first.branch === 'elif') return;
  if (first === undefined) throw new Error('Elif and Else need an If before them');
  const parent = graph.currentGroup;
  const branches = new ConditionBranchesGroup(`condition-branches-${graph.nextGroupId()}`);
  const newId = branches.name.slice(branches.name.lastIndexOf('-') + 1);
  const oldId = first.name.slice(first.name.lastIndexOf('-') + 1);
  branches.name = `condition-branches-${oldId}`;
  first.name = `condition-${newId}`;
  parent.groups.pop();
  graph.pushGroup(branches);
  branches.groups.push(first);
  first.parent = branches;
}
