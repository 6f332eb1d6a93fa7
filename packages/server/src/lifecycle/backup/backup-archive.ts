import { createHash, type Hash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { StoredObject } from '../../artifacts/artifact-store.ts';
import { CairnError, errorMessage } from '../../errors.ts';
import { COPY_TABLES } from '../rows/copy-tables.ts';
import type { Row } from '../rows/row-values.ts';
import { ArchiveReadError, ArchiveReader, TarFormatError } from './archive-reader.ts';
import {
  type BackupManifest,
  MANIFEST_PATH,
  type ManifestObject,
  type ManifestTable,
  METADATA_PREFIX,
  manifestProblem,
  objectEntryPath,
  tableEntryPath,
} from './backup-manifest.ts';

/**
 * A backup archive whose manifest has been read and whose entries all exist with the recorded sizes.
 * It holds the file open until `close`.
 */
export class BackupArchive {
  readonly file: string;
  readonly manifest: BackupManifest;
  readonly #reader: ArchiveReader;
  /** The SHA-256 of each table's file, computed as the archive was opened. */
  readonly #tableDigests: ReadonlyMap<string, string>;

  private constructor(
    file: string,
    reader: ArchiveReader,
    manifest: BackupManifest,
    tableDigests: ReadonlyMap<string, string>,
  ) {
    this.file = file;
    this.#reader = reader;
    this.manifest = manifest;
    this.#tableDigests = tableDigests;
  }

  /**
   * Opens the archive and checks its structure in one read of the file, which also hashes the tables'
   * files and keeps the manifest (objects are only passed over): a file that is not a Cairn backup, or
   * one cut short, is refused before anything else happens. Throws CONFIG_INVALID for a missing file and
   * BACKUP_INVALID for anything else wrong with it.
   */
  static async open(file: string): Promise<BackupArchive> {
    const info = await stat(file).catch(() => undefined);
    if (info === undefined) throw new CairnError('CONFIG_INVALID', `${file} does not exist`);
    if (!info.isFile()) throw new CairnError('CONFIG_INVALID', `${file} is not a file`);
    const hashes = new Map<string, Hash>();
    let manifestChunks: Buffer[] = [];
    let reader: ArchiveReader;
    try {
      // A later entry of the same path replaces an earlier one, as for any tar reader.
      reader = await ArchiveReader.open(file, (entry) => {
        if (entry.path === MANIFEST_PATH) {
          manifestChunks = [];
          return (chunk) => manifestChunks.push(chunk);
        }
        if (!entry.path.startsWith(METADATA_PREFIX)) return undefined;
        const hash = createHash('sha256');
        hashes.set(entry.path, hash);
        return (chunk) => hash.update(chunk);
      });
    } catch (error) {
      if (error instanceof TarFormatError) throw invalid(file, `is not a Cairn backup: ${error.message}`);
      throw readFailed(error);
    }
    try {
      const manifest = readManifest(file, reader, manifestChunks);
      const digests = new Map([...hashes].map(([entryPath, hash]) => [entryPath, hash.digest('hex')]));
      const archive = new BackupArchive(file, reader, manifest, digests);
      archive.#checkEntries();
      return archive;
    } catch (error) {
      await reader.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#reader.close();
  }

  /**
   * Compares each table file's SHA-256 with the manifest's, so damaged metadata is found before a restore
   * touches the target. (Objects are checked as they are stored, against the digest the store computes as
   * it writes; hashing them here too would read them all twice.)
   */
  verifyTables(): void {
    for (const table of this.manifest.tables) {
      const entryPath = tableEntryPath(table.name);
      const sha256 = this.#tableDigests.get(entryPath);
      if (sha256 !== table.sha256) {
        throw invalid(
          this.file,
          `is damaged: the SHA-256 of ${entryPath} (table ${table.name}) is ${sha256}, but ` +
            `the manifest records ${table.sha256}`,
        );
      }
    }
  }

  /** The table's rows in file order, after skipping the first `skip`. */
  async *rows(table: ManifestTable, skip = 0): AsyncGenerator<Row> {
    let index = 0;
    for await (const line of lines(this.#reader.read(this.#tableEntry(table)))) {
      if (index++ < skip) continue;
      try {
        yield JSON.parse(line) as Row;
      } catch (error) {
        throw invalid(
          this.file,
          `is damaged: line ${index} of ${tableEntryPath(table.name)} is not JSON`,
          error,
        );
      }
    }
  }

  /** The object's bytes, as the archive holds them; see `checkStored`. */
  async *objectBody(object: ManifestObject): AsyncGenerator<Buffer> {
    try {
      yield* this.#reader.read(this.#objectEntry(object));
    } catch (error) {
      if (error instanceof TarFormatError) throw invalid(this.file, `is damaged: ${error.message}`, error);
      if (error instanceof ArchiveReadError) throw readFailed(error);
      throw error;
    }
  }

  /** Throws BACKUP_INVALID unless what a store wrote from `objectBody` is the object the manifest lists. */
  checkStored(object: ManifestObject, stored: StoredObject): void {
    if (stored.size !== object.size || stored.sha256 !== object.sha256) {
      throw objectDamaged(this.file, object, `${stored.size} bytes with SHA-256 ${stored.sha256}`);
    }
  }

  #checkEntries(): void {
    // Rows are loaded in the manifest's order, which must therefore put parents first.
    const order = COPY_TABLES.map((table) => table.name as string);
    let previous = -1;
    for (const table of this.manifest.tables) {
      const position = order.indexOf(table.name);
      if (position === -1) throw invalid(this.file, `lists a table "${table.name}" that Cairn does not have`);
      if (position <= previous) {
        throw invalid(this.file, `lists table "${table.name}" twice or out of dependency order`);
      }
      previous = position;
      const entry = this.#tableEntry(table);
      if (entry.size !== table.bytes) {
        throw invalid(
          this.file,
          `is damaged: ${entry.path} holds ${entry.size} bytes, the manifest records ${table.bytes}`,
        );
      }
    }
    for (const object of this.manifest.objects) {
      const entry = this.#objectEntry(object);
      if (entry.size !== object.size) {
        throw objectDamaged(this.file, object, `${entry.size} bytes`);
      }
    }
  }

  #tableEntry(table: ManifestTable) {
    const entry = this.#reader.entries.get(tableEntryPath(table.name));
    if (entry === undefined) throw invalid(this.file, `is damaged: it has no ${tableEntryPath(table.name)}`);
    return entry;
  }

  #objectEntry(object: ManifestObject) {
    const entry = this.#reader.entries.get(objectEntryPath(object.key));
    if (entry === undefined) throw invalid(this.file, `is damaged: it has no ${objectEntryPath(object.key)}`);
    return entry;
  }
}

/** The manifest, from the bytes of its entry, or why the file is not a Cairn backup. */
function readManifest(file: string, reader: ArchiveReader, chunks: Buffer[]): BackupManifest {
  if (!reader.entries.has(MANIFEST_PATH)) {
    throw invalid(file, `is not a Cairn backup: it has no ${MANIFEST_PATH}`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw invalid(file, `is not a Cairn backup: its ${MANIFEST_PATH} is not JSON (${errorMessage(error)})`);
  }
  const problem = manifestProblem(manifest);
  if (problem !== undefined) throw invalid(file, `is not a Cairn backup: its ${MANIFEST_PATH} ${problem}`);
  return manifest as BackupManifest;
}

/** A failure to read the file, which says nothing of its contents: ArchiveReadError names both. */
function readFailed(error: unknown): CairnError {
  return new CairnError('CONFIG_INVALID', errorMessage(error), { cause: error });
}

function invalid(file: string, problem: string, cause?: unknown): CairnError {
  return new CairnError('BACKUP_INVALID', `${file} ${problem}`, cause === undefined ? undefined : { cause });
}

function objectDamaged(file: string, object: ManifestObject, found: string): CairnError {
  return invalid(
    file,
    `is damaged: object ${JSON.stringify(object.key)} holds ${found}, but the manifest records ` +
      `${object.size} bytes with SHA-256 ${object.sha256}`,
  );
}

/** Splits UTF-8 bytes into lines (without their `\n`), decoding only whole lines. */
async function* lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const data = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    const end = data.lastIndexOf(0x0a);
    if (end === -1) {
      rest = data;
      continue;
    }
    const text = data.subarray(0, end).toString('utf8');
    rest = Buffer.from(data.subarray(end + 1));
    for (const line of text.split('\n')) yield line;
  }
  if (rest.length > 0) yield rest.toString('utf8');
}
