import type { Command } from 'commander';
import { CairnError } from '../../errors.ts';
import { connectDatabase } from '../../store/connect-database.ts';
import { describeDatabase } from '../../store/database-url.ts';
import { mysqlDialect } from '../../store/dialects/mysql-dialect.ts';
import { postgresDialect } from '../../store/dialects/postgres-dialect.ts';
import { sqliteDialect } from '../../store/dialects/sqlite-dialect.ts';
import { Migrator, type StepSql, sqlFromScratch } from '../../store/migrator/migrator.ts';
import { configFrom } from '../command-config.ts';
import type { Output } from '../output.ts';

const DIALECTS = { sqlite: sqliteDialect, mysql: mysqlDialect, postgres: postgresDialect } as const;
export type DialectName = keyof typeof DIALECTS;
export type DialectChoice = DialectName | 'all';

export interface MigrateOptions {
  to?: number;
  dryRun?: boolean;
  dialect?: DialectChoice;
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

export async function migrate(options: MigrateOptions, command: Command, output: Output): Promise<void> {
  if (options.dialect) {
    if (!options.dryRun || options.to !== undefined) {
      throw new CairnError(
        'CONFIG_INVALID',
        'option --dialect prints every migration of a dialect from an empty database; use it with --dry-run and without --to',
      );
    }
    const names = options.dialect === 'all' ? (Object.keys(DIALECTS) as DialectName[]) : [options.dialect];
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
