// The type-level wiring of the DSL: from the specs a component declares to what its callers pass, what
// its tasks output, what a function component receives and what a container's command line can use.
import type {
  ArtifactChannel,
  ArtifactRef,
  ParameterChannel,
  ParameterRef,
} from '../channels/pipeline-channel.ts';
import type {
  ArtifactPlaceholder,
  InputListPlaceholder,
  InputValuePlaceholder,
  OutputParameterPlaceholder,
} from '../placeholders/placeholders.ts';
import type { ArtifactSpec } from './artifact-spec.ts';
import type { ItemKind, ParameterKind, ParameterSpec, ParameterValue, Presence } from './parameter-spec.ts';

/**
 * Any input a component or pipeline can declare.
 *
 * @example
 * const spec: InputSpec = Input(Dataset);
 */
export type InputSpec =
  | ParameterSpec<ParameterKind, ItemKind, Presence>
  | ArtifactSpec<string, unknown, 'input', boolean, boolean>;

/**
 * Any output a component or pipeline can declare.
 *
 * @example
 * const spec: OutputSpec = Parameter.Float;
 */
export type OutputSpec =
  | ParameterSpec<Exclude<ParameterKind, 'TaskFinalStatus'>, ItemKind, 'required'>
  | ArtifactSpec<string, unknown, 'output', boolean, false>;

/**
 * The declared inputs of a component or pipeline, by name.
 *
 * @example
 * const inputs = { epochs: Parameter.Integer, data: Input(Dataset) } satisfies InputsSpec;
 */
export type InputsSpec = Readonly<Record<string, InputSpec>>;

/**
 * The declared outputs of a component or pipeline, by name.
 *
 * @example
 * const outputs = { accuracy: Parameter.Float, model: Output(Model) } satisfies OutputsSpec;
 */
export type OutputsSpec = Readonly<Record<string, OutputSpec>>;

/**
 * KFP lets integer and float literals (JavaScript numbers) into number inputs, untyped loop items
 * anywhere, and a task's final status into dict inputs (it treats `PipelineTaskFinalStatus` as a dict).
 */
type AcceptedKinds<K> = K extends 'Integer'
  ? 'Integer' | 'Number' | 'Any'
  : K extends 'Float'
    ? 'Float' | 'Number' | 'Any'
    : K extends 'Struct'
      ? 'Struct' | 'TaskFinalStatus' | 'Any'
      : K | 'Any';

/** An artifact input of type `system.Artifact` takes any artifact; any input takes a `system.Artifact`. */
type AcceptedTitles<T extends string> = T extends 'system.Artifact' ? string : T | 'system.Artifact';

/**
 * What a caller may pass to an input: a constant of its kind or a channel of a compatible kind.
 *
 * @example
 * const epochs: ArgumentFor<typeof Parameter.Integer> = 3;
 */
export type ArgumentFor<S> =
  S extends ParameterSpec<infer K, infer I, Presence>
    ? ParameterValue<K, I> | ParameterRef<AcceptedKinds<K>>
    : S extends ArtifactSpec<infer T, unknown, 'input', infer L, boolean>
      ? ArtifactRef<AcceptedTitles<T>, L>
      : never;

type IsFinalStatus<S> = S extends ParameterSpec<'TaskFinalStatus', ItemKind, Presence> ? true : false;
type CallerKeys<I> = { [N in keyof I]: IsFinalStatus<I[N]> extends true ? never : N }[keyof I];
type IsRequired<S> =
  S extends ParameterSpec<ParameterKind, ItemKind, 'required'>
    ? true
    : S extends ArtifactSpec<string, unknown, 'input', boolean, false>
      ? true
      : false;
type RequiredKeys<I> = { [N in CallerKeys<I>]: IsRequired<I[N]> extends true ? N : never }[CallerKeys<I>];
type OptionalKeys<I> = Exclude<CallerKeys<I>, RequiredKeys<I>>;

/**
 * The arguments of a component call: required inputs must be given, inputs with a default or marked
 * optional may be left out, and `TaskFinalStatus` inputs are never given (KFP fills them in).
 *
 * @example
 * const args: TaskArguments<{ text: typeof Parameter.String }> = { text: 'hello' };
 */
export type TaskArguments<I> = { [N in RequiredKeys<I>]: ArgumentFor<I[N]> } & {
  [N in OptionalKeys<I>]?: ArgumentFor<I[N]>;
};

/**
 * The parameter list of a component call: the arguments object may be left out when nothing is required.
 *
 * @example
 * type Args = CallArguments<{}>; // [args?: {}]
 */
export type CallArguments<I> = [RequiredKeys<I>] extends [never]
  ? [args?: TaskArguments<I>]
  : [args: TaskArguments<I>];

/**
 * The channel a task output (or a pipeline input) is, for its spec.
 *
 * @example
 * const accuracy: ChannelFor<typeof Parameter.Float> = train.outputs.accuracy;
 */
export type ChannelFor<S> =
  S extends ParameterSpec<infer K, infer I, Presence>
    ? ParameterChannel<K, I>
    : S extends ArtifactSpec<infer T, unknown, 'input' | 'output', infer L, boolean>
      ? ArtifactChannel<T, L>
      : never;

/**
 * A task's outputs (or a pipeline body's inputs), by name.
 *
 * @example
 * const outputs: Channels<{ model: ReturnType<typeof Output<'system.Model', Model>> }> = train.outputs;
 */
export type Channels<S> = { readonly [N in keyof S]: ChannelFor<S[N]> };

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/**
 * The only output of a component with exactly one output (KFP's `task.output`); `never` otherwise.
 *
 * @example
 * const heads: SingleOutput<{ Output: typeof Parameter.String }> = flip({}).output;
 */
export type SingleOutput<O> = [keyof O] extends [never]
  ? never
  : true extends IsUnion<keyof O>
    ? never
    : ChannelFor<O[keyof O]>;

/**
 * What a pipeline body returns for one of its outputs: a channel of a compatible type.
 *
 * @example
 * const source: OutputSource<typeof Parameter.Float> = train.outputs.accuracy;
 */
export type OutputSource<S> =
  S extends ParameterSpec<infer K, ItemKind, Presence>
    ? ParameterRef<AcceptedKinds<K>>
    : S extends ArtifactSpec<infer T, unknown, 'output', infer L, boolean>
      ? ArtifactRef<AcceptedTitles<T>, L>
      : never;

/**
 * What a pipeline body returns: its outputs by name, or nothing when it declares none.
 *
 * @example
 * const result: PipelineResult<{ accuracy: typeof Parameter.Float }> = { accuracy: train.outputs.accuracy };
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a body without outputs returns nothing, and only `void` lets it (`undefined` rejects bodies inferred as returning void).
export type PipelineResult<O> = [keyof O] extends [never] ? void : { [N in keyof O]: OutputSource<O[N]> };

type ArtifactObject<S> =
  S extends ArtifactSpec<string, infer Instance, 'input' | 'output', infer L, boolean>
    ? L extends true
      ? Instance[]
      : Instance
    : never;

type FunctionInputValue<S> =
  S extends ParameterSpec<infer K, infer I, infer P>
    ? P extends 'optional'
      ? ParameterValue<K, I> | undefined
      : ParameterValue<K, I>
    : S extends ArtifactSpec<string, unknown, 'input', boolean, infer O>
      ? O extends true
        ? ArtifactObject<S> | undefined
        : ArtifactObject<S>
      : never;

/**
 * The first argument of a function component's function: parameter values and artifact objects by name.
 *
 * @example
 * async ({ epochs, data }: FunctionInputs<typeof inputs>) => { ... }
 */
export type FunctionInputs<I> = { readonly [N in keyof I]: FunctionInputValue<I[N]> };

type ArtifactKeys<O> = {
  [N in keyof O]: O[N] extends ArtifactSpec<string, unknown, 'output', boolean, boolean> ? N : never;
}[keyof O];
type ParameterKeys<O> = Exclude<keyof O, ArtifactKeys<O>>;

/**
 * The second argument of a function component's function: its output artifacts, to write to.
 *
 * @example
 * async (_inputs, { model }: FunctionOutputs<typeof outputs>) => { await writeFile(model.path, bytes); }
 */
export type FunctionOutputs<O> = { readonly [N in ArtifactKeys<O>]: ArtifactObject<O[N]> };

type ParameterOutputValue<S> =
  S extends ParameterSpec<infer K, infer I, Presence> ? ParameterValue<K, I> : never;

/**
 * What a function component's function returns: its output parameters by name (nothing when it has none).
 *
 * @example
 * async () => ({ accuracy: 0.9 })
 */
export type FunctionResult<O> = [ParameterKeys<O>] extends [never]
  ? // biome-ignore lint/suspicious/noConfusingVoidType: a function without output parameters returns nothing, which only `void` accepts.
    void
  : { [N in ParameterKeys<O>]: ParameterOutputValue<O[N]> };

/**
 * The placeholders a container component's command line can use for its inputs.
 *
 * @example
 * command: ({ inputs }: { inputs: ContainerInputs<typeof inputs> }) => ['echo', inputs.text]
 */
export type ContainerInputs<I> = {
  readonly [N in keyof I]: I[N] extends ParameterSpec<ParameterKind, ItemKind, Presence>
    ? InputValuePlaceholder
    : I[N] extends ArtifactSpec<string, unknown, 'input', true, boolean>
      ? InputListPlaceholder
      : ArtifactPlaceholder;
};

/**
 * The placeholders a container component's command line can use for its outputs.
 *
 * @example
 * command: ({ outputs }) => ['sh', '-c', `echo 1 > ${outputs.Output}`]
 */
export type ContainerOutputs<O> = {
  readonly [N in keyof O]: O[N] extends ParameterSpec<ParameterKind, ItemKind, Presence>
    ? OutputParameterPlaceholder
    : ArtifactPlaceholder;
};
