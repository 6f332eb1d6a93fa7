import { type Command, InvalidArgumentError } from 'commander';
import { CairnError } from '../../errors.ts';
import { connectDatabase } from '../../store/connect-database.ts';
import { describeDatabase } from '../../store/database-url.ts';
import { mysqlDialect } from '../../store/dialects/mysql-dialect.ts';
import { postgresDialect } from '../../store/dialects/postgres-dialect.ts';
import { sqliteDialect } from '../../store/dialects/sqlite-dialect.ts';
import { Migrator, type StepSql, sqlFromScratch } from '../../store/migrator/migrator.ts';
import { configFrom } from '../config-options.ts';
import type { CliContext, Output } from '../output.ts';

const DIALECTS = { sqlite: sqliteDialect, mysql: mysqlDialect, postgres: postgresDialect } as const;
type DialectChoice = keyof typeof DIALECTS | 'all';

interface MigrateOptions {
  to?: number;
  dryRun?: boolean;
  dialect?: DialectChoice;
}

function parseVersion(value: string): number {
  if (!/^\d+$/.test(value))
    throw new InvalidArgumentError(`expected a schema version number, got "${value}"`);
  return Number(value);
}

function parseDialect(value: string): DialectChoice {
  if (value === 'all' || value in DIALECTS) return value as DialectChoice;
  throw new InvalidArgumentError(`expected sqlite, mysql, postgres or all, got "${value}"`);
}

function printSql(steps: StepSql[], output: Output): void {
  if (steps.length === 0) output.out('-- nothing to do: the schema is already at the target version');
  for (const step of steps) {
    output.out(`-- ${step.name} (${step.direction})`);
    for (const statement of step.statements) {
      output.out(`${statement.sql};`);
      if (statement.parameters.length > 0)
        output.out(`-- parameters: ${JSON.stringify(statement.parameters)}`);
    }
  }
}

async function run(options: MigrateOptions, command: Command, output: Output): Promise<void> {
  if (options.dialect) {
    if (!options.dryRun || options.to !== undefined) {
      throw new CairnError(
        'CONFIG_INVALID',
        'option --dialect prints every migration of a dialect from an empty database; use it with --dry-run and without --to',
      );
    }
    const names =
      options.dialect === 'all' ? (Object.keys(DIALECTS) as (keyof typeof DIALECTS)[]) : [options.dialect];
    for (const name of names) {
      output.out(`-- dialect: ${name}`);
      printSql(await sqlFromScratch(DIALECTS[name]), output);
    }
    return;
  }
  const config = configFrom(command);
  const handle = await connectDatabase(config.db.value);
  try {
    const migrator = new Migrator({
      db: handle.db,
      dialect: handle.dialect,
      onProgress: ({ phase, step }) => {
        if (phase === 'start') {
          const verb = step.direction === 'up' ? 'applying' : 'reverting';
          output.out(`${step.resume ? 'resuming' : verb} ${step.migration.name}`);
        }
      },
    });
    if (options.dryRun) {
      output.out(`-- database: ${describeDatabase(config.db.value)}`);
      printSql(await migrator.plannedSql(options.to), output);
      return;
    }
    const outcome = await migrator.migrateTo(options.to);
    if (outcome.error) throw outcome.error;
    const done = outcome.results.filter((result) => result.status === 'done');
    const took = done.reduce((sum, result) => sum + result.durationMs, 0);
    const status = await migrator.status();
    output.out(
      `schema is at version ${status.databaseSchemaVersion} (${describeDatabase(config.db.value)}); ` +
        `${done.length} migration step(s) run in ${took} ms`,
    );
  } finally {
    await handle.close();
  }
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
    .action((options: MigrateOptions, command: Command) => run(options, command, output));
}
