import type { Command } from 'commander';
import { openArtifactStore } from '../../artifacts/artifact-store-url.ts';
import { TaskWatchdog } from '../../engine/executor/local/watchdog/task-watchdog.ts';
import { describeDatabase } from '../../store/database-url.ts';
import { openStore } from '../../store/open-store.ts';
import { configFrom } from '../config-options.ts';
import type { CliContext, Output } from '../output.ts';
import {
  addWorkerOptions,
  checkArtifactStore,
  startTaskWorker,
  stopSignals,
  type WorkerCommandOptions,
} from '../task-worker.ts';

async function runWorker(options: WorkerCommandOptions, command: Command, output: Output): Promise<void> {
  const config = configFrom(command);
  const handle = await openStore(config.db.value);
  const store = openArtifactStore(config.artifacts.value, config.s3Credentials);
  const signals = stopSignals((signal) => {
    const killed = TaskWatchdog.forThisProcess().killAll();
    output.out(
      `${signal} again: killed ${killed} running task(s), left to be taken over when their leases expire; exiting`,
    );
    process.exit(0);
  });
  try {
    await checkArtifactStore(store);
    const { worker, executor, workDir } = startTaskWorker(
      config,
      handle,
      store,
      options,
      output,
      'cairn worker',
    );
    output.out(
      `cairn worker ${worker.owner} started: database ${describeDatabase(config.db.value)}, ` +
        `artifacts ${store.url}, concurrency ${options.concurrency}, lease ${options.leaseSeconds} s, ` +
        `work dir ${workDir}`,
    );
    const signal = await signals.first;
    output.out(
      `${signal}: claiming no more tasks; waiting for ${executor.running} running task(s) to end ` +
        '(send it again to kill them)',
    );
    await worker.stop();
    output.out(`cairn worker ${worker.owner} stopped`);
  } finally {
    signals.dispose();
    await store.close();
    await handle.close();
  }
}

export function registerWorker(program: Command, { output }: CliContext): void {
  const command = program
    .command('worker')
    .description(
      'Run tasks of the runs in the database, as local processes, until stopped.\n' +
        'Any number of workers, on this machine or others, can share a database and an artifact store: ' +
        'leases decide who runs what, and the tasks of a worker that dies are taken over once their ' +
        'leases expire (a task never outlives the worker that started it).\n' +
        "The database's schema must be current ('cairn admin migrate').\n" +
        'Prints a line when it starts, and one when each task starts and ends (run id, task path, ' +
        'attempt, outcome).\n' +
        'SIGINT or SIGTERM: it claims no more tasks, lets the running ones finish and exits 0; a second ' +
        'signal kills the running tasks, left to be taken over once their leases expire, and exits 0.',
    );
  addWorkerOptions(command).action((options: WorkerCommandOptions, self: Command) =>
    runWorker(options, self, output),
  );
}
