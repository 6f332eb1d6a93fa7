import type { JsonObject, JsonValue, ParameterType } from '@cairn/spec';

/**
 * The kinds of parameter a component can declare, named after KFP's Python annotations (`str`, `int`,
 * `float`, `bool`, `list`, `dict`) and its `PipelineTaskFinalStatus`.
 *
 * @example
 * const kind: ParameterKind = 'Integer';
 */
export type ParameterKind =
  | 'String'
  | 'Integer'
  | 'Float'
  | 'Boolean'
  | 'List'
  | 'Struct'
  | 'TaskFinalStatus';

/**
 * What a list's elements are, as far as the types know. `Any` is a list declared without an element type
 * (KFP's bare `list`), whose loop items KFP types as strings but lets into any input; `Number` is a
 * literal number, which TypeScript cannot tell integer from float.
 *
 * @example
 * const item: ItemKind = 'Any';
 */
export type ItemKind = Exclude<ParameterKind, 'TaskFinalStatus'> | 'Any' | 'Number';

/**
 * The TypeScript value of a parameter of kind `K` (for lists, of elements of kind `I`).
 *
 * @example
 * const epochs: ParameterValue<'Integer'> = 3;
 */
export type ParameterValue<
  K extends ParameterKind | ItemKind,
  I extends ItemKind = 'Any',
> = K extends 'String'
  ? string
  : K extends 'Integer' | 'Float' | 'Number'
    ? number
    : K extends 'Boolean'
      ? boolean
      : K extends 'List'
        ? I extends 'Any'
          ? JsonValue[]
          : ParameterValue<I>[]
        : K extends 'Struct'
          ? JsonObject
          : K extends 'TaskFinalStatus'
            ? PipelineTaskFinalStatus
            : JsonValue;

/**
 * What a `TaskFinalStatus` input receives when the exit task runs: KFP's `PipelineTaskFinalStatus`
 * message in its JSON form.
 *
 * @example
 * const failed = (status: PipelineTaskFinalStatus) => status.state !== 'COMPLETE';
 */
export type PipelineTaskFinalStatus = JsonObject & {
  /** The final state of the guarded tasks as KFP records it: `COMPLETE`, `FAILED` or `CANCELED`. */
  readonly state: string;
  /** The run the tasks belong to: the pipeline's name and the run's id. */
  readonly pipelineJobResourceName: string;
  /** The task (the exit handler's group) whose status this is. */
  readonly pipelineTaskName: string;
  /** Present when the tasks failed. */
  readonly error?: { readonly code?: number; readonly message?: string };
};

/**
 * The type of a parameter as the compiler tracks it: its IR type and, where KFP's type string says more
 * (`List[int]`, `Dict[str, int]`), the type of list elements or of struct values.
 *
 * @example
 * const listOfInts: ParameterTypeInfo = { ir: 'LIST', item: { ir: 'NUMBER_INTEGER' } };
 */
export interface ParameterTypeInfo {
  readonly ir: ParameterType;
  readonly item?: ParameterTypeInfo;
  readonly value?: ParameterTypeInfo;
}

const IR_TYPE_OF_KIND: Record<ParameterKind, ParameterType> = {
  String: 'STRING',
  Integer: 'NUMBER_INTEGER',
  Float: 'NUMBER_DOUBLE',
  Boolean: 'BOOLEAN',
  List: 'LIST',
  Struct: 'STRUCT',
  TaskFinalStatus: 'TASK_FINAL_STATUS',
};

interface ParameterSpecFields {
  readonly type: ParameterTypeInfo;
  readonly isOptional: boolean;
  readonly defaultValue?: JsonValue;
  readonly description?: string;
}

declare const parameterSpecKind: unique symbol;
declare const parameterSpecItem: unique symbol;
declare const parameterSpecPresence: unique symbol;

/**
 * Whether callers must pass an input (`required`), may leave it out and the component then gets its
 * default (`default`), or may leave it out and the component then gets nothing (`optional`).
 *
 * @example
 * const presence: Presence = 'default';
 */
export type Presence = 'required' | 'default' | 'optional';

/**
 * A parameter input or output of a component or pipeline. Build one from {@link Parameter}; the type
 * arguments carry the kind, the list element kind and whether callers may leave the input out.
 *
 * @example
 * const inputs = { epochs: Parameter.Integer.default(3), name: Parameter.String.describe('Run name') };
 */
export class ParameterSpec<
  K extends ParameterKind,
  I extends ItemKind = 'Any',
  P extends Presence = 'required',
> {
  readonly kind = 'parameter';
  readonly type: ParameterTypeInfo;
  readonly isOptional: boolean;
  readonly defaultValue?: JsonValue;
  readonly description?: string;
  declare readonly [parameterSpecKind]: K;
  declare readonly [parameterSpecItem]: I;
  declare readonly [parameterSpecPresence]: P;

  constructor(fields: ParameterSpecFields) {
    this.type = fields.type;
    this.isOptional = fields.isOptional;
    if (fields.defaultValue !== undefined) this.defaultValue = fields.defaultValue;
    if (fields.description !== undefined) this.description = fields.description;
  }

  /**
   * The same parameter with a default value, which makes it optional for callers.
   *
   * @example
   * Parameter.String.default('hello');
   */
  default(value: ParameterValue<K, I>): ParameterSpec<K, I, 'default'> {
    if (this.type.ir === 'TASK_FINAL_STATUS')
      throw new TypeError('a TaskFinalStatus input takes no default value');
    checkDefault(this.type, value);
    return new ParameterSpec({ ...this.fields(), isOptional: true, defaultValue: value });
  }

  /**
   * The same parameter, optional without a default (KFP's `Optional[str] = None`).
   *
   * @example
   * Parameter.String.optional();
   */
  optional(): ParameterSpec<K, I, 'optional'> {
    return new ParameterSpec({ ...this.fields(), isOptional: true });
  }

  /**
   * The same parameter with a description, written to the IR's `description` field.
   *
   * @example
   * Parameter.Float.describe('Learning rate');
   */
  describe(description: string): ParameterSpec<K, I, P> {
    return new ParameterSpec({ ...this.fields(), description });
  }

  /**
   * A list whose elements have the kind of `item`: the IR type stays `LIST`, but loops over it get items
   * of that kind (KFP's `List[int]`).
   *
   * @example
   * Parameter.List.of(Parameter.Integer).default([1, 2, 3]);
   */
  of<E extends Exclude<ParameterKind, 'TaskFinalStatus'>>(
    this: ParameterSpec<'List', 'Any', P>,
    item: ParameterSpec<E, ItemKind, Presence>,
  ): ParameterSpec<'List', E, P> {
    return new ParameterSpec({ ...this.fields(), type: { ir: 'LIST', item: item.type } });
  }

  private fields(): ParameterSpecFields {
    const fields: { -readonly [F in keyof ParameterSpecFields]: ParameterSpecFields[F] } = {
      type: this.type,
      isOptional: this.isOptional,
    };
    if (this.defaultValue !== undefined) fields.defaultValue = this.defaultValue;
    if (this.description !== undefined) fields.description = this.description;
    return fields;
  }
}

function kindSpec<K extends ParameterKind>(kind: K): ParameterSpec<K> {
  return new ParameterSpec({ type: { ir: IR_TYPE_OF_KIND[kind] }, isOptional: false });
}

/**
 * The parameter types, to declare component and pipeline inputs and outputs.
 *
 * @example
 * const add = containerComponent({
 *   name: 'add',
 *   image: 'alpine',
 *   inputs: { a: Parameter.Integer, b: Parameter.Integer.default(1) },
 *   outputs: { sum: Parameter.Integer },
 *   command: ({ inputs, outputs }) => ['sh', '-c', `echo $((${inputs.a} + ${inputs.b})) > ${outputs.sum}`],
 * });
 */
export const Parameter = {
  String: kindSpec('String'),
  Integer: kindSpec('Integer'),
  Float: kindSpec('Float'),
  Boolean: kindSpec('Boolean'),
  List: kindSpec('List'),
  Struct: kindSpec('Struct'),
} as const;

/**
 * The input type of an exit task that receives the final status of the tasks its exit handler guards
 * (KFP's `PipelineTaskFinalStatus`). Callers do not pass it; KFP fills it in.
 *
 * @example
 * const report = functionComponent(
 *   { name: 'report', inputs: { status: TaskFinalStatus }, outputs: {} },
 *   async ({ status }) => { console.log(status.state); },
 * );
 */
export const TaskFinalStatus: ParameterSpec<'TaskFinalStatus', 'Any', 'default'> = new ParameterSpec({
  type: { ir: 'TASK_FINAL_STATUS' },
  isOptional: true,
});

function checkDefault(type: ParameterTypeInfo, value: unknown): void {
  if (!valueFitsType(type, value)) {
    throw new TypeError(`default value ${JSON.stringify(value)} does not fit parameter type ${type.ir}`);
  }
}

/**
 * Whether a JavaScript value can be passed as a constant of the given parameter type. Integers fit
 * float parameters: JavaScript has one number type, so `1` and `1.0` are the same value.
 *
 * @example
 * valueFitsType({ ir: 'NUMBER_INTEGER' }, 2.5); // false
 */
export function valueFitsType(type: ParameterTypeInfo, value: unknown): boolean {
  switch (type.ir) {
    case 'STRING':
      return typeof value === 'string';
    case 'NUMBER_INTEGER':
      return Number.isInteger(value);
    case 'NUMBER_DOUBLE':
      return typeof value === 'number' && Number.isFinite(value);
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'LIST':
      return Array.isArray(value) && value.every((element) => isJsonValue(element));
    case 'STRUCT':
    case 'TASK_FINAL_STATUS':
    case 'TASK_CONFIG':
      return isJsonObject(value);
  }
}

function isJsonObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && Object.values(value).every(isJsonValue);
}

function isJsonValue(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  return isJsonObject(value);
}
