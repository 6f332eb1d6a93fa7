import type { Command } from 'commander';
import { withExamples } from '../format/examples.ts';
import type { CliContext } from '../output.ts';
import type { MigrateStorageOptions } from './admin-migrate-storage-action.ts';

export function registerAdminMigrateStorage(admin: Command, { output }: CliContext): void {
  const command = admin
    .command('migrate-storage')
    .description(
      'Move the deployment (the stores --db and --artifacts name) to another database and artifact store: ' +
        'SQLite, MySQL/MariaDB or PostgreSQL to any other, a folder to S3 or back, or both at once.\n\n' +
        'Nothing in the source is changed. Stop every Cairn process that uses it first: its rows are read in ' +
        'one read-only snapshot, and the move ends by comparing both sides, so a write made meanwhile fails ' +
        'the move instead of going missing.\n\n' +
        "The target database must be empty. It is migrated to the source's schema version, then the rows are " +
        'copied in batches, parents first, and the objects streamed into an empty store with their SHA-256 ' +
        "checked. Artifact URIs under the old store's URL are rewritten to the new one's. Without " +
        '--to-artifacts the objects stay where they are and only the metadata moves.\n\n' +
        "Progress is checkpointed in the target's lifecycle_audit with every batch: a move that stopped " +
        '(killed, a lost connection) is resumed by running the same command again, and a finished one is not ' +
        'repeated.\n\n' +
        'At the end every table is compared (row counts and a digest of every row), every object copied (size ' +
        "and SHA-256), and 'cairn admin verify' runs on the target, which must find no problem the source " +
        'lacks (objects left where they were are checked by size, not read again). ' +
        'Then the configuration of the new stores is printed, and written with --write-config.',
    )
    .requiredOption('--to-db <url>', 'the target database: sqlite:///path, mysql://..., postgres://...')
    .option(
      '--to-artifacts <url>',
      'the target artifact store: file:///path or s3://bucket/prefix?endpoint=... (default: keep the source store)',
    )
    .option('--write-config <file>', "write the new configuration there, as cairn.yaml's keys")
    .option('--force', 'replace the --write-config file if it exists')
    .option(
      '--no-hash',
      'compare objects by size only at the end, and verify without reading them (faster, weaker)',
    );
  withExamples(command, [
    'cairn admin migrate-storage --to-db postgres://cairn:secret@db:5432/cairn --write-config cairn.yaml',
    'cairn admin migrate-storage --to-db mysql://cairn@db/cairn --to-artifacts "s3://mlpipeline/v2?endpoint=http://minio:9000&forcePathStyle=true"',
    'cairn admin migrate-storage --db postgres://db/cairn --artifacts s3://mlpipeline --to-db sqlite:///srv/cairn/metadata.sqlite --to-artifacts /srv/cairn/artifacts',
  ]).action(async (options: MigrateStorageOptions, cmd: Command) => {
    const { migrateStorage } = await import('./admin-migrate-storage-action.ts');
    await migrateStorage(options, cmd, output);
  });
}
