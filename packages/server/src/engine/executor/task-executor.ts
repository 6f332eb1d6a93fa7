/**
 * The contract between the engine's scheduler and whatever runs a container task: the scheduler resolves
 * a task's inputs and hands over an {@link ExecutableTask}; an executor runs it and reports an
 * {@link ExecutionResult}. The embedded default is `LocalExecutor` (local processes); a Kubernetes executor
 * implements the same interface, so the scheduler never knows which one ran a task.
 */
import type {
  ComponentInputsPlan,
  ComponentOutputsPlan,
  ContainerSpec,
  JsonObject,
  JsonValue,
} from '@cairn/spec';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';

/**
 * Runs container tasks.
 *
 * `run` resolves with a result for everything that can go wrong with the task itself (bad inputs, a
 * command that fails or is missing, a timeout, cancellation, bad outputs); it rejects only when it cannot
 * produce a result at all, for instance when the task's names make no valid artifact key.
 *
 * @example
 * const result = await executor.run(task, { artifactStore, workDir: '/var/lib/cairn/tasks', signal });
 * if (result.status === 'failed') console.error(result.error);
 */
export interface TaskExecutor {
  /** Recorded with each task, e.g. `local`. */
  readonly name: string;
  run(task: ExecutableTask, context: ExecutionContext): Promise<ExecutionResult>;
}

/**
 * One attempt of a container task, with everything the scheduler resolved. Parameter values are the
 * values the task was given: the executor adds the component's defaults itself (as KFP's launcher does),
 * because KFP's `IfPresent` placeholder tests whether an input was given, not whether it has a default.
 *
 * @example
 * const task: ExecutableTask = {
 *   runId, taskId, taskPath: 'root/train', taskName: 'train', attempt: 0,
 *   pipelineName: 'hello', pipelineRoot: store.url,
 *   container: { image: 'alpine', command: ['echo', "{{$.inputs.parameters['text']}}"] },
 *   inputDefinitions: plan.inputDefinitions, outputDefinitions: plan.outputDefinitions,
 *   inputParameters: { text: 'hi' }, inputArtifacts: {},
 *   system: { jobName: 'hello run', jobUuid: runId, jobCreateTime: Date.now() },
 * };
 */
export interface ExecutableTask {
  readonly runId: string;
  /** The task row's id: `{{$.pipeline_task_uuid}}`. */
  readonly taskId: string;
  /**
   * The task's place in the run (`root/for-loop-2/3/train`). Output and log keys are derived from it
   * (see `task-keys.ts`), so iterations and tasks of nested DAGs never share a key.
   */
  readonly taskPath: string;
  /** The task's key in its DAG: `{{$.pipeline_task_name}}`. */
  readonly taskName: string;
  /** 1 for the first attempt, then one more for each retry (KFP_RETRY_INDEX is this less one). */
  readonly attempt: number;
  /** `pipelineInfo.name`: the first segment of every key the task writes. */
  readonly pipelineName: string;
  /** The run's pipeline root (the artifact store's URL): `{{$.pipeline_root}}` and the base of output URIs. */
  readonly pipelineRoot: string;
  /** The executor's container from the pipeline spec, as written there (placeholders unresolved). */
  readonly container: ContainerSpec;
  readonly inputDefinitions: ComponentInputsPlan;
  readonly outputDefinitions: ComponentOutputsPlan;
  /** Resolved input parameter values, by input name; inputs that were not given are absent. */
  readonly inputParameters: Readonly<Record<string, JsonValue>>;
  /** Resolved input artifacts, by input name; a list input holds several, any other input one. */
  readonly inputArtifacts: Readonly<Record<string, readonly InputArtifact[]>>;
  /** The process is terminated after this many milliseconds from its start; absent or 0: no limit. */
  readonly timeoutMs?: number;
  readonly system: SystemValues;
}

/** An artifact a task reads: where it is stored and what the producer said about it. */
export interface InputArtifact {
  /** The artifact's row in the metadata store, when it has one. */
  readonly artifactId?: string;
  /** The artifact's name (usually the producer's output name), passed on in the ExecutorInput. */
  readonly name: string;
  /** The artifact's canonical URI (under the pipeline root, or wherever an importer found it). */
  readonly uri: string;
  /**
   * Its key in the artifact store: a single object, or the prefix of a directory's objects (`key/...`).
   * Absent for artifacts outside the store, which a local executor can only read through a `file://` URI.
   */
  readonly storageKey?: string;
  readonly metadata: JsonObject;
  /** `system.Dataset`, `system.Model`, ... */
  readonly schemaTitle: string;
  readonly schemaVersion?: string;
}

/** The run-level values of KFP's system placeholders; the task-level ones come from the task itself. */
export interface SystemValues {
  /** `{{$.pipeline_job_name}}`: the run's display name. */
  readonly jobName: string;
  /** `{{$.pipeline_job_uuid}}`: the run's id. */
  readonly jobUuid: string;
  /** `{{$.pipeline_job_resource_name}}`; the run's id when absent. */
  readonly jobResourceName?: string;
  /** When the run was created, in milliseconds since the epoch: `{{$.pipeline_job_create_time_utc}}`. */
  readonly jobCreateTime: number;
  /** When a recurring run's schedule fired: `{{$.pipeline_job_schedule_time_utc}}`; the create time when absent. */
  readonly jobScheduleTime?: number;
}

/** What an executor needs from the engine besides the task. */
export interface ExecutionContext {
  /** The store at the task's pipeline root: inputs are read from it, outputs and logs written to it. */
  readonly artifactStore: ArtifactStore;
  /** The base directory for task working directories (each task gets its own below it). */
  readonly workDir: string;
  /** Aborting it terminates the task, which then reports `canceled`. */
  readonly signal?: AbortSignal;
  /** Called once the task's process is running, with its process id (for the task row). */
  readonly onStarted?: (pid: number) => void;
}

/** How an attempt ended. Outputs are reported only for a task that succeeded. */
export interface ExecutionResult {
  readonly status: 'succeeded' | 'failed';
  /** Why the task failed, for the user; absent on success. */
  readonly error?: string;
  /** The process's exit code, when it exited (rather than being killed by a signal). */
  readonly exitCode?: number;
  /** The signal that killed the process, e.g. `SIGKILL`. */
  readonly signal?: string;
  /** The task ran past its timeout and was terminated. */
  readonly timedOut: boolean;
  /** The task was terminated because the engine aborted it. */
  readonly canceled: boolean;
  /** Output parameter values, converted to their declared types. */
  readonly outputParameters: Readonly<Record<string, JsonValue>>;
  readonly outputArtifacts: Readonly<Record<string, OutputArtifact>>;
  /** The key of the task's log in the artifact store (see `read-task-log.ts` to read or follow it). */
  readonly logKey: string;
  /** The container image named by the spec (a local executor records it without using it). */
  readonly image: string;
  /** Each resource the spec asks for, and whether and how it was enforced. */
  readonly resources: readonly ResourceRecord[];
  /** When the process started, in milliseconds since the epoch; absent when it never started. */
  readonly startedAt?: number;
  readonly finishedAt: number;
  /** Problems that did not fail the task, such as a log that could not be stored. */
  readonly warnings: readonly string[];
}

/**
 * An output artifact, stored. `layout` says what the task left at the artifact's path: one file (one
 * object at `storageKey`), a directory (one object per file under `storageKey/`), or nothing at all, which
 * KFP allows for artifacts that are only metadata (such as `system.Metrics`).
 */
export interface OutputArtifact {
  /** The output's name. */
  readonly name: string;
  /** `<pipeline root>/<storage key>`. */
  readonly uri: string;
  readonly storageKey: string;
  readonly schemaTitle?: string;
  readonly schemaVersion?: string;
  /** The output definition's metadata, updated by what the task wrote to its ExecutorOutput. */
  readonly metadata: JsonObject;
  readonly layout: 'file' | 'directory' | 'none';
  /** Bytes stored: the file's size, or the sum of a directory's files. */
  readonly size: number;
  /**
   * SHA-256 (hex) of the file; for a directory, of its manifest: one line `<sha256>  <relative path>\n`
   * per file, sorted by path (the format of `sha256sum`). Absent for layout `none`.
   */
  readonly sha256?: string;
  /** A directory's files, relative to the artifact's path and its storage key. */
  readonly files?: readonly { readonly path: string; readonly size: number; readonly sha256: string }[];
}

/** A resource the container spec asks for (after its placeholders are resolved), and what was done about it. */
export interface ResourceRecord {
  readonly resource: 'cpuLimit' | 'memoryLimit' | 'cpuRequest' | 'memoryRequest' | 'accelerator';
  /** As the spec says it, e.g. `4G`, `500m`, `nvidia.com/gpu x 1`. */
  readonly requested: string;
  readonly enforced: boolean;
  /** How it was enforced, or why it was not. */
  readonly detail: string;
}
