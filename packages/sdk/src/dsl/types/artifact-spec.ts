import type {
  Artifact as ArtifactObject,
  ClassificationMetrics as ClassificationMetricsObject,
  Dataset as DatasetObject,
  HTML as HTMLObject,
  Markdown as MarkdownObject,
  Metrics as MetricsObject,
  Model as ModelObject,
  SlicedClassificationMetrics as SlicedClassificationMetricsObject,
} from '../../runtime/artifacts.ts';

declare const artifactInstance: unique symbol;

/**
 * An artifact type: its schema title and version as KFP writes them, and (as a type only) the object a
 * function component receives for it. The title is a literal type, so a Model cannot be wired into a
 * Dataset input.
 *
 * @example
 * const Tokenizer = artifactType('acme.Tokenizer');
 */
export interface ArtifactType<T extends string = string, I = ArtifactObject> {
  readonly schemaTitle: T;
  readonly schemaVersion: string;
  readonly [artifactInstance]?: I;
}

/**
 * Declares an artifact type, for types beyond KFP's `system.*` ones (for example Google's
 * `google.VertexModel`). Function components receive such artifacts as plain {@link Artifact} objects.
 *
 * @example
 * const VertexModel = artifactType('google.VertexModel', '0.0.1');
 * const upload = containerComponent({ name: 'upload', image: 'alpine', inputs: { model: Input(VertexModel) },
 *   outputs: {}, command: ({ inputs }) => ['echo', inputs.model.uri] });
 */
export function artifactType<T extends string, I = ArtifactObject>(
  schemaTitle: T,
  schemaVersion = '0.0.1',
): ArtifactType<T, I> {
  if (!/^[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*$/.test(schemaTitle)) {
    throw new TypeError(
      `artifact schema title ${JSON.stringify(schemaTitle)} must look like '<namespace>.<Name>'`,
    );
  }
  if (!/^\d+\.\d+\.\d+$/.test(schemaVersion)) {
    throw new TypeError(`artifact schema version ${JSON.stringify(schemaVersion)} must look like '0.0.1'`);
  }
  return { schemaTitle, schemaVersion };
}

/**
 * Any artifact (`system.Artifact`); an input of this type accepts every artifact type, and an output of
 * it may feed any artifact input, as in KFP.
 *
 * @example
 * const inputs = { anything: Input(Artifact) };
 */
export const Artifact = artifactType<'system.Artifact', ArtifactObject>('system.Artifact');
/**
 * The object a function component receives for an {@link Artifact} input or output.
 *
 * @example
 * async ({ input }: { input: Artifact }) => console.log(input.uri);
 */
export type Artifact = ArtifactObject;

/**
 * A dataset (`system.Dataset`).
 *
 * @example
 * const inputs = { data: Input(Dataset) };
 */
export const Dataset = artifactType<'system.Dataset', DatasetObject>('system.Dataset');
/**
 * The object a function component receives for a {@link Dataset} input or output.
 *
 * @example
 * async ({ input }: { input: Dataset }) => console.log(input.uri);
 */
export type Dataset = DatasetObject;

/**
 * A model (`system.Model`).
 *
 * @example
 * const outputs = { model: Output(Model) };
 */
export const Model = artifactType<'system.Model', ModelObject>('system.Model');
/**
 * The object a function component receives for a {@link Model} input or output.
 *
 * @example
 * async ({ input }: { input: Model }) => console.log(input.uri);
 */
export type Model = ModelObject;

/**
 * Scalar metrics (`system.Metrics`).
 *
 * @example
 * const outputs = { metrics: Output(Metrics) };
 */
export const Metrics = artifactType<'system.Metrics', MetricsObject>('system.Metrics');
/**
 * The object a function component receives for a {@link Metrics} input or output.
 *
 * @example
 * async ({ input }: { input: Metrics }) => console.log(input.uri);
 */
export type Metrics = MetricsObject;

/**
 * Classification metrics such as a confusion matrix or ROC curve (`system.ClassificationMetrics`).
 *
 * @example
 * const outputs = { roc: Output(ClassificationMetrics) };
 */
export const ClassificationMetrics = artifactType<
  'system.ClassificationMetrics',
  ClassificationMetricsObject
>('system.ClassificationMetrics');
/**
 * The object a function component receives for a {@link ClassificationMetrics} input or output.
 *
 * @example
 * async ({ input }: { input: ClassificationMetrics }) => console.log(input.uri);
 */
export type ClassificationMetrics = ClassificationMetricsObject;

/**
 * Classification metrics per data slice (`system.SlicedClassificationMetrics`).
 *
 * @example
 * const outputs = { sliced: Output(SlicedClassificationMetrics) };
 */
export const SlicedClassificationMetrics = artifactType<
  'system.SlicedClassificationMetrics',
  SlicedClassificationMetricsObject
>('system.SlicedClassificationMetrics');
/**
 * The object a function component receives for a {@link SlicedClassificationMetrics} input or output.
 *
 * @example
 * async ({ input }: { input: SlicedClassificationMetrics }) => console.log(input.uri);
 */
export type SlicedClassificationMetrics = SlicedClassificationMetricsObject;

/**
 * An HTML page shown in the run's UI (`system.HTML`).
 *
 * @example
 * const outputs = { report: Output(HTML) };
 */
export const HTML = artifactType<'system.HTML', HTMLObject>('system.HTML');
/**
 * The object a function component receives for an {@link HTML} input or output.
 *
 * @example
 * async ({ input }: { input: HTML }) => console.log(input.uri);
 */
export type HTML = HTMLObject;

/**
 * A Markdown document shown in the run's UI (`system.Markdown`).
 *
 * @example
 * const outputs = { summary: Output(Markdown) };
 */
export const Markdown = artifactType<'system.Markdown', MarkdownObject>('system.Markdown');
/**
 * The object a function component receives for a {@link Markdown} input or output.
 *
 * @example
 * async ({ input }: { input: Markdown }) => console.log(input.uri);
 */
export type Markdown = MarkdownObject;

interface ArtifactSpecFields {
  readonly artifactType: ArtifactType<string, unknown>;
  readonly list: boolean;
  readonly isOptional: boolean;
  readonly description?: string;
}

declare const artifactSpecList: unique symbol;
declare const artifactSpecOptional: unique symbol;
declare const artifactSpecDirection: unique symbol;

/**
 * An artifact input (`D` = 'input') or output (`D` = 'output') of a component or pipeline; build one with
 * {@link Input} or {@link Output}. `L` says whether it is a list of artifacts, `O` whether callers may
 * leave the input out.
 *
 * @example
 * const inputs = { data: Input(Dataset), shards: Input.list(Dataset), extra: Input(Artifact).optional() };
 */
export class ArtifactSpec<
  T extends string,
  I,
  D extends 'input' | 'output',
  L extends boolean = false,
  O extends boolean = false,
> {
  readonly kind = 'artifact';
  readonly artifactType: ArtifactType<T, I>;
  readonly list: boolean;
  readonly isOptional: boolean;
  readonly description?: string;
  declare readonly [artifactSpecList]: L;
  declare readonly [artifactSpecOptional]: O;
  declare readonly [artifactSpecDirection]: D;

  constructor(fields: ArtifactSpecFields & { readonly artifactType: ArtifactType<T, I> }) {
    this.artifactType = fields.artifactType;
    this.list = fields.list;
    this.isOptional = fields.isOptional;
    if (fields.description !== undefined) this.description = fields.description;
  }

  /**
   * The same input, which callers may leave out (KFP's `Optional[Input[Dataset]] = None`).
   *
   * @example
   * Input(Dataset).optional();
   */
  optional(this: ArtifactSpec<T, I, 'input', L, O>): ArtifactSpec<T, I, 'input', L, true> {
    return new ArtifactSpec({ ...this.fields(), isOptional: true });
  }

  /**
   * The same artifact with a description, written to the IR's `description` field.
   *
   * @example
   * Output(Model).describe('The trained model');
   */
  describe(description: string): ArtifactSpec<T, I, D, L, O> {
    return new ArtifactSpec({ ...this.fields(), description });
  }

  private fields(): ArtifactSpecFields & { readonly artifactType: ArtifactType<T, I> } {
    const fields = { artifactType: this.artifactType, list: this.list, isOptional: this.isOptional };
    return this.description === undefined ? fields : { ...fields, description: this.description };
  }
}

interface ArtifactSpecFactory<D extends 'input' | 'output'> {
  <T extends string, I>(type: ArtifactType<T, I>): ArtifactSpec<T, I, D>;
  list<T extends string, I>(type: ArtifactType<T, I>): ArtifactSpec<T, I, D, true>;
}

function artifactSpecFactory<D extends 'input' | 'output'>(): ArtifactSpecFactory<D> {
  const checked = (type: ArtifactType<string, unknown>): void => {
    if (typeof type?.schemaTitle !== 'string' || typeof type.schemaVersion !== 'string') {
      throw new TypeError('expected an artifact type such as Dataset, or one made with artifactType()');
    }
  };
  const single = <T extends string, I>(type: ArtifactType<T, I>): ArtifactSpec<T, I, D> => {
    checked(type);
    return new ArtifactSpec({ artifactType: type, list: false, isOptional: false });
  };
  const list = <T extends string, I>(type: ArtifactType<T, I>): ArtifactSpec<T, I, D, true> => {
    checked(type);
    return new ArtifactSpec({ artifactType: type, list: true, isOptional: false });
  };
  return Object.assign(single, { list });
}

/**
 * Declares an artifact input; `Input.list` declares a list of artifacts (KFP's `Input[List[Dataset]]`),
 * which `Collected` fills.
 *
 * @example
 * const inputs = { data: Input(Dataset), models: Input.list(Model) };
 */
export const Input: ArtifactSpecFactory<'input'> = artifactSpecFactory<'input'>();

/**
 * Declares an artifact output; `Output.list` is for pipeline outputs that return a `Collected` list.
 *
 * @example
 * const outputs = { model: Output(Model) };
 */
export const Output: ArtifactSpecFactory<'output'> = artifactSpecFactory<'output'>();
