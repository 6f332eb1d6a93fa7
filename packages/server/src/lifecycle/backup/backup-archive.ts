import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { CairnError, errorMessage } from '../../errors.ts';
import { COPY_TABLES } from '../rows/copy-tables.ts';
import type { Row } from '../rows/row-values.ts';
import {
  type BackupManifest,
  MANIFEST_PATH,
  type ManifestObject,
  type ManifestTable,
  manifestProblem,
  objectEntryPath,
  tableEntryPath,
} from './backup-manifest.ts';
import { TarFormatError, TarReader } from './tar-reader.ts';

/** A backup archive whose manifest has been read and whose entries all exist with the recorded sizes. */
export class BackupArchive {
  readonly file: string;
  readonly manifest: BackupManifest;
  readonly #reader: TarReader;

  private constructor(file: string, reader: TarReader, manifest: BackupManifest) {
    this.file = file;
    this.#reader = reader;
    this.manifest = manifest;
  }

  /**
   * Opens the archive and checks its structure, reading headers and the manifest only: a file that is not
   * a Cairn backup, or one cut short, is refused before anything else happens. Throws CONFIG_INVALID for
   * a missing file and BACKUP_INVALID for anything else wrong with it.
   */
  static async open(file: string): Promise<BackupArchive> {
    const info = await stat(file).catch(() => undefined);
    if (info === undefined) throw new CairnError('CONFIG_INVALID', `${file} does not exist`);
    if (!info.isFile()) throw new CairnError('CONFIG_INVALID', `${file} is not a file`);
    let reader: TarReader;
    try {
      reader = await TarReader.open(file);
    } catch (error) {
      if (error instanceof TarFormatError) throw invalid(file, `is not a Cairn backup: ${error.message}`);
      throw new CairnError('CONFIG_INVALID', `cannot read ${file}: ${errorMessage(error)}`, { cause: error });
    }
    const entry = reader.entries.get(MANIFEST_PATH);
    if (entry === undefined) throw invalid(file, `is not a Cairn backup: it has no ${MANIFEST_PATH}`);
    let manifest: unknown;
    try {
      manifest = JSON.parse((await reader.readAll(entry)).toString('utf8'));
    } catch (error) {
      throw invalid(file, `is not a Cairn backup: its ${MANIFEST_PATH} is not JSON (${errorMessage(error)})`);
    }
    const problem = manifestProblem(manifest);
    if (problem !== undefined) throw invalid(file, `is not a Cairn backup: its ${MANIFEST_PATH} ${problem}`);
    const archive = new BackupArchive(file, reader, manifest as BackupManifest);
    archive.#checkEntries();
    return archive;
  }

  /**
   * Reads every table's file and compares its SHA-256 with the manifest's, so damaged metadata is found
   * before a restore touches the target. (Objects are checked as they are stored, which stores none that
   * fails; reading them all twice would double a restore's time.)
   */
  async verifyTables(): Promise<void> {
    for (const table of this.manifest.tables) {
      const hash = createHash('sha256');
      for await (const chunk of this.#reader.read(this.#tableEntry(table))) hash.update(chunk);
      const sha256 = hash.digest('hex');
      if (sha256 !== table.sha256) {
        throw invalid(
          this.file,
          `is damaged: the SHA-256 of ${tableEntryPath(table.name)} (table ${table.name}) is ${sha256}, but ` +
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

  /**
   * The object's bytes, checked against the manifest as they pass: after the last byte, a size or digest
   * that differs fails the stream, and with it the store's write, which then keeps nothing.
   */
  async *objectBody(object: ManifestObject): AsyncGenerator<Buffer> {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of this.#reader.read(this.#objectEntry(object))) {
      hash.update(chunk);
      size += chunk.length;
      yield chunk;
    }
    const sha256 = hash.digest('hex');
    if (size !== object.size || sha256 !== object.sha256) {
      throw objectDamaged(this.file, object, `${size} bytes with SHA-256 ${sha256}`);
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
