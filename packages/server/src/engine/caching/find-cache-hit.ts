import type { JsonObject, JsonValue } from '@cairn/spec';
import type { Kysely } from 'kysely';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { TASK_STATE } from '../leases/task-states.ts';
import { decodeExecutionDocument, parseObject } from '../lineage/execution-document.ts';
import { EVENT_KIND, EXECUTION_STATE } from '../lineage/lineage-vocabulary.ts';
import type { CacheSource } from '../lineage/record-cached-execution.ts';
import { checkStoredArtifact } from './check-stored-artifact.ts';

/** An output artifact of the cached execution, with what the new task's consumers need to read it. */
export interface CachedOutputArtifact {
  name: string;
  listIndex: number;
  artifactId: string;
  uri: string;
  /** Its key in the artifact store; absent when it is outside the store (imported from elsewhere). */
  storageKey?: string;
  schemaTitle: string;
  metadata: JsonObject;
  contentSha256: string | null;
  sizeBytes: number | null;
}

/**
 * A task whose outputs the new task can take as its own; pass it to `recordCachedExecution` as `source`,
 * and set the new task's `cached_from_task_id` to `taskId`.
 */
export interface CacheHit extends CacheSource {
  /** The task that ran (never itself a cache hit). */
  taskId: string;
  runId: string;
  /** Its execution: the one the new task's lineage says it was cached from. */
  executionId: string;
  finishedAt: number | null;
  outputParameters: Record<string, JsonValue>;
  outputArtifacts: CachedOutputArtifact[];
}

/** A task with the fingerprint that could not serve: some of what it stored is gone or changed. */
export interface StaleCacheEntry {
  taskId: string;
  executionId: string;
  problems: { outputName: string; listIndex: number; artifactId: string; uri: string; problem: string }[];
}

export interface CacheLookup {
  hit: CacheHit | undefined;
  /** Newer entries passed over on the way to the hit (or to no hit), newest first. */
  stale: StaleCacheEntry[];
}

export interface CacheLookupOptions {
  /** Give up after checking this many entries, newest first (each costs a stat per stored artifact). */
  maxEntries?: number;
}

const DEFAULT_MAX_ENTRIES = 10;

/**
 * Looks for the most recent task that ran to success with `fingerprint` and whose stored outputs are all
 * still in `store` (see `checkStoredArtifact`). Like KFP, only tasks that actually ran serve as cache
 * entries, never tasks that were themselves cache hits (those point at the same original anyway). The
 * outputs come from the task's COMPLETE execution: its output parameters from the execution's document,
 * its artifacts from its OUTPUT events. An entry whose objects are gone is a miss, reported in `stale`
 * so the engine can say why a task it expected to be cached ran again.
 */
export async function findCacheHit(
  db: Kysely<CairnDatabase>,
  store: ArtifactStore,
  fingerprint: string,
  { maxEntries = DEFAULT_MAX_ENTRIES }: CacheLookupOptions = {},
): Promise<CacheLookup> {
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }
  const rows = await db
    .selectFrom('tasks as t')
    .innerJoin('executions as e', 'e.task_id', 't.id')
    .select(['t.id as task_id', 't.run_id', 't.finished_at', 'e.id as execution_id', 'e.metadata'])
    .where('t.cache_fingerprint', '=', fingerprint)
    .where('t.state', '=', TASK_STATE.SUCCEEDED)
    .where('t.cached_from_task_id', 'is', null)
    .where('e.state', '=', EXECUTION_STATE.COMPLETE)
    .orderBy((eb) => eb.fn.coalesce('t.finished_at', 't.created_at'), 'desc')
    .orderBy('t.id', 'desc')
    // Should a task have several COMPLETE executions, its latest is its result.
    .orderBy('e.created_at', 'desc')
    .orderBy('e.id', 'desc')
    // Room for a second execution per task; fewer entries than asked for only ends the search early.
    .limit(maxEntries * 2)
    .execute();
  const entries = new Map<string, (typeof rows)[number]>();
  for (const row of rows) {
    if (entries.size < maxEntries && !entries.has(row.task_id)) entries.set(row.task_id, row);
  }

  const stale: StaleCacheEntry[] = [];
  for (const entry of entries.values()) {
    const outputs = await db
      .selectFrom('events as ev')
      .innerJoin('artifacts as a', 'a.id', 'ev.artifact_id')
      .select([
        'ev.name',
        'ev.list_index',
        'a.id',
        'a.uri',
        'a.type',
        'a.metadata',
        'a.content_sha256',
        'a.size_bytes',
        'a.state',
      ])
      .where('ev.execution_id', '=', entry.execution_id)
      .where('ev.kind', '=', EVENT_KIND.OUTPUT)
      .orderBy('ev.name')
      .orderBy('ev.list_index')
      .execute();
    const checks = await Promise.all(
      outputs.map((row) =>
        checkStoredArtifact(store, {
          uri: row.uri,
          state: row.state,
          contentSha256: row.content_sha256,
          sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
        }),
      ),
    );
    const problems = outputs.flatMap((row, i) => {
      const problem = checks[i]?.problem;
      return problem === undefined
        ? []
        : [
            {
              outputName: row.name,
              listIndex: Number(row.list_index),
              artifactId: row.id,
              uri: row.uri,
              problem,
            },
          ];
    });
    if (problems.length > 0) {
      stale.push({ taskId: entry.task_id, executionId: entry.execution_id, problems });
      continue;
    }
    return {
      hit: {
        taskId: entry.task_id,
        runId: entry.run_id,
        executionId: entry.execution_id,
        finishedAt: entry.finished_at === null ? null : Number(entry.finished_at),
        outputParameters: { ...decodeExecutionDocument(entry.metadata).outputParameters },
        outputArtifacts: outputs.map((row, i) => {
          const storageKey = checks[i]?.storageKey;
          return {
            name: row.name,
            listIndex: Number(row.list_index),
            artifactId: row.id,
            uri: row.uri,
            ...(storageKey === undefined ? {} : { storageKey }),
            schemaTitle: row.type,
            metadata: parseObject(row.metadata),
            contentSha256: row.content_sha256,
            sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
          };
        }),
      },
      stale,
    };
  }
  return { hit: undefined, stale };
}
