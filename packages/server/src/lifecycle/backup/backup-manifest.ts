/**
 * `manifest.json`, the last entry of a backup archive: what the archive holds and how to check it.
 *
 * The archive (a POSIX tar file):
 *   metadata/<table>.jsonl   one JSON object per row, neutral values (see rows/row-values.ts), tables in
 *                            dependency order and rows in key order (see rows/copy-tables.ts)
 *   metadata/<table>.<n>.jsonl
 *                            the table's rows continued, parts 2 to `parts` (format 2): a large table is
 *                            split so that each part is gathered in memory, its size known for its tar
 *                            header, instead of spooled to a file and copied
 *   objects/<key>            each object of the artifact store, under its key
 *   manifest.json            this file; last, because it records the checksums of everything before it
 */
import type { DialectName } from '../../store/dialects/store-dialect.ts';

export const BACKUP_FORMAT = 'cairn-backup';
/** 2: tables in parts. A reader of format 1 refuses a format 2 archive as newer than it reads. */
export const BACKUP_FORMAT_VERSION = 2;
export const MANIFEST_PATH = 'manifest.json';

/** Where the tables' files are in the archive. */
export const METADATA_PREFIX = 'metadata/';

/** Where part `part` (from 1) of a table's rows is in the archive. */
export function tableEntryPath(table: string, part = 1): string {
  return part === 1 ? `${METADATA_PREFIX}${table}.jsonl` : `${METADATA_PREFIX}${table}.${part}.jsonl`;
}

/** The entries of a table's rows, in order. */
export function tableEntryPaths(table: ManifestTable): string[] {
  return Array.from({ length: table.parts ?? 1 }, (_, index) => tableEntryPath(table.name, index + 1));
}

/** The table and part an entry path under `metadata/` holds, or undefined for any other path. */
export function tablePartOf(entryPath: string): { table: string; part: number } | undefined {
  const match = /^metadata\/([a-z_]+)(?:\.([2-9]|[1-9][0-9]+))?\.jsonl$/.exec(entryPath);
  if (match === null) return undefined;
  return { table: match[1] as string, part: match[2] === undefined ? 1 : Number(match[2]) };
}

export function objectEntryPath(key: string): string {
  return `objects/${key}`;
}

export interface ManifestMigration {
  version: number;
  name: string;
  checksum: string;
}

export interface ManifestTable {
  name: string;
  rows: number;
  /** Size and SHA-256 of its rows' file: its parts, one after the other. */
  bytes: number;
  sha256: string;
  /** The entries the file is split into (see `tableEntryPaths`); absent in format 1, where it is one. */
  parts?: number;
}

export interface ManifestObject {
  key: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  format_version: number;
  /** Identifies the backup; a restore records it, and resumes only a restore of the same backup. */
  backup_id: string;
  /** The Cairn that wrote the backup. */
  cairn_version: string;
  /** The schema the rows are in: restore migrates a target to it, loads them, then migrates on. */
  schema_version: number;
  /** The migrations that made that schema, as the source's history records them. */
  migrations: ManifestMigration[];
  /** When the metadata snapshot was taken (ISO 8601). */
  snapshot_at: string;
  /** When the archive was complete. */
  created_at: string;
  source: {
    dialect: DialectName;
    /** The artifact store's URL, which artifact URIs in the rows start with; restore rewrites them. */
    artifact_store: string;
  };
  /** In load order, parents first. */
  tables: ManifestTable[];
  /** What the objects are, relative to the metadata snapshot. */
  objects_taken: string;
  /** Keys listed in the store that were gone (deleted after the snapshot) when their turn came. */
  objects_vanished: number;
  objects: ManifestObject[];
}

/** Why objects written after the snapshot may be in a backup, and why that is harmless. */
export const OBJECTS_TAKEN =
  'every object in the artifact store when the listing ran, which began after the metadata snapshot. ' +
  'Cairn stores an object before it writes the rows that reference it, and deletes objects only for ' +
  'tasks still running (their superseded outputs and log chunks), so every object a finished task of ' +
  'the snapshot references is included. Objects written after the snapshot may be included too; no ' +
  'row of the snapshot references them, and tasks that were running rerun after a restore and write ' +
  'their outputs again.';

/**
 * The manifest as text, one table or object per line: readable and diffable by a person, and written in
 * pieces, since a store of a million objects makes a manifest of a hundred megabytes.
 */
export function* manifestChunks(manifest: BackupManifest): Generator<Buffer> {
  const { tables, objects, ...fields } = manifest;
  const head = JSON.stringify(fields, null, 2).replace(/\n}$/, '');
  yield Buffer.from(`${head},\n  "tables": [${listLines(tables)}],\n  "objects": [`);
  for (let start = 0; start < objects.length; start += 1000) {
    const lines = objects.slice(start, start + 1000).map((object) => `\n    ${JSON.stringify(object)}`);
    yield Buffer.from(`${start > 0 ? ',' : ''}${lines.join(',')}`);
  }
  yield Buffer.from(`${objects.length > 0 ? '\n  ' : ''}]\n}\n`);
}

function listLines(items: readonly object[]): string {
  if (items.length === 0) return '';
  return `${items.map((item) => `\n    ${JSON.stringify(item)}`).join(',')}\n  `;
}

/**
 * The manifest's problem, phrased to follow "the manifest", or undefined when it has every field a
 * restore reads, with the right types.
 */
export function manifestProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'is not a JSON object';
  const manifest = value as Record<string, unknown>;
  if (manifest.format !== BACKUP_FORMAT) return `does not say "format": "${BACKUP_FORMAT}"`;
  if (typeof manifest.format_version !== 'number') return 'has no format_version';
  if (manifest.format_version > BACKUP_FORMAT_VERSION) {
    return `is of format version ${manifest.format_version}, newer than the ${BACKUP_FORMAT_VERSION} this Cairn reads`;
  }
  const strings = ['backup_id', 'cairn_version', 'snapshot_at', 'created_at'] as const;
  for (const field of strings) if (typeof manifest[field] !== 'string') return `has no ${field}`;
  if (!Number.isInteger(manifest.schema_version)) return 'has no schema_version';
  const source = manifest.source as Record<string, unknown> | undefined;
  if (typeof source?.dialect !== 'string' || typeof source.artifact_store !== 'string')
    return 'has no source';
  const lists = {
    migrations: ['version', 'name', 'checksum'],
    tables: ['name', 'rows', 'bytes', 'sha256'],
    objects: ['key', 'size', 'sha256'],
  } as const;
  for (const [list, fields] of Object.entries(lists)) {
    const items = manifest[list];
    if (!Array.isArray(items)) return `has no ${list} list`;
    for (const item of items) {
      if (typeof item !== 'object' || item === null || fields.some((field) => !(field in item))) {
        return `lists ${list} without ${fields.join(', ')}`;
      }
    }
  }
  for (const table of manifest.tables as Record<string, unknown>[]) {
    const { parts } = table;
    if (parts !== undefined && !(Number.isSafeInteger(parts) && (parts as number) >= 1)) {
      return `gives table ${JSON.stringify(table.name)} ${JSON.stringify(parts)} parts, where a whole number from 1 was expected`;
    }
  }
  return undefined;
}
