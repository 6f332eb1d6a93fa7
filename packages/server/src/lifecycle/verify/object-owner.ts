/**
 * Whom an object in the artifact store belongs to, read from its key. Every object Cairn writes is in
 * KFP's layout `<pipeline>/<run-id>/<task>/...` (see `engine/executor/task-keys.ts`): a task's outputs at
 * `<task>/<output>[/<file>]`, the log of each attempt at `<task>/.cairn-logs/<attempt>.log`, and while an
 * attempt runs, its log's chunks at `<attempt>.log.chunks/<offset>` (see `logs/log-chunks.ts`).
 */
import { logChunkOffset } from '../../engine/executor/logs/log-chunks.ts';

/** Run ids are UUIDs; a second segment that is not one is not a run's. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOGS_FOLDER = '.cairn-logs';
const LOG_NAME = /^\d+\.log$/;
const CHUNKS_FOLDER = /^(\d+\.log)\.chunks$/;

export type ObjectOwner =
  | { readonly kind: 'output'; readonly runId: string; readonly taskSegment: string }
  | { readonly kind: 'log'; readonly runId: string; readonly taskSegment: string }
  /** A chunk of the log at `logKey`, written while the attempt ran. */
  | {
      readonly kind: 'log-chunk';
      readonly runId: string;
      readonly taskSegment: string;
      readonly logKey: string;
    };

/** The run and task an object's key names, or undefined for a key outside Cairn's layout. */
export function objectOwner(key: string): ObjectOwner | undefined {
  const segments = key.split('/');
  const [pipeline, runSegment, taskSegment, first, second, third] = segments;
  if (
    pipeline === undefined ||
    runSegment === undefined ||
    taskSegment === undefined ||
    first === undefined
  ) {
    return undefined;
  }
  if (!UUID.test(runSegment)) return undefined;
  const runId = runSegment.toLowerCase();
  if (first !== LOGS_FOLDER) return { kind: 'output', runId, taskSegment };
  if (segments.length === 5 && second !== undefined && LOG_NAME.test(second)) {
    return { kind: 'log', runId, taskSegment };
  }
  const logName = second === undefined ? undefined : CHUNKS_FOLDER.exec(second)?.[1];
  if (segments.length === 6 && logName !== undefined && third !== undefined) {
    const logKey = [pipeline, runSegment, taskSegment, LOGS_FOLDER, logName].join('/');
    if (logChunkOffset(logKey, key) !== undefined) return { kind: 'log-chunk', runId, taskSegment, logKey };
  }
  // Something else in the logs folder: no writer of Cairn's puts anything there.
  return { kind: 'output', runId, taskSegment };
}
