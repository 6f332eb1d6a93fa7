import type { Command } from 'commander';
import type { CliContext } from '../output.ts';
import { addWorkerOptions, type WorkerCommandOptions } from '../worker-options.ts';

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
  addWorkerOptions(command).action(async (options: WorkerCommandOptions, self: Command) => {
    const { runWorker } = await import('./worker-action.ts');
    await runWorker(options, self, output);
  });
}
