import type { DatabaseLocation } from '../../store/database-url.ts';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { countRows } from '../backup/restore-target.ts';
import { rewriteRow, type UriRewrite } from '../backup/uri-rewrite.ts';
import { COPY_TABLES, type CopyTable } from '../rows/copy-tables.ts';
import { readBatches } from '../rows/keyset-reader.ts';
import { openRowLoader, type RowLoader } from '../rows/row-loader.ts';
import type { Row } from '../rows/row-values.ts';
import { moveRefused } from './move-errors.ts';
import type { MoveCheckpoint, MoveProgress } from './move-marker.ts';
import { digestLine, RowDigestSum } from './row-digest.ts';

/** Progress within a large table is reported at most this often. */
const PROGRESS_INTERVAL_MS = 2000;

export type RowCopyEvent =
  | { kind: 'rows'; table: string; done: number; total: number }
  | { kind: 'table'; table: string; rows: number };

export interface RowCopy {
  /** The source, inside one read-only snapshot transaction (see `backup/snapshot-transaction.ts`). */
  readonly snapshot: AnyDb;
  readonly sourceDialect: StoreDialect;
  readonly target: AnyDb;
  /** Where `target` is: a loader may open a connection of its own there (see `rows/row-loader.ts`). */
  readonly targetLocation: DatabaseLocation;
  readonly checkpoint: MoveCheckpoint;
  readonly rewrite: UriRewrite | null;
  /** Each table's digest columns in the target (see `row-digest.ts`): each batch is digested as written. */
  readonly digestColumns: ReadonlyMap<string, readonly string[]>;
  readonly onProgress: (event: RowCopyEvent) => void;
}

/** The tables of the copy that the source's schema has (those a later migration adds may be missing). */
export async function tablesOf(db: AnyDb, dialect: StoreDialect): Promise<CopyTable[]> {
  const tables: CopyTable[] = [];
  for (const table of COPY_TABLES) if (await dialect.tableExists(db, table.name)) tables.push(table);
  return tables;
}

/**
 * Copies every table's rows, parents first, from where the checkpoint says the copy stopped. Each batch
 * read from the source is inserted into the target in one transaction together with the checkpoint that
 * counts it; the next batch is read from the source while the target works on that one, so the two
 * databases work side by side instead of in turn.
 */
export async function copyRows(copy: RowCopy): Promise<void> {
  const tables = await tablesOf(copy.snapshot, copy.sourceDialect);
  const resumeAt = copy.checkpoint.progress.table;
  const first = resumeAt === null ? 0 : tables.findIndex((table) => table.name === resumeAt);
  if (first === -1) {
    throw moveRefused(`the move stopped while copying ${resumeAt}, a table the source does not have now`);
  }
  const loader = openRowLoader(copy.target, copy.targetLocation);
  try {
    for (const table of tables.slice(first)) {
      await copyTable(copy, loader, table);
      copy.onProgress({
        kind: 'table',
        table: table.name,
        rows: copy.checkpoint.progress.rows[table.name] ?? 0,
      });
    }
  } finally {
    await loader.close();
  }
}

/** A batch as the target gets it: URIs rewritten, its rows' digest sum, the key of its last row. */
interface PreparedBatch {
  readonly rows: readonly Row[];
  readonly digest: RowDigestSum;
  readonly after: Row;
}

async function copyTable(copy: RowCopy, loader: RowLoader, table: CopyTable): Promise<void> {
  const { checkpoint } = copy;
  const resumed = checkpoint.progress.table === table.name ? checkpoint.progress.after : null;
  const total = await countRows(copy.snapshot, table.name);
  const batches = prepared(
    copy,
    table,
    readBatches(copy.snapshot, table, resumed === null ? {} : { after: resumed }),
  );
  let reportedAt = Date.now();
  let pending: Promise<IteratorResult<PreparedBatch>> | undefined = batches.next();
  const readNext = () => {
    pending ??= batches.next();
  };
  try {
    for (;;) {
      const read = await (pending ?? batches.next());
      pending = undefined;
      if (read.done === true) return;
      // The next batch is read and prepared once the target has this one's rows (see `LoadRows`): that
      // work holds the thread, and rows not yet sent would wait for it.
      const progress = await insertBatch(copy, loader, table, read.value, readNext);
      if (Date.now() - reportedAt >= PROGRESS_INTERVAL_MS) {
        reportedAt = Date.now();
        copy.onProgress({ kind: 'rows', table: table.name, done: progress.rows[table.name] ?? 0, total });
      }
    }
  } finally {
    // A read still under way when an insert failed ends before the snapshot's transaction does.
    await pending?.catch(() => undefined);
  }
}

async function* prepared(
  copy: RowCopy,
  table: CopyTable,
  batches: AsyncIterable<Row[]>,
): AsyncGenerator<PreparedBatch> {
  const { rewrite } = copy;
  const columns = copy.digestColumns.get(table.name) ?? [];
  for await (const batch of batches) {
    const last = batch.at(-1);
    if (last === undefined) continue;
    const rows = rewrite === null ? batch : batch.map((row) => rewriteRow(table.name, row, rewrite));
    const digest = new RowDigestSum();
    for (const row of rows) digest.addLine(digestLine(row, columns));
    yield {
      rows,
      digest,
      after: Object.fromEntries(table.key.map((column) => [column, last[column] ?? null])),
    };
  }
}

/** Inserts one batch and its checkpoint in one transaction of the target, and returns that checkpoint. */
async function insertBatch(
  copy: RowCopy,
  loader: RowLoader,
  table: CopyTable,
  batch: PreparedBatch,
  sent: () => void,
): Promise<MoveProgress> {
  const { checkpoint } = copy;
  const before = checkpoint.progress;
  const sum = RowDigestSum.of(before.digests?.[table.name]);
  sum.addSum(batch.digest);
  const progress: MoveProgress = {
    ...before,
    table: table.name,
    after: batch.after,
    rows: { ...before.rows, [table.name]: (before.rows[table.name] ?? 0) + batch.rows.length },
    digests: { ...before.digests, [table.name]: sum.hex() },
  };
  await loader.transaction(async (trx, load) => {
    await load(table.name, batch.rows, sent);
    await checkpoint.write(progress, trx);
  });
  checkpoint.settle(progress);
  return progress;
}
