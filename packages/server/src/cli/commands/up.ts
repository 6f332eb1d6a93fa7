import { type Command, InvalidArgumentError, Option } from 'commander';
import { positiveInteger } from '../args/positive-integer.ts';
import type { CliContext } from '../output.ts';
import { addWorkerOptions } from '../worker-options.ts';
import type { UpOptions } from './up-action.ts';

/** KFP's API server listens on 8888. */
const DEFAULT_PORT = 8888;
const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const DEFAULT_CATCHUP_CAP = 10;

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65_535) {
    throw new InvalidArgumentError(`expected a port number from 0 to 65535, got "${value}"`);
  }
  return Number(value);
}

export function registerUp(program: Command, { output }: CliContext): void {
  const command = program
    .command('up')
    .alias('server')
    .description(
      'Start Cairn: the REST API (KFP v2beta1), the recurring-run scheduler and an embedded worker, on the ' +
        'configured stores (by default the embedded ones: SQLite and a folder in the home directory). ' +
        'A database whose schema is behind is upgraded first (backup, migrate, verify) when it is the embedded ' +
        "SQLite default or with --auto-upgrade; otherwise it is refused until 'cairn admin upgrade' runs.\n" +
        'SIGINT or SIGTERM: it stops taking requests and claiming tasks, lets running tasks finish and exits 0; ' +
        'a second signal stops the running tasks, which are resumed on the next start once their leases expire.',
    )
    .addOption(new Option('--host <host>', 'the address to listen on').default('127.0.0.1'))
    .addOption(
      new Option('--port <port>', 'the port to listen on (0: any free port)')
        .argParser(port)
        .default(DEFAULT_PORT),
    )
    .option('--no-worker', 'run no embedded worker: tasks are left to `cairn worker` processes')
    .option(
      '--auto-upgrade',
      'upgrade an external database whose schema is behind before serving (the embedded one always is)',
      false,
    )
    .addOption(
      new Option('--max-body-bytes <n>', 'the largest request body accepted, pipeline uploads included')
        .argParser(positiveInteger)
        .default(DEFAULT_MAX_BODY_BYTES, '32 MiB'),
    )
    .addOption(
      new Option(
        '--catchup-cap <n>',
        'after downtime, the most missed slots one recurring run fires at once (the older ones are skipped)',
      )
        .argParser(positiveInteger)
        .default(DEFAULT_CATCHUP_CAP),
    )
    .option(
      '--example <file>',
      'on a store that has never run anything, run this pipeline (a TypeScript module or a compiled spec) ' +
        'once the server is up, follow it and show its outputs; a store with runs is left alone',
    );
  addWorkerOptions(command).action(async (options: UpOptions, self: Command) => {
    const { runUp } = await import('./up-action.ts');
    await runUp(options, self, output);
  });
}
