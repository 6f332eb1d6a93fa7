import type { JsonObject } from '@cairn/spec';
import type { Kysely } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import type { CacheHit } from '../caching/find-cache-hit.ts';
import type { ExecutionResult } from '../executor/task-executor.ts';
import type { ExtraWrites } from '../leases/extra-writes.ts';
import type { ClaimedTask } from '../leases/take-claims.ts';
import { EXECUTION_STATE, EXECUTION_TYPE } from '../lineage/lineage-vocabulary.ts';
import { recordCachedExecution } from '../lineage/record-cached-execution.ts';
import { recordTaskExecution } from '../lineage/record-task-execution.ts';
import type { InputEvent, NewOutputArtifact } from '../lineage/write-execution.ts';
import { propagate } from '../scheduler/propagate.ts';
import { schedulerContext } from '../scheduler/scheduler-context.ts';
import { taskById } from '../scheduler/task-rows.ts';
import type { TaskValues } from '../scheduler/task-values.ts';
import type { PreparedTask } from './prepare-task.ts';

/*
 * What a task's end writes besides its own row, in the same fenced transaction: its execution in the
 * lineage (inputs, outputs, the contexts of its pipeline and run), its cache entry, and the consequences
 * for the run (next tasks, ended DAGs, the run's end).
 */

/** A successful execution: `outputs` carries the ids chosen for its new artifact rows. */
export function succeeded(
  dialect: StoreDialect,
  claimed: ClaimedTask,
  prepared: PreparedTask,
  result: ExecutionResult,
  outputs: TaskValues,
  fingerprint: string | undefined,
): ExtraWrites {
  return async (trx, { now }) => {
    if (fingerprint !== undefined) {
      await trx
        .updateTable('tasks')
        .set({ cache_fingerprint: fingerprint })
        .where('id', '=', claimed.id)
        .execute();
    }
    const artifacts: NewOutputArtifact[] = Object.entries(outputs.artifacts).flatMap(([name, list]) =>
      list.map((artifact, listIndex) => {
        const produced = result.outputArtifacts[name];
        return {
          name,
          listIndex,
          ...(artifact.artifactId === undefined ? {} : { id: artifact.artifactId }),
          uri: artifact.uri,
          schemaTitle: artifact.schemaTitle,
          metadata: artifact.metadata,
          contentSha256: produced?.sha256 ?? null,
          sizeBytes: produced?.layout === 'none' ? null : (produced?.size ?? null),
        };
      }),
    );
    await recordTaskExecution(trx, dialect, {
      ...executionBase(claimed, prepared, now),
      state: EXECUTION_STATE.COMPLETE,
      metadata: executionMetadata(result),
      outputParameters: outputs.parameters,
      outputs: artifacts,
    });
    await advanceRun(trx, dialect, claimed, now);
  };
}

/** A cache hit: the task did not run; the original execution's outputs stand in for its own. */
export function cached(
  dialect: StoreDialect,
  claimed: ClaimedTask,
  prepared: PreparedTask,
  hit: CacheHit,
  fingerprint: string,
): ExtraWrites {
  return async (trx, { now }) => {
    await trx
      .updateTable('tasks')
      .set({ cache_fingerprint: fingerprint, cached_from_task_id: hit.taskId })
      .where('id', '=', claimed.id)
      .execute();
    await recordCachedExecution(trx, dialect, { ...executionBase(claimed, prepared, now), source: hit });
    await advanceRun(trx, dialect, claimed, now);
  };
}

/** A failed last attempt, a task that could not even start, or one stopped because its run was terminated. */
export function failed(
  dialect: StoreDialect,
  claimed: ClaimedTask,
  prepared: PreparedTask | undefined,
  result: ExecutionResult | undefined,
  state: typeof EXECUTION_STATE.FAILED | typeof EXECUTION_STATE.CANCELED = EXECUTION_STATE.FAILED,
): ExtraWrites {
  return async (trx, { now }) => {
    if (prepared !== undefined) {
      await recordTaskExecution(trx, dialect, {
        ...executionBase(claimed, prepared, now),
        state,
        metadata: result === undefined ? {} : executionMetadata(result),
        outputs: [],
      });
    }
    await advanceRun(trx, dialect, claimed, now);
  };
}

function executionBase(claimed: ClaimedTask, prepared: PreparedTask, now: number) {
  const { task } = prepared;
  const inputs: InputEvent[] = Object.entries(task.inputArtifacts).flatMap(([name, list]) =>
    list.flatMap((artifact, listIndex) =>
      artifact.artifactId === undefined ? [] : [{ name, artifactId: artifact.artifactId, listIndex }],
    ),
  );
  return {
    runId: claimed.run_id,
    taskId: claimed.id,
    pipelineName: task.pipelineName,
    type: EXECUTION_TYPE.CONTAINER,
    name: task.taskName,
    inputParameters: task.inputParameters,
    inputs,
    now,
  };
}

function executionMetadata(result: ExecutionResult): JsonObject {
  return {
    image: result.image,
    log: result.logKey,
    ...(result.exitCode === undefined ? {} : { exit_code: result.exitCode }),
    ...(result.error === undefined ? {} : { error: result.error }),
  };
}

async function advanceRun(
  trx: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  claimed: ClaimedTask,
  now: number,
) {
  const row = await taskById(trx, claimed.id);
  if (row !== undefined) await propagate(await schedulerContext(trx, dialect, claimed.run_id, now), row);
}
