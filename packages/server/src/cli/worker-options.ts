import os from 'node:os';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { positiveInteger } from './args/positive-integer.ts';

/** What `cairn worker` and the embedded worker of `cairn up` share: options, output, signals. */
export interface WorkerCommandOptions {
  concurrency: number;
  leaseSeconds: number;
  pollMs: number;
  workDir?: string;
  name?: string;
  quiet?: boolean;
  taskTimeoutSeconds?: number;
}

const DEFAULT_LEASE_SECONDS = 30;
const DEFAULT_POLL_MS = 250;

function leaseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds < 1) {
    throw new InvalidArgumentError(`expected a number of seconds of at least 1, got "${value}"`);
  }
  return seconds;
}

/** The worker options, shared by `cairn worker` and `cairn up`. */
export function addWorkerOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--concurrency <n>', 'tasks run at once')
        .argParser(positiveInteger)
        .default(os.availableParallelism(), `the number of CPUs, ${os.availableParallelism()}`),
    )
    .addOption(
      new Option(
        '--lease-seconds <s>',
        "how long a task's lease lasts without a heartbeat (it is renewed every third of that); " +
          'after a worker dies, its tasks run again elsewhere this long after its last heartbeat',
      )
        .argParser(leaseSeconds)
        .default(DEFAULT_LEASE_SECONDS),
    )
    .addOption(
      new Option('--poll-ms <ms>', 'how long to wait before looking for work again when there was none')
        .argParser(positiveInteger)
        .default(DEFAULT_POLL_MS),
    )
    .option('--work-dir <dir>', "where task working directories go (default: 'work' in the home directory)")
    .option(
      '--name <name>',
      'this worker in the tasks it holds (lease_owner) and in its output (default: host:pid:random)',
    )
    .addOption(
      new Option(
        '--task-timeout-seconds <s>',
        "how long a task may run when its pipeline sets no timeout (kfp-kubernetes' set_timeout); it is killed after",
      ).argParser(positiveInteger),
    )
    .option('--quiet', 'print only the start, failed tasks, errors and the shutdown, not every task');
}
