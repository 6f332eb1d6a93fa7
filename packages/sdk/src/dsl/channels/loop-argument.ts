import type { JsonValue } from '@cairn/spec';
import type { ItemKind, ParameterTypeInfo } from '../types/parameter-spec.ts';
import { ArtifactChannel, type ChannelOwner, ParameterChannel } from './pipeline-channel.ts';

const LOOP_ITEM_NAME_BASE = 'loop-item';
const SUBVAR_NAME_DELIMITER = '-subvar-';

/**
 * The item of a `ParallelFor` over parameters: over a literal list (`loop-item-param-<N>`) or over a list
 * channel (`<list>-loop-item`). `field(key)` reads a key of dict items (KFP's `item.key`).
 *
 * @example
 * ParallelFor([{ a: 1 }, { a: 2 }], (item) => { show({ n: item.field('a') }); });
 */
export class LoopParameterArgument<K extends ItemKind = ItemKind> extends ParameterChannel<K, 'Any'> {
  /** The literal items, or the list channel the loop runs over. */
  readonly items: readonly JsonValue[] | ParameterChannel;
  /** True for a loop over literal items (KFP's `withItems`). */
  readonly isWithItemsLoopArgument: boolean;
  private readonly fields = new Map<string, LoopArgumentVariable>();

  private constructor(
    items: readonly JsonValue[] | ParameterChannel,
    name: string,
    taskName: string | undefined,
    type: ParameterTypeInfo,
    owner: ChannelOwner,
  ) {
    super(name, taskName, type, owner);
    this.items = items;
    this.isWithItemsLoopArgument = !(items instanceof ParameterChannel);
  }

  /**
   * The item of a loop over a list channel. KFP types it from the list's element type, else as a string.
   *
   * @example
   * LoopParameterArgument.fromChannel(listInput);
   */
  static fromChannel(channel: ParameterChannel): LoopParameterArgument {
    if (!(channel instanceof LoopArgumentVariable) && channel.type.ir !== 'LIST') {
      throw new TypeError(
        'Cannot iterate over a single parameter using ParallelFor. Expected a list of parameters as argument to `items`.',
      );
    }
    return new LoopParameterArgument(
      channel,
      `${channel.name}-${LOOP_ITEM_NAME_BASE}`,
      channel.taskName,
      channel.type.item ?? { ir: 'STRING' },
      channel.owner,
    );
  }

  /**
   * The item of a loop over literal items, numbered by the loop's group id.
   *
   * @example
   * LoopParameterArgument.fromRawItems([1, 2, 3], '1', owner);
   */
  static fromRawItems(
    items: readonly JsonValue[],
    nameCode: string,
    owner: ChannelOwner,
  ): LoopParameterArgument {
    const [first] = items;
    if (first === undefined) throw new TypeError('Got an empty item list for loop argument.');
    return new LoopParameterArgument(
      items,
      `${LOOP_ITEM_NAME_BASE}-param-${nameCode}`,
      undefined,
      typeOfItem(first),
      owner,
    );
  }

  /**
   * A key of the dict items, as a parameter of its own (`<item>-subvar-<key>`).
   *
   * @example
   * print({ msg: item.field('name') });
   */
  field(key: string): LoopArgumentVariable {
    let variable = this.fields.get(key);
    if (variable === undefined) {
      variable = new LoopArgumentVariable(this, key);
      this.fields.set(key, variable);
    }
    return variable;
  }

  override plainCopy(): ParameterChannel<K, 'Any'> {
    return new ParameterChannel(this.name, this.taskName, this.type, this.owner);
  }
}

/**
 * The item of a `ParallelFor` over a list of artifacts (`<list>-loop-item`).
 *
 * @example
 * ParallelFor(Collected(train.outputs.model), (model) => { evaluate({ model }); });
 */
export class LoopArtifactArgument<T extends string = string> extends ArtifactChannel<T, false> {
  readonly items: ArtifactChannel;
  readonly isWithItemsLoopArgument = false;

  constructor(channel: ArtifactChannel) {
    if (!channel.isArtifactList) {
      throw new TypeError(
        'Cannot iterate over a single artifact using ParallelFor. Expected a list of artifacts as argument to `items`.',
      );
    }
    super(
      `${channel.name}-${LOOP_ITEM_NAME_BASE}`,
      channel.taskName,
      channel.artifactType,
      false,
      channel.owner,
    );
    this.items = channel;
  }
}

/**
 * One key of a loop's dict items (KFP's `LoopArgumentVariable`). It is typed by the loop item's value type
 * when KFP knows it (the first value of the first literal item), else as a string that KFP lets into any
 * input.
 *
 * @example
 * const name = item.field('name');
 */
export class LoopArgumentVariable extends ParameterChannel<'Any', 'Any'> {
  readonly loopArgument: LoopParameterArgument;
  readonly subvarName: string;

  constructor(loopArgument: LoopParameterArgument, subvarName: string) {
    if (!/^[a-zA-Z_][0-9a-zA-Z_]*$/.test(subvarName)) {
      throw new TypeError(
        `Tried to create subvariable named ${subvarName}, but that is not a legal variable name (letters, digits and "_", not starting with a digit).`,
      );
    }
    super(
      `${loopArgument.name}${SUBVAR_NAME_DELIMITER}${subvarName}`,
      loopArgument.taskName,
      loopArgument.type.value ?? { ir: 'STRING' },
      loopArgument.owner,
    );
    this.loopArgument = loopArgument;
    this.subvarName = subvarName;
  }

  get items(): readonly JsonValue[] | ParameterChannel {
    return this.loopArgument.items;
  }

  get isWithItemsLoopArgument(): boolean {
    return this.loopArgument.isWithItemsLoopArgument;
  }

  override plainCopy(): ParameterChannel<'Any', 'Any'> {
    return new ParameterChannel(this.name, this.taskName, this.type, this.owner);
  }
}

/**
 * Whether a channel is a loop item or a key of one (KFP checks these three classes together).
 *
 * @example
 * ParallelFor([1, 2], (item) => { isLoopChannel(item); }); // true
 */
export function isLoopChannel(
  channel: unknown,
): channel is LoopParameterArgument | LoopArtifactArgument | LoopArgumentVariable {
  return (
    channel instanceof LoopParameterArgument ||
    channel instanceof LoopArtifactArgument ||
    channel instanceof LoopArgumentVariable
  );
}

// KFP names the type of the first item (`int`, `str`, `Dict[str, int]`), which also types the keys of
// dict items: all of them get the type of the first dict's first value.
function typeOfItem(item: JsonValue): ParameterTypeInfo {
  if (typeof item === 'string') return { ir: 'STRING' };
  if (typeof item === 'boolean') return { ir: 'BOOLEAN' };
  if (typeof item === 'number') return { ir: Number.isInteger(item) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE' };
  if (Array.isArray(item)) return { ir: 'LIST' };
  if (item === null) throw new TypeError('loop items cannot be null');
  const [firstValue] = Object.values(item);
  return firstValue === undefined || firstValue === null
    ? { ir: 'STRUCT' }
    : { ir: 'STRUCT', value: typeOfItem(firstValue) };
}
