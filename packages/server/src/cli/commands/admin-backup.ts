import type { Command } from 'commander';
import { withExamples } from '../format/examples.ts';
import type { CliContext } from '../output.ts';
import type { BackupCommandOptions, RestoreCommandOptions } from './admin-backup-action.ts';

export function registerAdminBackup(admin: Command, { output }: CliContext): void {
  const backupCommand = admin
    .command('backup')
    .description(
      'Write one archive (a tar file) of both stores: a manifest (Cairn and schema versions, row counts and ' +
        'SHA-256 of every table and object), the metadata as dialect-neutral rows, and the artifact store ' +
        'objects. The rows are one consistent snapshot, so a backup may be taken while runs are active: they ' +
        'resume after a restore. Recorded in lifecycle_audit.',
    )
    .requiredOption('--out <file>', 'the archive to write')
    .option('--force', 'replace the file if it exists');
  withExamples(backupCommand, [
    'cairn admin backup --out cairn-backup.tar',
    'cairn admin backup --out /backups/cairn.tar --db postgres://cairn@db/cairn --artifacts s3://mlpipeline',
  ]).action(async (options: BackupCommandOptions, cmd: Command) => {
    const { backup } = await import('./admin-backup-action.ts');
    await backup(options, cmd, output);
  });

  const restoreCommand = admin
    .command('restore')
    .description(
      'Restore a backup into an empty database (any dialect) and an artifact store: migrate it to the ' +
        "backup's schema, store the objects and load the rows (checking every size and SHA-256), then migrate " +
        'to the newest schema this Cairn knows. Artifact URIs under the old store are rewritten to the new. ' +
        'A restore that stopped (killed, or a damaged archive) is resumed by running it again; a database ' +
        'holding anything else is refused. Recorded in lifecycle_audit.',
    )
    .argument('<file>', 'the archive written by cairn admin backup')
    .option('--force', 'discard an unfinished restore found in the database and start over');
  withExamples(restoreCommand, [
    'cairn admin restore cairn-backup.tar --db sqlite:///var/lib/cairn/metadata.sqlite',
    'cairn admin restore cairn-backup.tar --db mysql://cairn@db/cairn --artifacts s3://mlpipeline',
  ]).action(async (file: string, options: RestoreCommandOptions, cmd: Command) => {
    const { restore } = await import('./admin-backup-action.ts');
    await restore(file, options, cmd, output);
  });
}
