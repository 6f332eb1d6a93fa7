import type { Kysely } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { EXECUTION_STATE } from './lineage-vocabulary.ts';
import { type ExecutionWrite, type RecordedExecution, writeExecution } from './write-execution.ts';

export type TaskExecution = Omit<ExecutionWrite, 'cachedFrom'>;

/**
 * Records what a task did, in the caller's transaction (`completeTask`'s `extraWrites`, say), so that the
 * lineage commits or rolls back with the task state it describes: the execution, its output artifacts
 * (each with the SHA-256 of its URI, for exact lookups), an INPUT event per artifact read and an OUTPUT
 * event per artifact produced, and the execution's and new artifacts' membership of the pipeline's context
 * (`system.Pipeline`, by pipeline name) and the run's (`system.PipelineRun`, by run id). Contexts are
 * created on first use, safely when several transactions do so at once.
 *
 * @example
 * await completeTask(db, dialect, { taskId, token, state: 'SUCCEEDED', outputs }, async (trx, { now }) => {
 *   await recordTaskExecution(trx, dialect, {
 *     runId, taskId, pipelineName: 'hello', type: EXECUTION_TYPE.CONTAINER, name: 'train',
 *     state: EXECUTION_STATE.COMPLETE, inputParameters: { epochs: 3 }, outputParameters: {},
 *     inputs: [{ name: 'data', artifactId, listIndex: 0 }],
 *     outputs: [
 *       { name: 'model', id: modelId, uri, schemaTitle: 'system.Model', metadata: {}, contentSha256 },
 *     ],
 *     now,
 *   });
 * });
 */
export function recordTaskExecution(
  trx: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  execution: TaskExecution,
): Promise<RecordedExecution> {
  if (execution.state === EXECUTION_STATE.CACHED) {
    throw new RangeError('a cached execution is recorded with recordCachedExecution, which says where from');
  }
  return writeExecution(trx, dialect, execution);
}
