import { ParameterChannel, type ParameterRef, PipelineChannel } from '../channels/pipeline-channel.ts';
import type {
  ExitHandlerGroup,
  PipelineGraph,
  ResourceSettings,
  TaskNode,
  TasksGroup,
} from '../graph/graph-model.ts';
import { checkChannelInputs, checkDependency } from '../graph/topology-checks.ts';
import type { Channels, OutputsSpec, SingleOutput } from '../types/io-types.ts';

/**
 * A retry policy: how often a failed task is retried and how long to wait in between. Durations are
 * strings such as `'30s'`, `'5m'`, `'1h'`.
 *
 * @example
 * task.setRetry({ maxRetryCount: 3, backoffDuration: '30s', backoffFactor: 2, backoffMaxDuration: '1h' });
 */
export interface RetryOptions {
  readonly maxRetryCount: number;
  /** The wait before the first retry; `'0s'` (retry at once) by default. */
  readonly backoffDuration?: string;
  /** The factor each wait grows by; 2 by default. */
  readonly backoffFactor?: number;
  /** The longest the task is retried for; `'3600s'` by default. */
  readonly backoffMaxDuration?: string;
}

/**
 * Something a task can run after: another task, or an `ExitHandler` (all of its tasks and its exit task).
 *
 * @example
 * const upstream: AfterTarget = train;
 */
export type AfterTarget = PipelineTask<OutputsSpec> | { readonly exitHandler: ExitHandlerGroup };

/** A string, or a pipeline value (a pipeline input or task output) that becomes one at run time. */
type StringArgument = string | ParameterRef<'String' | 'Any'>;

/**
 * A task: one call of a component in a pipeline. Its `outputs` are typed from the component, and its
 * methods set the task's options; each returns the task, so calls chain.
 *
 * @example
 * const trained = train({ epochs: 3, data: load({}).outputs.data })
 *   .setRetry({ maxRetryCount: 2 })
 *   .setCpuLimit('2')
 *   .setMemoryLimit('4Gi');
 */
export class PipelineTask<O extends OutputsSpec> {
  /** The task as the compiler sees it. */
  readonly node: TaskNode;
  /** The task's outputs, typed from its component's outputs. */
  readonly outputs: Channels<O>;
  private readonly graph: PipelineGraph;

  constructor(node: TaskNode, graph: PipelineGraph) {
    this.node = node;
    this.graph = graph;
    this.outputs = node.outputs as Channels<O>;
  }

  /** The task's name in the pipeline: the component's name, made unique with `-2`, `-3`, ... */
  get name(): string {
    return this.node.name;
  }

  /**
   * The component's only output (KFP's `task.output`). Throws for components with several outputs or none.
   *
   * @example
   * const coin = flip({});
   * If(coin.output.eq('heads'), () => { ... });
   */
  get output(): SingleOutput<O> {
    const outputs = Object.values(this.node.outputs);
    const [only] = outputs;
    if (outputs.length !== 1 || only === undefined) {
      throw new Error(`task ${this.name} has ${outputs.length} outputs; use task.outputs.<name> to pick one`);
    }
    return only as SingleOutput<O>;
  }

  /**
   * Runs this task only after the given tasks (or exit handlers) have finished.
   *
   * @example
   * const second = echo({ text: '2nd' }).after(first);
   */
  after(...targets: AfterTarget[]): this {
    for (const target of targets) {
      if (target instanceof PipelineTask) {
        if (target.graph !== this.graph)
          throw new Error(`task ${this.name} cannot run after a task of another pipeline`);
        checkDependency(target.node, this.parentGroup(), this.name, 'after');
        this.node.after.push(target.node);
      } else if (typeof target === 'object' && target !== null && 'exitHandler' in target) {
        checkDependency(target.exitHandler, this.parentGroup(), this.name, 'after');
        this.node.after.push(target.exitHandler);
      } else {
        throw new TypeError(`task ${this.name} can only run after tasks and exit handlers`);
      }
    }
    return this;
  }

  /**
   * Turns caching on or off for this task (it is on by default), optionally with a cache key of your own:
   * tasks with the same key share cached results whatever their inputs.
   *
   * @example
   * flaky({}).setCachingOptions(false);
   */
  setCachingOptions(enableCaching: boolean, cacheKey?: string): this {
    this.node.enableCaching = enableCaching;
    this.node.cacheKey = cacheKey === '' ? undefined : cacheKey;
    return this;
  }

  /**
   * Retries the task when it fails.
   *
   * @example
   * flaky({}).setRetry({ maxRetryCount: 3, backoffDuration: '0s', backoffFactor: 1 });
   */
  setRetry(options: RetryOptions): this {
    if (!Number.isInteger(options.maxRetryCount) || options.maxRetryCount < 0) {
      throw new TypeError(`maxRetryCount must be a non-negative integer; got ${options.maxRetryCount}`);
    }
    // As KFP does, spell out the defaults so the IR shows what the backend will do.
    this.node.retryPolicy = {
      maxRetryCount: options.maxRetryCount,
      backoffDuration: `${durationSeconds(options.backoffDuration || '0s')}s`,
      backoffFactor: options.backoffFactor || 2,
      backoffMaxDuration: `${durationSeconds(options.backoffMaxDuration || '3600s')}s`,
    };
    return this;
  }

  /**
   * Sets an environment variable in the task's container.
   *
   * @example
   * readEnv({ name: 'MODE' }).setEnvVariable('MODE', 'fast');
   */
  setEnvVariable(name: string, value: string): this {
    this.requireContainer('setEnvVariable');
    if (typeof value !== 'string')
      throw new TypeError(`the value of environment variable ${name} must be a string`);
    this.node.env.set(name, value);
    return this;
  }

  /**
   * Sets the CPU request: a number of cores, or millicores with `m` (`'500m'`).
   *
   * @example
   * task.setCpuRequest('500m');
   */
  setCpuRequest(cpu: StringArgument): this {
    return this.setResource('cpuRequest', 'setCpuRequest', cpu, CPU_PATTERN, CPU_HINT);
  }

  /**
   * Sets the CPU limit: a number of cores, or millicores with `m` (`'4000m'`).
   *
   * @example
   * task.setCpuLimit('2');
   */
  setCpuLimit(cpu: StringArgument): this {
    return this.setResource('cpuLimit', 'setCpuLimit', cpu, CPU_PATTERN, CPU_HINT);
  }

  /**
   * Sets the memory request: bytes, or a number with `K`, `M`, `G`, `T`, `P`, `E` or `Ki`...`Ei`.
   *
   * @example
   * task.setMemoryRequest('512Mi');
   */
  setMemoryRequest(memory: StringArgument): this {
    return this.setResource('memoryRequest', 'setMemoryRequest', memory, MEMORY_PATTERN, MEMORY_HINT);
  }

  /**
   * Sets the memory limit: bytes, or a number with `K`, `M`, `G`, `T`, `P`, `E` or `Ki`...`Ei`.
   *
   * @example
   * task.setMemoryLimit('4Gi');
   */
  setMemoryLimit(memory: StringArgument): this {
    return this.setResource('memoryLimit', 'setMemoryLimit', memory, MEMORY_PATTERN, MEMORY_HINT);
  }

  /**
   * Sets the accelerator type (such as `'nvidia.com/gpu'`); the count defaults to 1.
   *
   * @example
   * task.setAcceleratorType('nvidia.com/gpu');
   */
  setAcceleratorType(accelerator: StringArgument): this {
    this.setResource('acceleratorType', 'setAcceleratorType', accelerator, undefined, '');
    this.node.resources.acceleratorCount ??= '1';
    return this;
  }

  /**
   * Sets how many accelerators the task gets (with `setAcceleratorType`).
   *
   * @example
   * task.setAcceleratorType('nvidia.com/gpu').setAcceleratorLimit(2);
   */
  setAcceleratorLimit(limit: number | StringArgument): this {
    if (typeof limit === 'number' && (!Number.isInteger(limit) || limit < 0)) {
      throw new TypeError('limit must be a non-negative integer.');
    }
    const text = typeof limit === 'number' ? String(limit) : limit;
    return this.setResource(
      'acceleratorCount',
      'setAcceleratorLimit',
      text,
      /^\d+$/,
      'limit must be a non-negative integer.',
    );
  }

  /**
   * Sets the container image, overriding the component's (it may come from a pipeline input).
   *
   * @example
   * task.setContainerImage('python:3.12');
   */
  setContainerImage(image: StringArgument): this {
    this.requireContainer('setContainerImage');
    this.node.image = this.stringOrPattern(image, 'setContainerImage');
    return this;
  }

  /**
   * Sets the name shown for the task in the UI (the IR's `taskInfo.name`).
   *
   * @example
   * train({ epochs: 3 }).setDisplayName('Train the model');
   */
  setDisplayName(name: string): this {
    this.node.displayName = name;
    return this;
  }

  /**
   * Runs the task once its upstream tasks have finished, even when they failed. Inputs it takes from
   * upstream tasks must then be optional, since a failed task produces nothing.
   *
   * @example
   * cleanup({ message: work.outputs.Output }).ignoreUpstreamFailure();
   */
  ignoreUpstreamFailure(): this {
    for (const [inputName, spec] of Object.entries(this.node.component.inputs)) {
      if (spec.kind === 'parameter' && spec.type.ir === 'TASK_FINAL_STATUS') continue;
      const argument = this.node.inputs.get(inputName);
      if (argument instanceof PipelineChannel && !spec.isOptional && argument.taskName !== undefined) {
        throw new Error(
          `Tasks can only use .ignoreUpstreamFailure() if all input parameters that accept arguments created by an upstream task have a default value, ` +
            `in case the upstream task fails to produce its output. Input '${inputName}' of task '${this.name}' is an output of upstream task ` +
            `'${argument.taskName}', but '${inputName}' has no default value.`,
        );
      }
    }
    this.node.ignoreUpstreamFailure = true;
    return this;
  }

  private parentGroup(): TasksGroup {
    const group = this.node.parentGroup;
    if (group === undefined) throw new Error(`task ${this.name} is not part of the pipeline's graph`);
    return group;
  }

  private requireContainer(method: string): void {
    if (this.node.component.implementation.kind !== 'container') {
      throw new Error(
        `${method} can only be used on single-step components, not pipelines used as components, or special components like importers.`,
      );
    }
  }

  private setResource(
    field: keyof ResourceSettings,
    method: string,
    value: StringArgument,
    pattern: RegExp | undefined,
    hint: string,
  ): this {
    this.requireContainer(method);
    if (typeof value === 'string' && pattern !== undefined && !pattern.test(value)) {
      throw new TypeError(`${method}: invalid value ${JSON.stringify(value)}. ${hint}`);
    }
    this.node.resources[field] = this.stringOrPattern(value, method);
    return this;
  }

  // A channel goes in as its pattern, which the compiler turns into an injected input placeholder.
  private stringOrPattern(value: StringArgument, method: string): string {
    if (typeof value === 'string') return value;
    if (!(value instanceof ParameterChannel))
      throw new TypeError(`${method} takes a string or a pipeline value`);
    checkChannelInputs(this.graph, [value], this.parentGroup(), this.name);
    this.node.registerChannel(value);
    return value.toString();
  }
}

const CPU_PATTERN = /^([0-9]*[.])?[0-9]+m?$/;
const CPU_HINT = 'Should be float or integer, or integer followed by "m".';
const MEMORY_PATTERN = /^[0-9]+(E|Ei|P|Pi|T|Ti|G|Gi|M|Mi|K|Ki)?$/;
const MEMORY_HINT =
  'Should be a number or a number followed by one of "E", "Ei", "P", "Pi", "T", "Ti", "G", "Gi", "M", "Mi", "K", "Ki".';

const SECONDS_PER_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

// KFP's `convert_duration_to_seconds`: '1 hour', '2hours', '30s' -> whole seconds.
function durationSeconds(duration: string): number {
  const parts = duration
    .replaceAll(' ', '')
    .split(/(\D+)/)
    .filter((part) => part !== '');
  const [value, unit] = parts;
  const seconds = unit === undefined ? undefined : SECONDS_PER_UNIT[unit.charAt(0)];
  if (parts.length !== 2 || value === undefined || seconds === undefined) {
    throw new TypeError(
      `Invalid duration string: ${JSON.stringify(duration)}. Expected an integer and a unit of seconds, minutes, hours, days or weeks, such as '30s' or '1 hour'.`,
    );
  }
  return Number(value) * seconds;
}
