/**
 * A worker thread that reads a store's metadata for a backup (see `readMetadata`) over a connection of
 * its own, and posts the events to the thread that started it (see `metadata-from-worker.ts`). SQLite
 * runs each query on the calling thread, and every dialect's rows are made into JSON lines and hashed by
 * the thread that reads them: read here, they take this core while the other writes the objects.
 *
 * Parts are posted while the other side has room for them (PARTS_AHEAD, plus one more per `credit`
 * message), so a slow archive keeps only a few of them in memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CairnError, errorMessage } from '../../errors.ts';
import { connectDatabase } from '../../store/connect-database.ts';
import type { DatabaseLocation } from '../../store/database-url.ts';
import { readMetadata } from './metadata-parts.ts';
import { inSnapshot } from './snapshot-transaction.ts';

export interface MetadataWorkerData {
  readonly location: DatabaseLocation;
  readonly partBytes: number;
}

/** What the worker posts besides its events: that it has ended, or why it failed. */
export type MetadataWorkerEnd = { kind: 'end' } | { kind: 'error'; code?: string; message: string };

/** Parts posted before the first credit comes back. */
const PARTS_AHEAD = 2;

const port = parentPort;
if (port === null) throw new Error('metadata-worker.ts runs as a worker thread');
const { location, partBytes } = workerData as MetadataWorkerData;

let credits = PARTS_AHEAD;
let creditArrived: (() => void) | undefined;
port.on('message', () => {
  credits++;
  creditArrived?.();
});

try {
  const handle = await connectDatabase(location);
  try {
    await inSnapshot(handle.db, handle.dialect, async (snapshot) => {
      for await (const event of readMetadata(snapshot, handle.dialect, partBytes)) {
        if (event.kind !== 'part') {
          port.postMessage(event);
          continue;
        }
        while (credits === 0) await new Promise<void>((resolve) => (creditArrived = resolve));
        credits--;
        const { data } = event;
        // A view of a whole buffer moves to the other thread; a view of part of one (of SQLite's batch, or
        // of Node's shared pool) is copied, as moving it would take the rest of the buffer away too.
        const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
        port.postMessage(event, whole ? [data.buffer as ArrayBuffer] : []);
      }
    });
  } finally {
    await handle.close();
  }
  port.postMessage({ kind: 'end' } satisfies MetadataWorkerEnd);
} catch (error) {
  port.postMessage(failure(error));
} finally {
  port.close();
}

function failure(error: unknown): MetadataWorkerEnd {
  return error instanceof CairnError
    ? { kind: 'error', code: error.code, message: error.message }
    : { kind: 'error', message: errorMessage(error) };
}
