import { createHash, randomUUID } from 'node:crypto';
import type { JsonObject, JsonValue } from '@cairn/spec';
import type { Kysely } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { ensureContext } from './ensure-context.ts';
import { type CachedFrom, encodeExecutionDocument } from './execution-document.ts';
import { CONTEXT_TYPE, EVENT_KIND, type ExecutionState } from './lineage-vocabulary.ts';
import { skipDuplicateKeys } from './skip-duplicate-keys.ts';

/** An artifact the execution read: one INPUT event. A list input has one per item, by `listIndex`. */
export interface InputEvent {
  readonly name: string;
  readonly artifactId: string;
  readonly listIndex: number;
}

/** An artifact the execution produced, recorded here as a new row. */
export interface NewOutputArtifact {
  /** The output's name (the OUTPUT event's). */
  readonly name: string;
  readonly listIndex?: number;
  /**
   * The new row's id, when the caller chose it (a new UUID otherwise): `completeTask` writes the task's
   * outputs before its extra writes run, so a caller that wants the id in them must choose it first.
   */
  readonly id?: string;
  readonly uri: string;
  /** `system.Dataset`, `system.Model`, ... */
  readonly schemaTitle: string;
  /** Stored as the artifact's name; the output's name when absent. */
  readonly displayName?: string;
  readonly metadata: JsonObject;
  /** SHA-256 of what was stored (a directory's: of its manifest); absent when nothing was. */
  readonly contentSha256?: string | null;
  readonly sizeBytes?: number | null;
}

/**
 * An artifact that already has a row, output again by this execution: a DAG's outputs are its tasks'
 * artifacts, and a cached execution outputs the original's.
 */
export interface ExistingOutputArtifact {
  readonly name: string;
  readonly listIndex?: number;
  readonly artifactId: string;
}

export type OutputEvent = NewOutputArtifact | ExistingOutputArtifact;

export interface ExecutionWrite {
  readonly runId: string;
  readonly taskId: string;
  /** `pipelineInfo.name`: names the pipeline's context. */
  readonly pipelineName: string;
  /** See `EXECUTION_TYPE`. */
  readonly type: string;
  /** The task's name (its key in its DAG). */
  readonly name: string;
  readonly state: ExecutionState;
  /** Anything else worth keeping about the execution (image, attempt, exit code, ...). */
  readonly metadata?: JsonObject;
  readonly inputParameters?: Readonly<Record<string, JsonValue>>;
  readonly outputParameters?: Readonly<Record<string, JsonValue>>;
  readonly inputs: readonly InputEvent[];
  readonly outputs: readonly OutputEvent[];
  readonly cachedFrom?: CachedFrom;
  /** The instant to stamp rows with: the database clock of the enclosing transaction. */
  readonly now: number;
}

export interface RecordedExecution {
  executionId: string;
  /** The artifact of each output, in the order of `outputs`. */
  outputArtifactIds: string[];
}

/** Catches what the unique index on events would reject, with a message that says which event. */
function checkDistinct(kind: string, events: readonly { name: string; listIndex?: number }[]): void {
  const seen = new Set<string>();
  for (const { name, listIndex = 0 } of events) {
    const key = JSON.stringify([name, listIndex]);
    if (seen.has(key)) {
      throw new RangeError(`two ${kind} events named '${name}' with list index ${listIndex}`);
    }
    seen.add(key);
  }
}

/**
 * Writes one execution with its events, its new output artifacts, and their membership of the pipeline's
 * and the run's contexts, through `trx`, which must be a transaction: a failure anywhere leaves the
 * caller to roll all of it back.
 */
export async function writeExecution(
  trx: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  record: ExecutionWrite,
): Promise<RecordedExecution> {
  checkDistinct(EVENT_KIND.INPUT, record.inputs);
  checkDistinct(EVENT_KIND.OUTPUT, record.outputs);
  const { now } = record;
  const contextIds = [
    await ensureContext(trx, dialect, { type: CONTEXT_TYPE.PIPELINE, name: record.pipelineName }, now),
    await ensureContext(trx, dialect, { type: CONTEXT_TYPE.RUN, name: record.runId }, now),
  ];

  const executionId = randomUUID();
  await trx
    .insertInto('executions')
    .values({
      id: executionId,
      run_id: record.runId,
      task_id: record.taskId,
      type: record.type,
      name: record.name,
      state: record.state,
      metadata: encodeExecutionDocument({
        inputParameters: record.inputParameters ?? {},
        outputParameters: record.outputParameters ?? {},
        ...(record.cachedFrom === undefined ? {} : { cachedFrom: record.cachedFrom }),
        properties: record.metadata ?? {},
      }),
      created_at: now,
      updated_at: now,
    })
    .execute();

  const outputs = record.outputs.map((output) => ({
    output,
    artifactId: 'artifactId' in output ? output.artifactId : (output.id ?? randomUUID()),
  }));
  const newArtifacts = outputs.flatMap(({ output, artifactId }) =>
    'artifactId' in output
      ? []
      : [
          {
            id: artifactId,
            uri: output.uri,
            uri_sha256: createHash('sha256').update(output.uri).digest('hex'),
            type: output.schemaTitle,
            name: output.displayName ?? output.name,
            metadata: JSON.stringify(output.metadata),
            content_sha256: output.contentSha256 ?? null,
            size_bytes: output.sizeBytes ?? null,
            created_at: now,
            updated_at: now,
          },
        ],
  );
  if (newArtifacts.length > 0) await trx.insertInto('artifacts').values(newArtifacts).execute();

  const events = [
    ...record.inputs.map(({ name, artifactId, listIndex }) => ({
      kind: EVENT_KIND.INPUT,
      name,
      artifactId,
      listIndex,
    })),
    ...outputs.map(({ output: { name, listIndex = 0 }, artifactId }) => ({
      kind: EVENT_KIND.OUTPUT,
      name,
      artifactId,
      listIndex,
    })),
  ];
  if (events.length > 0) {
    await trx
      .insertInto('events')
      .values(
        events.map((event) => ({
          id: randomUUID(),
          execution_id: executionId,
          artifact_id: event.artifactId,
          kind: event.kind,
          name: event.name,
          list_index: event.listIndex,
          created_at: now,
        })),
      )
      .execute();
  }

  await trx
    .insertInto('context_executions')
    .values(contextIds.map((context_id) => ({ context_id, execution_id: executionId })))
    .execute();
  // An existing artifact may already belong to these contexts (a cache hit within the same pipeline).
  const outputArtifactIds = outputs.map(({ artifactId }) => artifactId);
  const attributed = [...new Set(outputArtifactIds)];
  if (attributed.length > 0) {
    await skipDuplicateKeys(
      trx
        .insertInto('context_artifacts')
        .values(
          contextIds.flatMap((context_id) => attributed.map((artifact_id) => ({ context_id, artifact_id }))),
        ),
      dialect,
      'context_id',
    ).execute();
  }
  return { executionId, outputArtifactIds };
}
