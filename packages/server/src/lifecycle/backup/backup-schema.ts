import { CairnError } from '../../errors.ts';
import { MIGRATIONS } from '../../store/migrations/index.ts';
import type { SchemaStatus } from '../../store/migrator/schema-status.ts';
import { incompatibility } from '../../store/migrator/schema-status.ts';
import type { ManifestMigration } from './backup-manifest.ts';

/**
 * The oldest schema a backup is taken at: the first release's. From it on, `lifecycle_audit` exists, where
 * a restore keeps its progress (see `restore-marker.ts`).
 */
export const MIN_BACKUP_SCHEMA_VERSION = 7;

/** Throws unless the source's schema is one this code knows, complete, and not older than the minimum. */
export function checkSourceSchema(status: SchemaStatus): void {
  const blocking = incompatibility(status);
  if (blocking) throw blocking;
  const interrupted = status.interrupted[0];
  if (interrupted) {
    throw new CairnError(
      'SCHEMA_NOT_CURRENT',
      `migration "${interrupted.name}" was interrupted while ${interrupted.state}; run 'cairn admin migrate' ` +
        'to finish it before taking a backup',
    );
  }
  if (status.databaseSchemaVersion < MIN_BACKUP_SCHEMA_VERSION) {
    throw new CairnError(
      'SCHEMA_NOT_CURRENT',
      `the database's schema is at version ${status.databaseSchemaVersion}; backups start at version ` +
        `${MIN_BACKUP_SCHEMA_VERSION} (Cairn's first release): run 'cairn admin migrate' first`,
    );
  }
}

/**
 * Throws unless this code can restore rows of the backup's schema: each migration the backup records
 * must be one this code has, unchanged. A backup from a newer Cairn is refused with what to run instead.
 */
export function checkBackupSchema(
  backup: { cairnVersion: string; schemaVersion: number; migrations: readonly ManifestMigration[] },
  codeVersion: string,
): void {
  const known = new Map(MIGRATIONS.map((migration) => [migration.version, migration]));
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  const unknown = backup.migrations.find((recorded) => known.get(recorded.version)?.name !== recorded.name);
  if (backup.schemaVersion > latest || unknown !== undefined) {
    throw new CairnError(
      'SCHEMA_NEWER_THAN_CODE',
      `the backup was taken by Cairn ${backup.cairnVersion} at schema version ${backup.schemaVersion}` +
        `${unknown ? ` (migration "${unknown.name}")` : ''}, which this Cairn ${codeVersion} does not know; ` +
        `it knows schema versions up to ${latest}. Restore it with Cairn ${backup.cairnVersion} or later.`,
    );
  }
  const changed = backup.migrations.find(
    (recorded) => known.get(recorded.version)?.checksum !== recorded.checksum,
  );
  if (changed !== undefined) {
    throw new CairnError(
      'SCHEMA_CHECKSUM_MISMATCH',
      `the backup's schema includes migration "${changed.name}" with checksum ${changed.checksum.slice(0, 12)}, ` +
        `but this Cairn ${codeVersion} has different code under that name; restore it with Cairn ${backup.cairnVersion}`,
    );
  }
  const versions = backup.migrations.map((migration) => migration.version);
  const expected = MIGRATIONS.filter((migration) => migration.version <= backup.schemaVersion).map(
    (migration) => migration.version,
  );
  if (backup.schemaVersion < MIN_BACKUP_SCHEMA_VERSION || versions.join() !== expected.join()) {
    throw new CairnError(
      'BACKUP_INVALID',
      `the backup's manifest records schema version ${backup.schemaVersion} with migrations ` +
        `${versions.join(', ') || 'none'}; expected migrations ${expected.join(', ')} (from version ` +
        `${MIN_BACKUP_SCHEMA_VERSION} on)`,
    );
  }
}
