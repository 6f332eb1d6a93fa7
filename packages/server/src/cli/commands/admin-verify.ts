import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_HASH_CONCURRENCY, DEFAULT_ORPHAN_GRACE_MS } from '../../lifecycle/verify/verify-defaults.ts';
import { everySeconds } from '../args/every-duration.ts';
import { positiveInteger } from '../args/positive-integer.ts';
import { withExamples } from '../format/examples.ts';
import { addOutputOption } from '../format/output-option.ts';
import type { CliContext } from '../output.ts';
import type { VerifyCommandOptions } from './admin-verify-action.ts';

/** `--grace`: 0, or a duration such as 30s, 10m or 1h; in milliseconds. */
function graceMs(text: string): number {
  if (text === '0') return 0;
  try {
    return everySeconds(text) * 1000;
  } catch {
    throw new InvalidArgumentError(`expected 0 or a duration such as 30s, 10m, 1h or 1h30m, got "${text}"`);
  }
}

export function registerAdminVerify(admin: Command, context: CliContext): void {
  const command = admin
    .command('verify')
    .description(
      "Check the deployment's integrity: the schema against this code, references between rows, run and " +
        'task states, every artifact row against its object (size and SHA-256), and every object against ' +
        'the rows. Objects of runs still in flight are not judged.\n\n' +
        'Objects nothing refers to are orphans; --fix moves them under quarantine/<UTC time>/ in the same ' +
        'store (copied, read back, then removed: nothing is deleted).\n\n' +
        'Exits 0 when the deployment is clean, and 1 when any problem was found, even one --fix fixed.',
    )
    .option('--fix', 'move orphan objects into quarantine (the only change verify makes)')
    .option('--no-hash', 'compare sizes only, without reading every object back (faster, weaker)')
    .addOption(
      new Option('--grace <duration>', 'leave unaccounted objects younger than this alone: 0, 30s, 10m, 1h')
        .argParser(graceMs)
        .default(DEFAULT_ORPHAN_GRACE_MS, '10m'),
    )
    .addOption(
      new Option('--concurrency <n>', 'artifacts read at once')
        .argParser(positiveInteger)
        .default(DEFAULT_HASH_CONCURRENCY),
    );
  withExamples(addOutputOption(command), [
    'cairn admin verify',
    'cairn admin verify --fix',
    'cairn admin verify --no-hash -o json',
  ]).action(async (options: VerifyCommandOptions, cmd: Command) => {
    const { verify } = await import('./admin-verify-action.ts');
    await verify(options, cmd, context);
  });
}
