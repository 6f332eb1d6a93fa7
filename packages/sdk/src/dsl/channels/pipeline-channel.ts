import type { JsonValue, ParameterType } from '@cairn/spec';
import type { ItemKind, ParameterKind, ParameterTypeInfo } from '../types/parameter-spec.ts';

declare const parameterKind: unique symbol;
declare const parameterItem: unique symbol;
declare const artifactTitle: unique symbol;
declare const artifactList: unique symbol;

/**
 * What a parameter argument must carry at the type level: the kind of value it delivers at run time.
 * Task outputs, pipeline inputs, loop items, `OneOf` and `Collected` values all do.
 *
 * @example
 * const count: ParameterRef<'Integer'> = task.outputs.count;
 */
export interface ParameterRef<K extends string> {
  readonly [parameterKind]: K;
}

/**
 * What an artifact argument must carry at the type level: its schema title and whether it is a list.
 *
 * @example
 * const data: ArtifactRef<'system.Dataset', false> = task.outputs.data;
 */
export interface ArtifactRef<T extends string, L extends boolean> {
  readonly [artifactTitle]: T;
  readonly [artifactList]: L;
}

/**
 * The pipeline a channel belongs to; channels of one pipeline cannot be used in another.
 *
 * @example
 * const owner: ChannelOwner = { pipelineName: 'my-pipeline' };
 */
export interface ChannelOwner {
  readonly pipelineName: string;
}

/**
 * The artifact type of a channel, as it goes into an IR `artifactType`.
 *
 * @example
 * const type: ChannelArtifactType = { schemaTitle: 'system.Model', schemaVersion: '0.0.1' };
 */
export interface ChannelArtifactType {
  readonly schemaTitle: string;
  readonly schemaVersion: string;
}

const registries = new WeakMap<ChannelOwner, Map<string, PipelineChannel>>();

/**
 * A value that exists only when the pipeline runs: a pipeline input, a task output, a loop item. The
 * compiler turns it into the IR's input bindings. Like KFP's `PipelineChannel`, it can be embedded in
 * strings (template literals) and the compiler finds it there again.
 *
 * @example
 * const greeting = `Hello ${task.outputs.name}`; // becomes an injected `pipelinechannel--...` input
 */
export abstract class PipelineChannel {
  /** The output or input name; the compiler renames channels it surfaces through groups. */
  name: string;
  /** The task (or, after surfacing, the group) that produces the value; undefined for pipeline inputs. */
  taskName: string | undefined;
  readonly owner: ChannelOwner;

  constructor(name: string, taskName: string | undefined, owner: ChannelOwner) {
    if (!/^[A-Za-z][A-Za-z0-9\s_-]*$/.test(name)) {
      throw new TypeError(
        `Only letters, numbers, spaces, "_", and "-" are allowed in a channel name, which must begin with a letter. Got name: ${name}`,
      );
    }
    this.name = name;
    this.taskName = taskName === '' ? undefined : taskName;
    this.owner = owner;
  }

  /** `<task>-<name>`, or the name for pipeline inputs: what `pipelinechannel--` prefixes. */
  get fullName(): string {
    return this.taskName === undefined ? this.name : `${this.taskName}-${this.name}`;
  }

  /** The text that stands for this channel inside strings. */
  get pattern(): string {
    return `{{channel:task=${this.taskName ?? ''};name=${this.name};type=${this.typeLabel};}}`;
  }

  /** The type shown in the pattern: the IR parameter type or the artifact schema title. */
  abstract get typeLabel(): string;

  /** A plain channel with this one's name, task and type, as KFP rebuilds channels it finds in strings. */
  abstract plainCopy(): PipelineChannel;

  toString(): string {
    const pattern = this.pattern;
    let registry = registries.get(this.owner);
    if (registry === undefined) {
      registry = new Map();
      registries.set(this.owner, registry);
    }
    if (!registry.has(pattern)) registry.set(pattern, this);
    return pattern;
  }
}

/**
 * Whether a channel is a `OneOf`: it carries the channels it chooses from.
 *
 * @example
 * isOneOf(OneOf(a.outputs.Output, b.outputs.Output)); // true
 */
export function isOneOf(
  channel: PipelineChannel,
): channel is PipelineChannel & { readonly oneOfChannels: PipelineChannel[] } {
  return 'oneOfChannels' in channel;
}

const PATTERN = /\{\{channel:task=[^;]*;name=[^;]+;type=[^;]*;\}\}/g;

/**
 * The channels embedded in a string, each once, as plain channels (KFP's
 * `extract_pipeline_channels_from_string`). A pattern that belongs to another pipeline is an error.
 *
 * @example
 * channelsInString(owner, `echo ${task.outputs.Output}`); // [the plain Output channel]
 */
export function channelsInString(owner: ChannelOwner, text: string): PipelineChannel[] {
  const found = new Map<string, PipelineChannel>();
  for (const [pattern] of text.matchAll(PATTERN)) {
    if (found.has(pattern)) continue;
    const channel = registries.get(owner)?.get(pattern);
    if (channel === undefined) {
      throw new TypeError(
        `the string ${JSON.stringify(text)} embeds a value of another pipeline (${pattern}); ` +
          'a pipeline can only use its own inputs and the outputs of its own tasks',
      );
    }
    found.set(pattern, channel.plainCopy());
  }
  return [...found.values()];
}

/**
 * The channels embedded anywhere in a constant argument, in its strings and its object keys, each once
 * (template literals with pipeline values, inside lists and structs too).
 *
 * @example
 * channelsInValue(owner, { path: `gs://bucket/${task.outputs.Output}` }); // [the plain Output channel]
 */
export function channelsInValue(owner: ChannelOwner, value: JsonValue): PipelineChannel[] {
  const found = new Map<string, PipelineChannel>();
  const visit = (current: JsonValue): void => {
    if (typeof current === 'string') {
      for (const channel of channelsInString(owner, current)) found.set(channel.pattern, channel);
    } else if (Array.isArray(current)) {
      for (const item of current) visit(item);
    } else if (current !== null && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        visit(key);
        visit(item);
      }
    }
  };
  visit(value);
  return [...found.values()];
}

/**
 * The comparison of a condition (`If`, `Elif`), as KFP's `ConditionOperation`. `negate` is set on the
 * copies that `Elif` and `Else` use for the branches before them.
 *
 * @example
 * If(coin.outputs.Output.eq('heads'), () => { ... });
 */
export class ConditionOperation {
  readonly operator: '==' | '!=' | '<' | '<=' | '>' | '>=';
  readonly left: ComparisonOperand;
  readonly right: ComparisonOperand;
  readonly negate: boolean;

  constructor(
    operator: ConditionOperation['operator'],
    left: ComparisonOperand,
    right: ComparisonOperand,
    negate = false,
  ) {
    this.operator = operator;
    this.left = left;
    this.right = right;
    this.negate = negate;
  }

  /** This comparison, negated: what a later branch requires of an earlier one. */
  negated(): ConditionOperation {
    return new ConditionOperation(this.operator, this.left, this.right, true);
  }

  /** This comparison, copied (KFP copies conditions shallowly before changing `negate`). */
  copy(): ConditionOperation {
    return new ConditionOperation(this.operator, this.left, this.right, this.negate);
  }
}

/**
 * Either side of a comparison: a parameter channel or a constant.
 *
 * @example
 * const right: ComparisonOperand = 'heads';
 */
export type ComparisonOperand = ParameterChannel | string | number | boolean;

/**
 * The kinds a condition can compare: KFP rejects lists and structs.
 *
 * @example
 * const kind: ComparableKind = 'Integer';
 */
export type ComparableKind = 'String' | 'Integer' | 'Float' | 'Boolean' | 'Any' | 'Number';

/**
 * What a comparison accepts on its right-hand side.
 *
 * @example
 * const threshold: ComparisonValue = 0.5;
 */
export type ComparisonValue = string | number | boolean | ParameterRef<ComparableKind>;

/**
 * A parameter value: a pipeline input, a task's output parameter or a loop item. `K` is its kind and
 * `I` the kind of its elements when it is a list. Comparisons (`eq`, `lt`, ...) make conditions for
 * `If` and `Elif`.
 *
 * @example
 * If(task.outputs.score.gt(0.5), () => { deploy({ model: task.outputs.model }); });
 */
export class ParameterChannel<K extends string = ParameterKind | ItemKind, I extends ItemKind = ItemKind>
  extends PipelineChannel
  implements ParameterRef<K>
{
  readonly type: ParameterTypeInfo;
  declare readonly [parameterKind]: K;
  declare readonly [parameterItem]: I;

  constructor(name: string, taskName: string | undefined, type: ParameterTypeInfo, owner: ChannelOwner) {
    super(name, taskName, owner);
    this.type = type;
  }

  get typeLabel(): ParameterType {
    return this.type.ir;
  }

  plainCopy(): ParameterChannel<K, I> {
    return new ParameterChannel(this.name, this.taskName, this.type, this.owner);
  }

  /**
   * The condition `this == value`.
   *
   * @example
   * If(coin.outputs.Output.eq('heads'), () => { ... });
   */
  eq(this: ParameterChannel<ComparableKind>, value: ComparisonValue): ConditionOperation {
    return new ConditionOperation('==', this, operand(value));
  }

  /**
   * The condition `this != value`.
   *
   * @example
   * If(coin.outputs.Output.ne('tails'), () => { ... });
   */
  ne(this: ParameterChannel<ComparableKind>, value: ComparisonValue): ConditionOperation {
    return new ConditionOperation('!=', this, operand(value));
  }

  /**
   * The condition `this < value`.
   *
   * @example
   * If(roll.outputs.Output.lt(5000), () => { ... });
   */
  lt(this: ParameterChannel<ComparableKind>, value: ComparisonValue): ConditionOperation {
    return new ConditionOperation('<', this, operand(value));
  }

  /**
   * The condition `this <= value`.
   *
   * @example
   * If(roll.outputs.Output.le(5000), () => { ... });
   */
  le(this: ParameterChannel<ComparableKind>, value: ComparisonValue): ConditionOperation {
    return new ConditionOperation('<=', this, operand(value));
  }

  /**
   * The condition `this > value`.
   *
   * @example
   * If(roll.outputs.Output.gt(5000), () => { ... });
   */
  gt(this: ParameterChannel<ComparableKind>, value: ComparisonValue): ConditionOperation {
    return new ConditionOperation('>', this, operand(value));
  }

  /**
   * The condition `this >= value`.
   *
   * @example
   * If(roll.outputs.Output.ge(5000), () => { ... });
   */
  ge(this: ParameterChannel<ComparableKind>, value: ComparisonValue): ConditionOperation {
    return new ConditionOperation('>=', this, operand(value));
  }
}

function operand(value: ComparisonValue): ComparisonOperand {
  if (value instanceof ParameterChannel) return value;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new TypeError(
    `a condition compares with a parameter channel, a string, a finite number or a boolean; got ${String(value)}`,
  );
}

/**
 * An artifact (or, with `L` true, a list of artifacts) passed between tasks: a task's output artifact,
 * a pipeline's input artifact, or a loop item over a list of artifacts.
 *
 * @example
 * train({ data: importTask.outputs.artifact });
 */
export class ArtifactChannel<T extends string = string, L extends boolean = boolean>
  extends PipelineChannel
  implements ArtifactRef<T, L>
{
  readonly artifactType: ChannelArtifactType;
  readonly isArtifactList: boolean;
  declare readonly [artifactTitle]: T;
  declare readonly [artifactList]: L;

  constructor(
    name: string,
    taskName: string | undefined,
    artifactType: ChannelArtifactType,
    isArtifactList: boolean,
    owner: ChannelOwner,
  ) {
    super(name, taskName, owner);
    this.artifactType = { schemaTitle: artifactType.schemaTitle, schemaVersion: artifactType.schemaVersion };
    this.isArtifactList = isArtifactList;
  }

  get typeLabel(): string {
    return `${this.artifactType.schemaTitle}@${this.artifactType.schemaVersion}`;
  }

  plainCopy(): ArtifactChannel<T, L> {
    // As in KFP, a channel recovered from a string is never a list: lists cannot be indexed in strings.
    return new ArtifactChannel(this.name, this.taskName, this.artifactType, false, this.owner);
  }
}
