/**
 * A backup's metadata as a sequence of events: the snapshot's schema first, then each table's rows as the
 * parts of its file (`metadata/<table>.jsonl`, `metadata/<table>.2.jsonl`, …), each table closed by its
 * manifest entry. Read in a worker thread (see `metadata-worker.ts`), so that the rows are read while this
 * thread writes the objects; or in this thread for an in-memory SQLite database, which no other
 * connection can open.
 */
import { createHash } from 'node:crypto';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { MIGRATIONS } from '../../store/migrations/index.ts';
import { readHistory } from '../../store/migrator/schema-history.ts';
import { compareSchema } from '../../store/migrator/schema-status.ts';
import { CAIRN_VERSION } from '../../version.ts';
import { COPY_TABLES } from '../rows/copy-tables.ts';
import { readBatches } from '../rows/keyset-reader.ts';
import type { Row } from '../rows/row-values.ts';
import { sqliteJsonLines } from '../rows/sqlite-json-lines.ts';
import type { ManifestMigration, ManifestTable } from './backup-manifest.ts';
import { checkSourceSchema } from './backup-schema.ts';

/** A table's file is cut into parts of this many bytes of whole lines, each gathered in memory. */
export const TABLE_PART_BYTES = 16 * 1024 * 1024;
/** Progress within a large table is reported at most this often. */
const PROGRESS_INTERVAL_MS = 1000;

export type MetadataEvent =
  | {
      kind: 'snapshot';
      schemaVersion: number;
      migrations: ManifestMigration[];
      /** When the snapshot was taken (ms since the epoch). */
      snapshotAt: number;
    }
  | { kind: 'part'; table: string; part: number; data: Buffer }
  | { kind: 'rows'; table: string; rows: number }
  | { kind: 'table'; table: ManifestTable };

/**
 * Reads `snapshot` (a connection inside a snapshot transaction, see `snapshot-transaction.ts`): its schema,
 * refused unless this code knows it (see `checkSourceSchema`), then every table's rows, tables in
 * dependency order, each table's file in parts of at least `partBytes` (the last may be shorter).
 */
export async function* readMetadata(
  snapshot: AnyDb,
  dialect: StoreDialect,
  partBytes = TABLE_PART_BYTES,
): AsyncGenerator<MetadataEvent> {
  // The schema is read in the snapshot too, so it is the schema of the rows.
  const status = compareSchema(await readHistory(snapshot, dialect), MIGRATIONS, CAIRN_VERSION);
  const snapshotAt = Date.now();
  checkSourceSchema(status);
  yield {
    kind: 'snapshot',
    schemaVersion: status.databaseSchemaVersion,
    migrations: status.applied.map(({ version, name, checksum }) => ({ version, name, checksum })),
    snapshotAt,
  };
  for (const table of COPY_TABLES) {
    // Tables a later migration adds are absent from an older schema.
    if (!(await dialect.tableExists(snapshot, table.name))) continue;
    // SQLite writes its own JSON, in the order the rows are stored (see `rows/sqlite-json-lines.ts`).
    const batches =
      dialect.name === 'sqlite'
        ? sqliteJsonLines(snapshot, table.name)
        : jsonBatches(readBatches(snapshot, table));
    const file = new TableFile(partBytes);
    let rows = 0;
    let reportedAt = Date.now();
    for await (const batch of batches) {
      rows += batch.rows;
      for (const { part, data } of file.add(batch.bytes))
        yield { kind: 'part', table: table.name, part, data };
      if (Date.now() - reportedAt >= PROGRESS_INTERVAL_MS) {
        reportedAt = Date.now();
        yield { kind: 'rows', table: table.name, rows };
      }
    }
    const last = file.end();
    if (last !== undefined) yield { kind: 'part', table: table.name, ...last };
    yield { kind: 'table', table: { name: table.name, rows, ...file.summary() } };
  }
}

/** A batch of a table file's lines, and how many rows they are. */
interface Lines {
  readonly bytes: Uint8Array;
  readonly rows: number;
}

async function* jsonBatches(batches: AsyncIterable<Row[]>): AsyncGenerator<Lines> {
  for await (const rows of batches) {
    yield { bytes: Buffer.from(`${rows.map((row) => JSON.stringify(row)).join('\n')}\n`), rows: rows.length };
  }
}

/** A part of a table's file: its number (from 1) and its bytes. */
export interface Part {
  readonly part: number;
  readonly data: Buffer;
}

/**
 * Cuts a table's file into parts of whole lines as its bytes come: each part holds at least `partBytes`
 * and ends at the first newline past that (a line longer than a part makes its part longer). The file is
 * hashed whole, across its parts.
 */
export class TableFile {
  readonly #partBytes: number;
  readonly #hash = createHash('sha256');
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  #size = 0;
  /** The parts cut so far. */
  parts = 0;

  constructor(partBytes: number) {
    this.#partBytes = partBytes;
  }

  /** Takes the next bytes of the file; returns the parts they complete. */
  add(chunk: Uint8Array): Part[] {
    this.#hash.update(chunk);
    this.#size += chunk.byteLength;
    const done: Part[] = [];
    let rest = chunk;
    for (;;) {
      // The first line end at or past the part's size; a part already past it ends at the chunk's first.
      const from = Math.max(0, this.#partBytes - this.#heldBytes - 1);
      const lineEnd = from >= rest.byteLength ? -1 : rest.indexOf(NEWLINE, from);
      if (lineEnd === -1) break;
      this.#hold(rest.subarray(0, lineEnd + 1));
      done.push(this.#cut());
      rest = rest.subarray(lineEnd + 1);
    }
    if (rest.byteLength > 0) this.#hold(rest);
    return done;
  }

  /** The last part, or undefined when the parts cut so far hold everything (a file has one part at least). */
  end(): Part | undefined {
    return this.#heldBytes > 0 || this.parts === 0 ? this.#cut() : undefined;
  }

  /** The file's size, digest and parts, once it has ended. */
  summary(): Pick<ManifestTable, 'bytes' | 'sha256' | 'parts'> {
    return { bytes: this.#size, sha256: this.#hash.digest('hex'), parts: this.parts };
  }

  #hold(bytes: Uint8Array): void {
    this.#held.push(bytes);
    this.#heldBytes += bytes.byteLength;
  }

  #cut(): Part {
    const held = this.#held;
    this.parts++;
    this.#held = [];
    this.#heldBytes = 0;
    const only = held.length === 1 ? (held[0] as Uint8Array) : undefined;
    const data =
      only === undefined ? Buffer.concat(held) : Buffer.from(only.buffer, only.byteOffset, only.byteLength);
    return { part: this.parts, data };
  }
}

const NEWLINE = 0x0a;
