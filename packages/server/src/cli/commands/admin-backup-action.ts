import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { type RestoreEvent, restoreBackup } from '../../lifecycle/backup/restore-backup.ts';
import { type BackupProgress, writeBackup } from '../../lifecycle/backup/write-backup.ts';
import type { Output } from '../output.ts';
import { withStores } from '../with-stores.ts';

export interface BackupCommandOptions {
  out: string;
  force?: boolean;
}

export interface RestoreCommandOptions {
  force?: boolean;
}

function actorName(): string | null {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry for this uid (common in containers).
    return process.env.USER ?? null;
  }
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

function seconds(sinceMs: number): string {
  return `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;
}

function backupPrinter(output: Output): (event: BackupProgress) => void {
  return (event) => {
    switch (event.kind) {
      case 'snapshot':
        output.out(`snapshot taken at schema version ${event.schemaVersion}`);
        return;
      case 'rows':
        output.out(`  ${event.table}: ${event.rows} rows so far`);
        return;
      case 'table':
        output.out(`  ${event.table}: ${event.rows} rows`);
        return;
      case 'objects':
        output.out(`  objects: ${event.objects} (${formatBytes(event.bytes)})`);
    }
  };
}

export async function backup(options: BackupCommandOptions, command: Command, output: Output): Promise<void> {
  const file = path.resolve(options.out);
  const started = Date.now();
  await withStores(command, async (handle, store, where) => {
    output.out(`backing up ${where} to ${file}`);
    const summary = await writeBackup({
      db: handle.db,
      dialect: handle.dialect,
      location: handle.location,
      store,
      file,
      replace: options.force === true,
      actor: actorName(),
      onProgress: backupPrinter(output),
    });
    const rows = summary.manifest.tables.reduce((sum, table) => sum + table.rows, 0);
    output.out(
      `backup ${summary.manifest.backup_id} written to ${file}: ${rows} rows in ` +
        `${summary.manifest.tables.length} tables, ${summary.manifest.objects.length} objects, ` +
        `${formatBytes(summary.bytes)} in ${seconds(started)}`,
    );
    if (summary.auditProblem !== undefined) output.err(`cairn: warning: ${summary.auditProblem}`);
  });
}

function restorePrinter(output: Output): (event: RestoreEvent) => void {
  return (event) => {
    switch (event.kind) {
      case 'opened': {
        const { manifest } = event;
        output.out(
          `backup ${manifest.backup_id}: Cairn ${manifest.cairn_version}, schema version ` +
            `${manifest.schema_version}, taken ${manifest.snapshot_at} from ${manifest.source.dialect}`,
        );
        return;
      }
      case 'resuming': {
        const { progress } = event;
        output.out(
          `resuming the unfinished restore of this backup (${progress.phase}: ${progress.objects_done} ` +
            `objects stored, ${progress.tables_done} tables loaded)`,
        );
        return;
      }
      case 'discarded':
        output.out(`discarded the unfinished restore of backup ${event.backupId} (--force)`);
        return;
      case 'migration':
        output.out(`  ${event.direction === 'up' ? 'applying' : 'reverting'} ${event.name}`);
        return;
      case 'rewrite':
        output.out(`artifact URIs under ${event.rewrite.from} are rewritten to ${event.rewrite.to}`);
        return;
      case 'objects':
        output.out(`  objects: ${event.done}/${event.total}`);
        return;
      case 'rows':
        output.out(`  loading ${event.table}: ${event.done}/${event.total} rows`);
        return;
      case 'table':
        output.out(`  loaded ${event.table}: ${event.rows} rows`);
        return;
      case 'migrated':
        output.out(`schema is at version ${event.schemaVersion}`);
    }
  };
}

export async function restore(
  file: string,
  options: RestoreCommandOptions,
  command: Command,
  output: Output,
): Promise<void> {
  const archive = path.resolve(file);
  const started = Date.now();
  await withStores(command, async (handle, store, where) => {
    output.out(`restoring ${archive} into ${where}`);
    const summary = await restoreBackup({
      db: handle.db,
      dialect: handle.dialect,
      location: handle.location,
      store,
      file: archive,
      force: options.force === true,
      actor: actorName(),
      onProgress: restorePrinter(output),
    });
    output.out(`backup ${summary.manifest.backup_id} restored in ${seconds(started)}`);
  });
}
