import type { JsonValue } from '@cairn/spec';
import { pythonJson } from '../python-compat/python-json.ts';

/**
 * A runtime placeholder in a container's command line, such as `{{$.inputs.parameters['text']}}`. It
 * converts to its text, so it also works inside template literals.
 *
 * @example
 * command: ({ inputs }) => ['sh', '-c', `echo ${inputs.text}`]
 */
export class Placeholder {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  toString(): string {
    return this.text;
  }
}

/**
 * The value of an input parameter (`{{$.inputs.parameters['<name>']}}`).
 *
 * @example
 * command: ({ inputs }) => ['echo', inputs.message]
 */
export class InputValuePlaceholder extends Placeholder {
  readonly inputName: string;

  constructor(inputName: string) {
    super(`{{$.inputs.parameters['${inputName}']}}`);
    this.inputName = inputName;
  }
}

/**
 * A list-of-artifacts input: only the whole list can be passed (`{{$.inputs.artifacts['<name>']}}`).
 *
 * @example
 * command: ({ inputs }) => ['merge', inputs.shards]
 */
export class InputListPlaceholder extends Placeholder {
  readonly inputName: string;

  constructor(inputName: string) {
    super(`{{$.inputs.artifacts['${inputName}']}}`);
    this.inputName = inputName;
  }
}

/**
 * Where an output parameter's value is written: the file the backend reads it from
 * (`{{$.outputs.parameters['<name>'].output_file}}`).
 *
 * @example
 * command: ({ outputs }) => ['sh', '-c', `echo heads > ${outputs.Output}`]
 */
export class OutputParameterPlaceholder extends Placeholder {
  readonly outputName: string;

  constructor(outputName: string) {
    super(`{{$.outputs.parameters['${outputName}'].output_file}}`);
    this.outputName = outputName;
  }
}

/**
 * An input or output artifact of a container component: its local `path`, its `uri` and its `metadata`
 * (or one key of it). The artifact itself cannot be put on a command line, only these.
 *
 * @example
 * command: ({ inputs, outputs }) => ['cp', inputs.data.path, outputs.copy.path]
 */
export class ArtifactPlaceholder {
  readonly name: string;
  readonly direction: 'inputs' | 'outputs';
  /** The artifact's local file path. */
  readonly path: Placeholder;
  /** The artifact's URI in the object store. */
  readonly uri: Placeholder;
  /** The artifact's metadata, as JSON. */
  readonly metadata: Placeholder;

  constructor(direction: 'inputs' | 'outputs', name: string) {
    const base = `$.${direction}.artifacts['${name}']`;
    this.name = name;
    this.direction = direction;
    this.path = new Placeholder(`{{${base}.path}}`);
    this.uri = new Placeholder(`{{${base}.uri}}`);
    this.metadata = new Placeholder(`{{${base}.metadata}}`);
  }

  /**
   * One key of the artifact's metadata (`{{$.inputs.artifacts['<name>'].metadata['<key>']}}`).
   *
   * @example
   * command: ({ inputs }) => ['echo', inputs.model.metadataKey('framework')]
   */
  metadataKey(key: string): Placeholder {
    return new Placeholder(`{{$.${this.direction}.artifacts['${this.name}'].metadata['${key}']}}`);
  }

  toString(): string {
    throw new TypeError(
      `artifact '${this.name}' cannot be used as a string: use its .path, .uri or .metadata placeholder`,
    );
  }
}

/**
 * One element of a container's command or args: text, a placeholder, or a `concat`/`ifPresent` structure.
 *
 * @example
 * const element: CommandLineElement = concat('--out=', outputs.model.path);
 */
export type CommandLineElement = string | Placeholder | ConcatPlaceholder | IfPresentPlaceholder;

/**
 * Elements joined into one argument at run time (KFP's `ConcatPlaceholder`), written to the IR as
 * `{"Concat": [...]}`.
 *
 * @example
 * command: ({ inputs, outputs }) => ['my_program', concat('prefix-', inputs.text1, outputs.text2.uri)]
 */
export class ConcatPlaceholder {
  readonly items: readonly CommandLineElement[];

  constructor(items: readonly CommandLineElement[]) {
    for (const item of items) if (item instanceof IfPresentPlaceholder) item.checkSingleElements();
    this.items = items;
  }

  toStruct(): JsonValue {
    return { Concat: this.items.map(toStringOrStruct) };
  }

  toString(): string {
    throw new TypeError(
      'a concat() placeholder cannot be used inside a string; use it as a command-line element',
    );
  }
}

/**
 * Elements used only when an input was given, else the alternative (KFP's `IfPresentPlaceholder`),
 * written to the IR as `{"IfPresent": {"InputName": ..., "Then": ..., "Else": ...}}`.
 *
 * @example
 * command: ({ inputs }) => ['my_program', ifPresent(inputs.optional_input, [inputs.optional_input], ['bye'])]
 */
export class IfPresentPlaceholder {
  readonly inputName: string;
  /** What the command line gets when the input was given (KFP's `then`). */
  readonly whenPresent: CommandLineElement | readonly CommandLineElement[];
  /** What it gets otherwise (KFP's `else_`), if anything. */
  readonly otherwise: CommandLineElement | readonly CommandLineElement[] | undefined;

  constructor(
    inputName: string,
    whenPresent: CommandLineElement | readonly CommandLineElement[],
    otherwise: CommandLineElement | readonly CommandLineElement[] | undefined,
  ) {
    this.inputName = inputName;
    this.whenPresent = whenPresent;
    this.otherwise = otherwise;
  }

  /** Inside `concat`, `whenPresent` and `otherwise` must be single elements (KFP's rule). */
  checkSingleElements(): void {
    if (Array.isArray(this.whenPresent) || Array.isArray(this.otherwise)) {
      throw new TypeError(
        'Cannot use ifPresent() within concat() when its `whenPresent` and `otherwise` arguments are lists. Use a single element for each.',
      );
    }
    for (const branch of [this.whenPresent, this.otherwise]) {
      if (branch instanceof IfPresentPlaceholder) branch.checkSingleElements();
      if (branch instanceof ConcatPlaceholder) {
        for (const item of branch.items) if (item instanceof IfPresentPlaceholder) item.checkSingleElements();
      }
    }
  }

  toStruct(): JsonValue {
    const convert = (branch: CommandLineElement | readonly CommandLineElement[]): JsonValue =>
      isElementList(branch) ? branch.map(toStringOrStruct) : toStringOrStruct(branch);
    const struct: Record<string, JsonValue> = { InputName: this.inputName, Then: convert(this.whenPresent) };
    // KFP writes `Else` only when it is non-empty.
    const otherwise = this.otherwise;
    if (
      otherwise !== undefined &&
      otherwise !== '' &&
      !(isElementList(otherwise) && otherwise.length === 0)
    ) {
      struct.Else = convert(otherwise);
    }
    return { IfPresent: struct };
  }

  toString(): string {
    throw new TypeError(
      'an ifPresent() placeholder cannot be used inside a string; use it as a command-line element',
    );
  }
}

function isElementList(
  value: CommandLineElement | readonly CommandLineElement[],
): value is readonly CommandLineElement[] {
  return Array.isArray(value);
}

function toStringOrStruct(element: CommandLineElement): JsonValue {
  if (element instanceof ConcatPlaceholder || element instanceof IfPresentPlaceholder)
    return element.toStruct();
  return typeof element === 'string' ? element : element.text;
}

/**
 * Joins command-line elements into one argument at run time.
 *
 * @example
 * command: ({ inputs }) => ['sh', '-c', concat('echo ', inputs.text)]
 */
export function concat(...items: CommandLineElement[]): ConcatPlaceholder {
  return new ConcatPlaceholder(items);
}

/**
 * Uses `whenPresent` when the input was given to the task, else `otherwise` (if any).
 *
 * @example
 * args: ({ inputs }) => [ifPresent(inputs.limit, ['--limit', inputs.limit])]
 */
export function ifPresent(
  input: InputValuePlaceholder | InputListPlaceholder | ArtifactPlaceholder,
  whenPresent: CommandLineElement | readonly CommandLineElement[],
  otherwise?: CommandLineElement | readonly CommandLineElement[],
): IfPresentPlaceholder {
  const inputName = input instanceof ArtifactPlaceholder ? input.name : input.inputName;
  if (input instanceof ArtifactPlaceholder && input.direction === 'outputs') {
    throw new TypeError(`ifPresent() tests an input; '${inputName}' is an output`);
  }
  return new IfPresentPlaceholder(inputName, whenPresent, otherwise);
}

/**
 * A command-line element as the IR holds it: text, or the JSON of a `Concat`/`IfPresent` structure
 * written as Python's `json.dumps` writes it.
 *
 * @example
 * renderCommandLineElement(concat('a', 'b')); // '{"Concat": ["a", "b"]}'
 */
export function renderCommandLineElement(element: CommandLineElement): string {
  if (element instanceof ConcatPlaceholder || element instanceof IfPresentPlaceholder) {
    return pythonJson(element.toStruct());
  }
  if (typeof element === 'string') return element;
  if (element instanceof Placeholder) return element.text;
  throw new TypeError(`a command-line element must be a string or a placeholder; got ${describe(element)}`);
}

function describe(value: unknown): string {
  if (value instanceof ArtifactPlaceholder)
    return `artifact '${value.name}' (use its .path, .uri or .metadata)`;
  return value === null ? 'null' : typeof value;
}

/**
 * Values the backend fills in at run time, usable in command lines and as task arguments (KFP's
 * `dsl.PIPELINE_JOB_NAME_PLACEHOLDER` and friends).
 *
 * @example
 * command: () => ['echo', PipelinePlaceholders.jobName]
 */
export const PipelinePlaceholders = {
  /** The pipeline job (run) name. */
  jobName: '{{$.pipeline_job_name}}',
  /** The pipeline job resource name. */
  jobResourceName: '{{$.pipeline_job_resource_name}}',
  /** The pipeline job (run) id. */
  jobId: '{{$.pipeline_job_uuid}}',
  /** The task's name. */
  taskName: '{{$.pipeline_task_name}}',
  /** The task's id. */
  taskId: '{{$.pipeline_task_uuid}}',
  /** The whole executor input, as JSON (what KFP's executors read). */
  executorInput: '{{$}}',
  /** Where an executor writes its executor output. */
  executorOutputPath: '{{$.outputs.output_file}}',
  /** The pipeline root. */
  pipelineRoot: '{{$.pipeline_root}}',
  /** When the job was created, in UTC. */
  jobCreateTimeUtc: '{{$.pipeline_job_create_time_utc}}',
  /** When the job was scheduled, in UTC. */
  jobScheduleTimeUtc: '{{$.pipeline_job_schedule_time_utc}}',
  /** The path of the pipeline's workspace volume. */
  workspacePath: '{{$.workspace_path}}',
} as const;
