import { on } from 'node:events';
import { Worker } from 'node:worker_threads';
import { CairnError, type CairnErrorCode } from '../../errors.ts';
import type { DatabaseLocation } from '../../store/database-url.ts';
import type { MetadataEvent } from './metadata-parts.ts';
import type { MetadataWorkerData, MetadataWorkerEnd } from './metadata-worker.ts';

/**
 * `readMetadata` of the store at `location` run in a worker thread (see `metadata-worker.ts`), on its own
 * connection to `location`, whose snapshot transaction is the backup's. Each part taken from here makes
 * room for another in the worker. Stopping early (a `return` or a failure here) stops the worker.
 */
export async function* readMetadataInWorker(
  location: DatabaseLocation,
  partBytes: number,
): AsyncGenerator<MetadataEvent> {
  const worker = new Worker(new URL('./metadata-worker.ts', import.meta.url), {
    workerData: { location, partBytes } satisfies MetadataWorkerData,
  });
  try {
    // Ends when the worker exits; its own failures ('error' events) are thrown.
    for await (const [message] of on(worker, 'message', { close: ['exit'] })) {
      const event = message as MetadataEvent | MetadataWorkerEnd;
      if (event.kind === 'end') return;
      if (event.kind === 'error') {
        throw event.code === undefined
          ? new Error(event.message)
          : new CairnError(event.code as CairnErrorCode, event.message);
      }
      if (event.kind === 'part') {
        // Structured cloning delivers a Uint8Array; the archive takes Buffers.
        const { data } = event;
        yield { ...event, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) };
        worker.postMessage('credit');
        continue;
      }
      yield event;
    }
    throw new Error("the backup's metadata reader stopped without finishing");
  } finally {
    await worker.terminate();
  }
}
