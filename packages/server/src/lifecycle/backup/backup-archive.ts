import { createHash, type Hash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { StoredObject } from '../../artifacts/artifact-store.ts';
import { CairnError, errorMessage } from '../../errors.ts';
import { COPY_TABLES } from '../rows/copy-tables.ts';
import type { Row } from '../rows/row-values.ts';
import { type ArchiveEntry, ArchiveReadError, ArchiveReader, TarFormatError } from './archive-reader.ts';
import {
  type BackupManifest,
  MANIFEST_PATH,
  type ManifestObject,
  type ManifestTable,
  manifestProblem,
  objectEntryPath,
  tableEntryPaths,
  tablePartOf,
} from './backup-manifest.ts';

/** A table's rows' file as the archive's scan hashed it, part after part. */
interface TableDigest<H = string> {
  /** The hash, being computed (a Hash) or done (its hex digest). */
  readonly hash: H;
  /** The parts hashed, 1 to `parts`. */
  parts: number;
  /** Every part came after the one before it. */
  inOrder: boolean;
}

/**
 * A backup archive whose manifest has been read and whose entries all exist with the recorded sizes.
 * It holds the file open until `close`.
 */
export class BackupArchive {
  readonly file: string;
  readonly manifest: BackupManifest;
  readonly #reader: ArchiveReader;
  /** The SHA-256 of each table's file (by table), computed as the archive was opened. */
  readonly #tableDigests: ReadonlyMap<string, TableDigest>;

  private constructor(
    file: string,
    reader: ArchiveReader,
    manifest: BackupManifest,
    tableDigests: ReadonlyMap<string, TableDigest>,
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
    const digests = new Map<string, TableDigest<Hash>>();
    let manifestChunks: Buffer[] = [];
    let reader: ArchiveReader;
    try {
      // A later entry of the same path replaces an earlier one, as for any tar reader; but a table's
      // parts are written once each, in order, so any other sequence is damage.
      reader = await ArchiveReader.open(file, (entry) => {
        if (entry.path === MANIFEST_PATH) {
          manifestChunks = [];
          return (chunk) => manifestChunks.push(chunk);
        }
        const part = tablePartOf(entry.path);
        if (part === undefined) return undefined;
        let digest = digests.get(part.table);
        if (digest === undefined) {
          digest = { hash: createHash('sha256'), parts: 0, inOrder: true };
          digests.set(part.table, digest);
        }
        if (part.part !== digest.parts + 1) {
          digest.inOrder = false;
          return undefined;
        }
        digest.parts = part.part;
        const hash = digest.hash;
        return (chunk) => hash.update(chunk);
      });
    } catch (error) {
      if (error instanceof TarFormatError) throw invalid(file, `is not a Cairn backup: ${error.message}`);
      throw readFailed(error);
    }
    try {
      const manifest = readManifest(file, reader, manifestChunks);
      const digested = new Map(
        [...digests].map(([table, digest]) => [table, { ...digest, hash: digest.hash.digest('hex') }]),
      );
      const archive = new BackupArchive(file, reader, manifest, digested);
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
      // #checkEntries found every part the manifest lists, so the first was hashed.
      const digest = this.#tableDigests.get(table.name) as TableDigest;
      if (!digest.inOrder) {
        throw invalid(this.file, `is damaged: the parts of table ${table.name} are out of order`);
      }
      if (digest.parts !== (table.parts ?? 1)) {
        throw invalid(
          this.file,
          `is damaged: it holds ${digest.parts} parts of table ${table.name}, where the manifest lists ` +
            `${table.parts ?? 1}`,
        );
      }
      const sha256 = digest.hash;
      if (sha256 !== table.sha256) {
        throw invalid(
          this.file,
          `is damaged: the SHA-256 of ${fileOf(table)} (table ${table.name}) is ${sha256}, but ` +
            `the manifest records ${table.sha256}`,
        );
      }
    }
  }

  /** The table's rows in file order, after skipping the first `skip`. */
  async *rows(table: ManifestTable, skip = 0): AsyncGenerator<Row> {
    let index = 0;
    for await (const line of lines(this.#readParts(this.#tableEntries(table)))) {
      if (index++ < skip) continue;
      try {
        yield JSON.parse(line) as Row;
      } catch (error) {
        throw invalid(this.file, `is damaged: line ${index} of ${fileOf(table)} is not JSON`, error);
      }
    }
  }

  async *#readParts(entries: readonly ArchiveEntry[]): AsyncGenerator<Buffer> {
    for (const entry of entries) yield* this.#reader.read(entry);
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
      const size = this.#tableEntries(table).reduce((sum, entry) => sum + entry.size, 0);
      if (size !== table.bytes) {
        throw invalid(
          this.file,
          `is damaged: ${fileOf(table)} holds ${size} bytes, the manifest records ${table.bytes}`,
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

  #tableEntries(table: ManifestTable): ArchiveEntry[] {
    return tableEntryPaths(table).map((entryPath) => {
      const entry = this.#reader.entries.get(entryPath);
      if (entry === undefined) throw invalid(this.file, `is damaged: it has no ${entryPath}`);
      return entry;
    });
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

/** The entries of a table's rows, for a message: one, or the first to the last part. */
function fileOf(table: ManifestTable): string {
  const paths = tableEntryPaths(table);
  return paths.length === 1 ? (paths[0] as string) : `${paths[0]} to ${paths.at(-1)}`;
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
