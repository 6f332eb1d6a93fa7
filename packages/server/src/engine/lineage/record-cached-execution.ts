import type { JsonValue } from '@cairn/spec';
import type { Kysely } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { EXECUTION_STATE } from './lineage-vocabulary.ts';
import { type ExecutionWrite, type RecordedExecution, writeExecution } from './write-execution.ts';

/** The execution whose outputs a cache hit reuses (a `CacheHit` from `findCacheHit` is one). */
export interface CacheSource {
  readonly executionId: string;
  readonly taskId: string;
  readonly outputParameters: Readonly<Record<string, JsonValue>>;
  readonly outputArtifacts: readonly { name: string; listIndex: number; artifactId: string }[];
}

export type CachedExecution = Omit<
  ExecutionWrite,
  'state' | 'outputs' | 'outputParameters' | 'cachedFrom'
> & {
  readonly source: CacheSource;
};

/**
 * Records a task completed from the cache, in the caller's transaction: an execution in state CACHED whose
 * OUTPUT events point at the original execution's artifacts (no copies: the lineage of each artifact keeps
 * leading to the execution that made it), with the original's output parameters, and `cachedFrom` naming
 * the original execution and task in its metadata. The artifacts also join the new run's context, so the
 * run lists them among what it produced.
 */
export function recordCachedExecution(
  trx: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  { source, ...execution }: CachedExecution,
): Promise<RecordedExecution> {
  return writeExecution(trx, dialect, {
    ...execution,
    state: EXECUTION_STATE.CACHED,
    outputParameters: source.outputParameters,
    outputs: source.outputArtifacts.map(({ name, listIndex, artifactId }) => ({
      name,
      listIndex,
      artifactId,
    })),
    cachedFrom: { executionId: source.executionId, taskId: source.taskId },
  });
}
