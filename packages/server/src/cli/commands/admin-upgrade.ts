import { type Command, InvalidArgumentError } from 'commander';
import { addOutputOption, type OutputFormat } from '../format/output-option.ts';
import type { CliContext, Output } from '../output.ts';
import type { PlanCommandOptions } from './admin-upgrade-action.ts';

const DEFAULT_DRAIN_TIMEOUT_SECONDS = 300;

function seconds(value: string): number {
  if (!/^\d+$/.test(value))
    throw new InvalidArgumentError(`expected a whole number of seconds, got "${value}"`);
  return Number(value);
}

function planOptions(command: Command, kind: 'upgrade' | 'downgrade', output: Output): Command {
  return command
    .option('--yes', 'confirm the notes without asking (needed when standard input is not a terminal)')
    .option('--dry-run', 'print the plan, the notes and the SQL, and change nothing')
    .option('--no-backup', 'skip the backup phase (on MySQL a failed migration then cannot be rolled back)')
    .option('--backup-dir <dir>', 'where the backup archive goes (default: <home>/backups)')
    .option(
      '--drain-timeout <seconds>',
      `how long running tasks may take to finish before they are stopped and marked to resume (default ${DEFAULT_DRAIN_TIMEOUT_SECONDS})`,
      seconds,
      DEFAULT_DRAIN_TIMEOUT_SECONDS,
    )
    .action(async (options: PlanCommandOptions, self: Command) => {
      const { runPlan } = await import('./admin-upgrade-action.ts');
      await runPlan(kind, options, self, output);
    });
}

export function registerAdminUpgrade(admin: Command, context: CliContext): void {
  const upgrade = planOptions(
    admin
      .command('upgrade')
      .description(
        'Upgrade the stores to the newest schema this Cairn knows, or to --to VERSION, as a recorded plan: ' +
          'preflight, backup, drain, migrate, verify, resume. A failure in migrate or verify rolls back; an ' +
          'interrupted plan is continued by the next `cairn admin upgrade`.',
      )
      .option('--to <version>', 'the release to upgrade to (default: this release)'),
    'upgrade',
    context.output,
  );
  addOutputOption(
    upgrade
      .command('status')
      .description(
        'Show the latest upgrade or downgrade plan: its phases and steps, their state and timings.',
      )
      .option('--all', 'every plan, newest first'),
  ).action(async (options: { all?: boolean; output: OutputFormat }, command: Command) => {
    const { printPlans } = await import('./admin-upgrade-action.ts');
    await printPlans(options, command, context.output);
  });
  planOptions(
    admin
      .command('downgrade')
      .description(
        'Take the schema back to release --to VERSION with down migrations, after a backup; refused where a ' +
          'migration between them is irreversible.',
      )
      .requiredOption('--to <version>', 'the release to go back to'),
    'downgrade',
    context.output,
  );
}
