import { CairnError } from '../../errors.ts';
import type { Migration } from './migration.ts';
import type { HistoryRow } from './schema-history.ts';

export interface ChecksumMismatch {
  row: HistoryRow;
  codeChecksum: string;
}

/** How the database's recorded schema compares with the migrations this code knows. */
export interface SchemaStatus {
  codeVersion: string;
  /** The newest schema version this code knows. */
  codeSchemaVersion: number;
  /** The newest migration recorded in the database (0 for a new database). */
  databaseSchemaVersion: number;
  applied: HistoryRow[];
  /** Known migrations the database has not recorded, oldest first. */
  pending: Migration[];
  /** Recorded migrations this code does not know: the database was written by a newer Cairn. */
  unknown: HistoryRow[];
  checksumMismatches: ChecksumMismatch[];
  /** Migrations a crash left half-done (only possible where DDL is not transactional). */
  interrupted: HistoryRow[];
}

export function compareSchema(
  history: HistoryRow[],
  migrations: readonly Migration[],
  codeVersion: string,
): SchemaStatus {
  const known = new Map(migrations.map((migration) => [migration.version, migration]));
  const recorded = new Set(history.map((row) => row.version));
  const unknown = history.filter((row) => known.get(row.version)?.name !== row.name);
  const checksumMismatches = history.flatMap((row) => {
    const migration = known.get(row.version);
    return migration && migration.name === row.name && migration.checksum !== row.checksum
      ? [{ row, codeChecksum: migration.checksum }]
      : [];
  });
  return {
    codeVersion,
    codeSchemaVersion: migrations.at(-1)?.version ?? 0,
    databaseSchemaVersion: history.at(-1)?.version ?? 0,
    applied: history.filter((row) => row.state === 'applied'),
    pending: migrations.filter((migration) => !recorded.has(migration.version)),
    unknown,
    checksumMismatches,
    interrupted: history.filter((row) => row.state !== 'applied'),
  };
}

/**
 * The reason this code must not use or migrate the database, or undefined when it may migrate it.
 * A database written by a newer Cairn, or one whose history disagrees with the code, is never touched.
 */
export function incompatibility(status: SchemaStatus): CairnError | undefined {
  const newest = status.unknown.at(-1);
  if (newest) {
    return new CairnError(
      'SCHEMA_NEWER_THAN_CODE',
      `the database's schema is at version ${status.databaseSchemaVersion} (migration "${newest.name}", ` +
        `applied by Cairn ${newest.cairn_version}), which this Cairn ${status.codeVersion} does not know; ` +
        `it knows schema versions up to ${status.codeSchemaVersion}. Run Cairn ${newest.cairn_version} or later ` +
        `against this database, or first downgrade its schema with that release ` +
        `('cairn admin migrate --to ${status.codeSchemaVersion}').`,
    );
  }
  const mismatch = status.checksumMismatches[0];
  if (mismatch) {
    return new CairnError(
      'SCHEMA_CHECKSUM_MISMATCH',
      `migration "${mismatch.row.name}" was applied by Cairn ${mismatch.row.cairn_version} with checksum ` +
        `${mismatch.row.checksum.slice(0, 12)}, but this Cairn ${status.codeVersion} has different code under that ` +
        `name (checksum ${mismatch.codeChecksum.slice(0, 12)}). Released migrations are never edited, so this ` +
        `code is not a release that matches the database: run Cairn ${mismatch.row.cairn_version}, or report a bug.`,
    );
  }
  const gap = status.pending.find((migration) => migration.version < status.databaseSchemaVersion);
  if (gap) {
    return new CairnError(
      'SCHEMA_UNKNOWN_MIGRATION',
      `the database records schema version ${status.databaseSchemaVersion} but not the earlier migration ` +
        `"${gap.name}"; its history was altered by hand. Restore it from a backup.`,
    );
  }
  return undefined;
}

/** Throws unless the database is exactly at the schema this code was written for. */
export function assertSchemaCurrent(status: SchemaStatus): void {
  const blocking = incompatibility(status);
  if (blocking) throw blocking;
  const interrupted = status.interrupted[0];
  if (interrupted) {
    throw new CairnError(
      'SCHEMA_NOT_CURRENT',
      `migration "${interrupted.name}" was interrupted while ${interrupted.state} ` +
        `(started ${new Date(interrupted.started_at).toISOString()}); run 'cairn admin migrate' to finish it`,
    );
  }
  if (status.pending.length > 0) {
    throw new CairnError(
      'SCHEMA_NOT_CURRENT',
      `the database's schema is at version ${status.databaseSchemaVersion} and this Cairn ${status.codeVersion} ` +
        `needs version ${status.codeSchemaVersion}; run 'cairn admin upgrade' (or start with --auto-upgrade) to apply ` +
        `${status.pending.length} pending migration(s): ${status.pending.map((m) => m.name).join(', ')}`,
    );
  }
}
