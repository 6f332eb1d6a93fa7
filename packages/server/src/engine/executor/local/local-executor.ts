import { mkdir } from 'node:fs/promises';
import type { ArtifactStore } from '../../../artifacts/artifact-store.ts';
import { errorMessage } from '../../../errors.ts';
import { TaskLogWriter, type TaskLogWriterOptions } from '../logs/task-log-writer.ts';
import type {
  ExecutableTask,
  ExecutionContext,
  ExecutionResult,
  OutputArtifact,
  ResourceRecord,
  TaskExecutor,
} from '../task-executor.ts';
import { taskLogKey, taskOutputKey } from '../task-keys.ts';
import {
  buildExecutorInput,
  type ExecutorInputJson,
  type OutputLocations,
  parameterValuesOf,
  providedInputs,
} from './executor-input.ts';
import { readExecutorOutput } from './executor-output.ts';
import { findExecutable } from './find-executable.ts';
import { downloadInputArtifacts } from './input-artifacts.ts';
import { storeOutputArtifact } from './output-artifacts.ts';
import { collectOutputParameters } from './output-parameters.ts';
import { type ProcessExit, ProcessGroup } from './process-group.ts';
import { resolveCommandLine } from './resolve-command-line.ts';
import { type MemoryLimiter, planResources } from './resource-limits.ts';
import { systemPlaceholderValue } from './system-placeholders.ts';
import { prepareTaskDirectory, removeTaskDirectory, type TaskDirectory } from './task-directory.ts';
import { DEFAULT_INHERITED_ENV, taskEnvironment } from './task-environment.ts';
import { TaskFailure } from './task-failure.ts';

export interface LocalExecutorOptions {
  /** Names of the server's environment variables that every task inherits. Default: `DEFAULT_INHERITED_ENV`. */
  inheritEnv?: readonly string[];
  /** Variables added to every task's environment; the container's own `env` still wins. */
  env?: Readonly<Record<string, string>>;
  /** How long a terminated task gets between SIGTERM and SIGKILL, in milliseconds. Default 10 000. */
  killGraceMs?: number;
  /** How often the log of a running task is stored, and in what chunks. */
  log?: TaskLogWriterOptions;
  /**
   * The directory every process starts in. Default: a fresh, empty directory per attempt. Set it to run
   * components that expect files relative to their working directory, as KFP's SubprocessRunner runs
   * them in the caller's directory.
   */
  workingDirectory?: string;
  /**
   * Enforce memory limits with `prlimit` (RLIMIT_DATA) when the spec sets one; see `resource-limits.ts`.
   * Off by default: RLIMIT_DATA caps address space, not resident memory as a Kubernetes limit does, and
   * runtimes such as Node and the JVM reserve far more than they use, so a KFP spec's "256Mi", fine in a
   * pod, would kill them here. Turn it on where the tasks' runtimes are known to fit.
   */
  limitMemory?: boolean;
  /** Keep each attempt's directory after it ends, for debugging. Default false. */
  keepTaskDirectories?: boolean;
}

const DEFAULT_KILL_GRACE_MS = 10_000;

type Attempt = Omit<ExecutionResult, 'logKey' | 'image' | 'finishedAt'>;

/** A task ready to start: what runs, where, with what, and where its outputs will be. */
interface PreparedTask extends CommandToRun {
  /** What is started: the command, or `prlimit` in front of it. */
  readonly file: string;
  readonly args: readonly string[];
  readonly resources: readonly ResourceRecord[];
  readonly executorInput: ExecutorInputJson;
  readonly outputs: OutputLocations;
}

/** The command the spec names, and what it would be looked up in. */
interface CommandToRun {
  /** As the spec names it (for messages). */
  readonly program: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** The image the spec names, which a local process does not use (for messages). */
  readonly image: string;
}

/** How the process ended, and whether the executor stopped it. */
interface ProcessOutcome {
  readonly startedAt: number;
  readonly exit: ProcessExit;
  readonly stopped?: 'timeout' | 'canceled';
}

/**
 * Cairn's embedded executor: runs a container task's command and arguments as a local process, without
 * the image (which is recorded, not used), following KFP's container contract.
 *
 * For each attempt it creates a directory of its own, downloads the input artifacts from the artifact
 * store, builds the ExecutorInput and resolves every placeholder (string and structured), and starts the
 * command in its own process group with a minimal environment (see `task-environment.ts`) and the memory
 * limit it can enforce (see `resource-limits.ts`). Standard output and error go to one log in the artifact
 * store that can be followed while the task runs (`read-task-log.ts`). A timeout or an aborted signal
 * terminates the whole group, and the group dies with the executor's process however that process dies
 * (`watchdog/task-watchdog.ts`), so a task never runs on beside the attempt that replaces it. When the
 * command exits 0, the output parameters are read (the ExecutorOutput first, then the output files) and
 * converted to their types, and the output artifacts are uploaded under `<pipeline>/<run-id>/<task>/<output>`
 * with their digests and sizes.
 *
 * @example
 * const executor = new LocalExecutor({ env: { PIP_INDEX_URL: 'http://mirror/simple' } });
 * const result = await executor.run(task, { artifactStore, workDir: '/var/lib/cairn/tasks', signal });
 */
export class LocalExecutor implements TaskExecutor {
  readonly name = 'local';
  readonly #options: LocalExecutorOptions;
  #prlimit: Promise<string | undefined> | undefined;

  constructor(options: LocalExecutorOptions = {}) {
    this.#options = options;
  }

  async run(task: ExecutableTask, context: ExecutionContext): Promise<ExecutionResult> {
    const logKey = taskLogKey(task, task.attempt);
    const directory = await prepareTaskDirectory(context.workDir, task);
    const log = await TaskLogWriter.open(
      context.artifactStore,
      logKey,
      directory.logSpool,
      this.#options.log,
    );
    const attempt = await this.#attempt(task, context, directory, log);
    if (attempt.error !== undefined) log.note(attempt.error);
    const warnings = [...attempt.warnings];
    try {
      await log.close();
    } catch (error) {
      warnings.push(`storing the task's log failed: ${errorMessage(error)}`);
    }
    warnings.push(...log.warnings);
    if (this.#options.keepTaskDirectories !== true) {
      await removeTaskDirectory(directory).catch((error: unknown) => {
        warnings.push(`removing the task's directory ${directory.root} failed: ${errorMessage(error)}`);
      });
    }
    return { ...attempt, logKey, image: task.container.image, finishedAt: Date.now(), warnings };
  }

  /** Everything between preparing the directory and storing the log; never rejects. */
  async #attempt(
    task: ExecutableTask,
    context: ExecutionContext,
    directory: TaskDirectory,
    log: TaskLogWriter,
  ): Promise<Attempt> {
    const warnings: string[] = [];
    let resources: readonly ResourceRecord[] = [];
    let ran: ProcessOutcome | undefined;
    const result = (fields: Partial<Attempt>): Attempt => ({
      status: 'failed',
      timedOut: false,
      canceled: false,
      outputParameters: {},
      outputArtifacts: {},
      resources,
      ...(ran === undefined ? {} : { startedAt: ran.startedAt, ...ran.exit }),
      ...fields,
      warnings,
    });
    const canceled = (when: string) => result({ canceled: true, error: `the task was canceled ${when}` });
    try {
      if (context.signal?.aborted) return canceled('before it started');
      const prepared = await this.#prepare(task, context.artifactStore, directory);
      resources = prepared.resources;
      if (context.signal?.aborted) return canceled('before it started');
      ran = await this.#runProcess(task, context, prepared, log, warnings);
      const { exit, stopped } = ran;
      if (stopped === 'timeout') {
        return result({
          timedOut: true,
          error: `the task timed out after ${task.timeoutMs} ms and was terminated`,
        });
      }
      if (stopped === 'canceled') return canceled('while it ran, and was terminated');
      if (exit.signal !== undefined) return result({ error: `the command was killed by ${exit.signal}` });
      if (exit.exitCode !== 0) return result({ error: `the command exited with code ${exit.exitCode}` });
      return result({
        status: 'succeeded',
        ...(await this.#collectOutputs(task, context.artifactStore, prepared, warnings)),
      });
    } catch (error) {
      if (error instanceof TaskFailure) return result({ error: error.message });
      return result({ error: `the local executor failed: ${errorMessage(error)}` });
    }
  }

  /** Resources, inputs, the ExecutorInput and the resolved command line, environment and directory. */
  async #prepare(
    task: ExecutableTask,
    store: ArtifactStore,
    directory: TaskDirectory,
  ): Promise<PreparedTask> {
    const parameterValues = parameterValuesOf(task);
    const limiter = await this.#memoryLimiter();
    const { records: resources, dataLimitBytes } = planResources(
      task.container.resources,
      parameterValues,
      limiter,
    );
    const inputs = await downloadInputArtifacts(store, task.inputArtifacts, directory.inputs);
    const { executorInput, outputs } = buildExecutorInput(task, parameterValues, inputs, directory);
    let usesWorkspace = false;
    const argv = resolveCommandLine([...(task.container.command ?? []), ...(task.container.args ?? [])], {
      executorInput,
      provided: providedInputs(task),
      system: (name) => {
        usesWorkspace ||= name === 'workspace_path';
        return systemPlaceholderValue(name, task, directory.workspace);
      },
    });
    if (usesWorkspace) await mkdir(directory.workspace, { recursive: true });
    const [program, ...programArgs] = argv;
    if (program === undefined) {
      throw new TaskFailure(
        `the container has no command; the local executor cannot fall back to the entrypoint of image ${task.container.image}`,
      );
    }
    const env = taskEnvironment(task, directory, {
      inherit: this.#options.inheritEnv ?? DEFAULT_INHERITED_ENV,
      server: process.env,
      extra: this.#options.env ?? {},
    });
    const cwd = this.#options.workingDirectory ?? directory.cwd;
    const prepared = { program, cwd, env, image: task.container.image };
    // prlimit sets the limit on itself and then executes the command, which keeps its pid and group.
    if (dataLimitBytes !== undefined && 'prlimit' in limiter) {
      // prlimit would start, and report a missing command only as its own failure.
      await checkCommand(prepared);
      const args = [`--data=${dataLimitBytes}`, '--', program, ...programArgs];
      return { ...prepared, file: limiter.prlimit, args, resources, executorInput, outputs };
    }
    return { ...prepared, file: program, args: programArgs, resources, executorInput, outputs };
  }

  /** Starts the command and waits for it, terminating it on timeout or when the signal aborts. */
  async #runProcess(
    task: ExecutableTask,
    context: ExecutionContext,
    prepared: PreparedTask,
    log: TaskLogWriter,
    warnings: string[],
  ): Promise<ProcessOutcome> {
    const { signal } = context;
    const { program, file, args, cwd, env } = prepared;
    // The command is looked up only when it did not start: the spawn searches PATH itself, and a search
    // of its own before every start cost more than the start of a short task.
    const group = await ProcessGroup.start(file, args, { cwd, env }).catch(async (error: unknown) => {
      await checkCommand(prepared);
      throw new TaskFailure(`starting '${program}' failed: ${errorMessage(error)}`, { cause: error });
    });
    const startedAt = Date.now();
    try {
      context.onStarted?.(group.pid);
    } catch (error) {
      warnings.push(`the onStarted hook failed: ${errorMessage(error)}`);
    }
    const following = Promise.all([log.follow(group.stdout), log.follow(group.stderr)]);
    const graceMs = this.#options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    let stopped: ProcessOutcome['stopped'];
    const stop = (reason: 'timeout' | 'canceled', why: string): void => {
      if (stopped !== undefined) return;
      stopped = reason;
      log.note(`${why}: stopping its processes (SIGTERM, then SIGKILL after ${graceMs} ms)`);
      group.terminate(graceMs);
    };
    const timeoutMs = task.timeoutMs ?? 0;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => stop('timeout', `the task timed out after ${timeoutMs} ms`), timeoutMs)
        : undefined;
    const onAbort = (): void => stop('canceled', 'the task was canceled');
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    try {
      const exit = await group.exited;
      await following;
      return { startedAt, exit, ...(stopped === undefined ? {} : { stopped }) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Output parameters (the ExecutorOutput first, then the output files) and uploaded output artifacts. */
  async #collectOutputs(
    task: ExecutableTask,
    store: ArtifactStore,
    prepared: PreparedTask,
    warnings: string[],
  ): Promise<Pick<Attempt, 'outputParameters' | 'outputArtifacts'>> {
    const { executorInput, outputs } = prepared;
    const executorOutput = await readExecutorOutput(executorInput.outputs.outputFile);
    const outputParameters = await collectOutputParameters(
      task.outputDefinitions.parameters,
      outputs.parameterFiles,
      executorOutput,
    );
    const outputArtifacts: Record<string, OutputArtifact> = {};
    for (const [name, definition] of Object.entries(task.outputDefinitions.artifacts)) {
      const storageKey = taskOutputKey(task, name);
      const reported = executorOutput?.artifacts[name];
      const stored = await storeOutputArtifact(store, {
        name,
        storageKey,
        uri: `${task.pipelineRoot.replace(/\/+$/, '')}/${storageKey}`,
        artifactType: definition.artifactType,
        localPath: outputs.artifactPaths[name] ?? '',
        metadata: definition.metadata ?? {},
        ...(reported === undefined ? {} : { reported }),
      });
      outputArtifacts[name] = stored.artifact;
      warnings.push(...stored.warnings);
    }
    return { outputParameters, outputArtifacts };
  }

  async #memoryLimiter(): Promise<MemoryLimiter> {
    if (this.#options.limitMemory !== true)
      return { unavailable: 'memory limits are turned off (LocalExecutor limitMemory)' };
    this.#prlimit ??= findExecutable('prlimit', process.env.PATH ?? '', process.cwd());
    const prlimit = await this.#prlimit;
    return prlimit === undefined
      ? { unavailable: "prlimit (util-linux) was not found on the server's PATH" }
      : { prlimit };
  }
}

/** Fails the task with a clear message when its command is not an executable file where it is looked for. */
async function checkCommand({ program, cwd, env, image }: CommandToRun): Promise<void> {
  if ((await findExecutable(program, env.PATH ?? '', cwd)) !== undefined) return;
  const where = program.includes('/') ? `in ${cwd}` : `on PATH (${env.PATH ?? ''})`;
  throw new TaskFailure(
    `the command '${program}' was not found ${where}; the local executor runs commands on this ` +
      `machine and does not use the image ${image}`,
  );
}
