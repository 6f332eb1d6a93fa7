import path from 'node:path';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import { openArtifactStore } from '../artifacts/artifact-store-url.ts';
import type { CairnConfig } from '../config/resolve-config.ts';
import { LocalExecutor } from '../engine/executor/local/local-executor.ts';
import { TaskWatchdog } from '../engine/executor/local/watchdog/task-watchdog.ts';
import type {
  ExecutableTask,
  ExecutionContext,
  ExecutionResult,
  TaskExecutor,
} from '../engine/executor/task-executor.ts';
import type { RunTerminations } from '../engine/runs/run-terminations.ts';
import { Worker, type WorkerOptions } from '../engine/worker/worker.ts';
import { CairnError, errorMessage } from '../errors.ts';
import { maintenanceNotice } from '../lifecycle/maintenance/maintenance-notice.ts';
import { MaintenanceWatch } from '../lifecycle/maintenance/maintenance-watch.ts';
import type { DatabaseHandle } from '../store/open-database.ts';
import { openStore } from '../store/open-store.ts';
import type { CairnDatabase } from '../store/tables.ts';
import { configFrom } from './command-config.ts';
import type { Output } from './output.ts';
import type { WorkerCommandOptions } from './worker-options.ts';

type WorkerResources = ConstructorParameters<typeof Worker>[0];

/** A Worker whose lease owner is the operator's name for it (`--name`). */
class NamedWorker extends Worker {
  override readonly owner: string;

  constructor(owner: string, resources: WorkerResources, options: WorkerOptions) {
    super(resources, options);
    this.owner = owner;
  }
}

/** Prints a line when a task starts and when it ends, and counts the tasks running. */
export class ReportingExecutor implements TaskExecutor {
  readonly name: string;
  running = 0;
  readonly #inner: TaskExecutor;
  readonly #output: Output;
  readonly #quiet: boolean;

  constructor(inner: TaskExecutor, output: Output, quiet: boolean) {
    this.name = inner.name;
    this.#inner = inner;
    this.#output = output;
    this.#quiet = quiet;
  }

  async run(task: ExecutableTask, context: ExecutionContext): Promise<ExecutionResult> {
    const which = `${task.runId} ${task.taskPath} attempt ${task.attempt}`;
    const started = Date.now();
    const took = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    this.running++;
    if (!this.#quiet) this.#output.out(`${new Date().toISOString()} start ${which}`);
    try {
      const result = await this.#inner.run(task, context);
      const outcome =
        result.status === 'succeeded'
          ? 'succeeded'
          : `${result.canceled ? 'stopped' : 'failed'}: ${result.error ?? 'no reason given'}`;
      if (!this.#quiet || result.status !== 'succeeded') {
        this.#output.out(`${new Date().toISOString()} end ${which} ${outcome} (${took()})`);
      }
      return result;
    } catch (error) {
      this.#output.out(`${new Date().toISOString()} end ${which} failed: ${errorMessage(error)} (${took()})`);
      throw error;
    } finally {
      this.running--;
    }
  }
}

export async function checkArtifactStore(store: ArtifactStore): Promise<void> {
  try {
    // Listing proves the store answers and (on S3) that the credentials and the bucket work.
    for await (const _ of store.list('cairn-worker-probe/')) break;
  } catch (error) {
    throw new CairnError(
      'ARTIFACT_STORE_FAILED',
      `cannot reach the artifact store (${store.url}): ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

/** Resolves with the first SIGINT or SIGTERM; `again` is called on each later one. */
function stopSignals(again: (signal: NodeJS.Signals) => void): {
  first: Promise<NodeJS.Signals>;
  dispose: () => void;
} {
  let received = false;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => {};
  const first = new Promise<NodeJS.Signals>((resolve) => {
    resolveFirst = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) again(signal);
    else {
      received = true;
      resolveFirst(signal);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    first,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export interface TaskWorker {
  readonly worker: Worker;
  readonly executor: ReportingExecutor;
  readonly workDir: string;
}

/** The maintenance mode as this process sees it, each change of it reported to `output` as `label`. */
export function watchMaintenance(handle: DatabaseHandle, output: Output, label: string): MaintenanceWatch {
  return new MaintenanceWatch(handle.db, handle.dialect, {
    onChange: (maintenance) =>
      output.out(`${new Date().toISOString()} ${label}: ${maintenanceNotice(maintenance)}`),
  });
}

/**
 * A worker on the given stores, started, reporting to `output` as `label`. It obeys `maintenance`, or,
 * when the process has no watch of its own, one it makes.
 */
export function startTaskWorker(
  config: CairnConfig,
  handle: DatabaseHandle,
  store: ArtifactStore,
  options: WorkerCommandOptions,
  output: Output,
  label: string,
  shared: { maintenance?: MaintenanceWatch; terminations?: RunTerminations } = {},
): TaskWorker {
  const maintenance = shared.maintenance ?? watchMaintenance(handle, output, label);
  const executor = new ReportingExecutor(new LocalExecutor(), output, options.quiet === true);
  const workDir = path.resolve(options.workDir ?? path.join(config.home.value, 'work'));
  const resources: WorkerResources = {
    db: handle.db as Kysely<CairnDatabase>,
    dialect: handle.dialect,
    artifactStore: store,
    executor,
    workDir,
    leaseMs: Math.round(options.leaseSeconds * 1000),
    defaultPipelineRoot: store.url,
    ...(options.taskTimeoutSeconds === undefined ? {} : { taskTimeoutMs: options.taskTimeoutSeconds * 1000 }),
    ...(shared.terminations === undefined ? {} : { terminations: shared.terminations }),
  };
  const workerOptions: WorkerOptions = {
    concurrency: options.concurrency,
    pollMs: options.pollMs,
    onError: (error) => output.err(`${new Date().toISOString()} ${label}: error: ${errorMessage(error)}`),
    maintenance,
  };
  const worker =
    options.name === undefined
      ? new Worker(resources, workerOptions)
      : new NamedWorker(options.name, resources, workerOptions);
  worker.start();
  return { worker, executor, workDir };
}

/** The stores a process that runs tasks works on, and its stop signals. */
export interface WorkingStores {
  readonly config: CairnConfig;
  readonly handle: DatabaseHandle;
  readonly store: ArtifactStore;
  /** The first SIGINT or SIGTERM. */
  readonly stopRequested: Promise<NodeJS.Signals>;
  close(): Promise<void>;
}

/**
 * Opens the configured stores (the database's schema must be current) and listens for the stop signals:
 * the first is for the caller to handle; a second kills the running tasks and exits, after saying what
 * becomes of those tasks (`afterKill`).
 */
export async function openWorkingStores(
  command: Command,
  output: Output,
  afterKill: string,
): Promise<WorkingStores> {
  const config = configFrom(command);
  const handle = await openStore(config.db.value);
  const store = openArtifactStore(config.artifacts.value, config.s3Credentials);
  const signals = stopSignals((signal) => {
    const killed = TaskWatchdog.forThisProcess().killAll();
    output.out(`${signal} again: killed ${killed} running task(s), ${afterKill}; exiting`);
    process.exit(0);
  });
  return {
    config,
    handle,
    store,
    stopRequested: signals.first,
    async close() {
      signals.dispose();
      await store.close();
      await handle.close();
    },
  };
}
