import type { Command } from 'commander';
import type { CliContext } from '../output.ts';

export function registerAdminStatus(admin: Command, context: CliContext): void {
  admin
    .command('status')
    .description(
      'Report the code version, the database schema version, pending migrations and whether both stores answer. ' +
        'Exits 1 when a store is unreachable or the database was written by a newer or different Cairn.',
    )
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (options: { output: string }, command: Command) => {
      const { reportStatus } = await import('./admin-status-action.ts');
      await reportStatus(options, command, context);
    });
}
