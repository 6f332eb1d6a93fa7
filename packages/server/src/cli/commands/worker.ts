import type { Command } from 'commander';
import { describeDatabase } from '../../store/database-url.ts';
import type { CliContext, Output } from '../output.ts';
import {
  addWorkerOptions,
  checkArtifactStore,
  openWorkingStores,
  startTaskWorker,
  type WorkerCommandOptions,
} from '../task-worker.ts';

async function runWorker(options: WorkerCommandOptions, command: Command, output: Output): Promise<void> {
  const { config, handle, store, stopRequested, close } = await openWorkingStores(
    command,
    output,
    'left to be taken over when their leases expire',
  );
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
    const signal = await stopRequested;
    output.out(
      `${signal}: claiming no more tasks; waiting for ${executor.running} running task(s) to end ` +
        '(send it again to kill them)',
    );
    await worker.stop();
    output.out(`cairn worker ${worker.owner} stopped`);
  } finally {
    await close();
  }
}

export function registerWorker(program: Command, { output }: CliContext): void {
  const command = program
    .command('worker')
    .description(
      'Run tasks of the runs in the database, as local processes, until stopped. ' +
        'Any number of workers, on this machine or others, can share a database and an artifact store: ' +
        'leases decide who runs what, and the tasks of a worker that dies are taken over once their ' +
        'leases expire (a task never outlives the worker that started it).\n' +
        "The database's schema must be current ('cairn admin upgrade').\n" +
        'Prints a line when it starts, and one when each task starts and ends (run id, task path, ' +
        'attempt, outcome). ' +
        'SIGINT or SIGTERM: it claims no more tasks, lets the running ones finish and exits 0; a second ' +
        'signal kills the running tasks, left to be taken over once their leases expire, and exits 0.',
    );
  addWorkerOptions(command).action((options: WorkerCommandOptions, self: Command) =>
    runWorker(options, self, output),
  );
}
