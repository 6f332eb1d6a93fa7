import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../output.ts';
import type { DialectChoice, DialectName, MigrateOptions } from './admin-migrate-action.ts';

/** The dialects `--dialect` names; the dialects themselves are loaded only to print their SQL. */
const DIALECT_NAMES = { sqlite: true, mysql: true, postgres: true } as const satisfies Record<
  DialectName,
  true
>;

function parseVersion(value: string): number {
  if (!/^\d+$/.test(value))
    throw new InvalidArgumentError(`expected a schema version number, got "${value}"`);
  return Number(value);
}

function parseDialect(value: string): DialectChoice {
  if (value === 'all' || Object.hasOwn(DIALECT_NAMES, value)) return value as DialectChoice;
  throw new InvalidArgumentError(`expected sqlite, mysql, postgres or all, got "${value}"`);
}

export function registerAdminMigrate(admin: Command, { output }: CliContext): void {
  admin
    .command('migrate')
    .description(
      'Apply the pending migrations (or migrate up or down to --to VERSION) under the migration lock. ' +
        'A migration a crash interrupted is finished first. This is the bare step, with no backup, drain or ' +
        "rollback: a deployment in use is upgraded with 'cairn admin upgrade'.",
    )
    .option(
      '--to <version>',
      'target schema version (default: the newest this Cairn knows; 0 removes everything)',
      parseVersion,
    )
    .option('--dry-run', 'print the SQL that would run, without running it')
    .option(
      '--dialect <name>',
      'with --dry-run: print all migrations for sqlite, mysql, postgres or all, without a database',
      parseDialect,
    )
    .action(async (options: MigrateOptions, command: Command) => {
      const { migrate } = await import('./admin-migrate-action.ts');
      await migrate(options, command, output);
    });
}
