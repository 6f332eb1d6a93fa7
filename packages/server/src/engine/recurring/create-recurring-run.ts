import { randomUUID } from 'node:crypto';
import type { JsonValue } from '@cairn/spec';
import type { Kysely } from 'kysely';
import { CairnError } from '../../errors.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { databaseNow } from '../leases/database-now.ts';
import { inWriteTransaction } from '../leases/write-transaction.ts';
import { prepareRun } from '../runs/create-run.ts';
import { compileTrigger } from '../schedules/compile-trigger.ts';
import { parseMaxConcurrency } from '../schedules/max-concurrency.ts';
import { nextSlot } from '../schedules/next-slot.ts';
import type { Trigger } from '../schedules/trigger.ts';
import { rowOfTrigger } from './recurring-run-row.ts';
import { runtimeConfigText } from './recurring-run-template.ts';

export interface NewRecurringRun {
  readonly displayName: string;
  readonly description?: string;
  /** The pipeline, inline (YAML or JSON); or else `pipelineVersionId`. */
  readonly pipelineSpec?: string;
  readonly pipelineVersionId?: string;
  readonly parameters?: Readonly<Record<string, JsonValue>>;
  readonly pipelineRoot?: string;
  readonly enableCaching?: boolean;
  readonly experimentId?: string;
  readonly trigger: Trigger;
  /** Runs of this recurring run active at once, 1 to 10 as in KFP; 1 when absent. */
  readonly maxConcurrency?: number;
  /** KFP's `no_catchup`: after downtime fire only the most recent missed slot. Off when absent, as in KFP. */
  readonly noCatchup?: boolean;
  /** KFP's `mode`: on (ENABLE) when absent. */
  readonly enabled?: boolean;
}

/**
 * Creates a recurring run. Everything a fired run needs is checked now, as KFP's API server does, so a
 * mistake is the creator's error rather than a failed run every night: the trigger, the concurrency,
 * the pipeline (planned) and the parameters against its inputs. Throws a CairnError naming the field.
 */
export async function createRecurringRun(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  recurring: NewRecurringRun,
): Promise<string> {
  if (recurring.displayName.trim() === '') {
    throw new CairnError('RUN_INVALID', 'display_name is empty; a recurring run needs a name');
  }
  if ((recurring.pipelineSpec === undefined) === (recurring.pipelineVersionId === undefined)) {
    throw new CairnError(
      'RUN_INVALID',
      'a recurring run needs exactly one of pipeline_spec and pipeline_version_reference',
    );
  }
  compileTrigger(recurring.trigger);
  const maxConcurrency = parseMaxConcurrency(recurring.maxConcurrency);
  // Versions never change, and the foreign key keeps this one until the insert: checked outside the
  // write transaction, so that planning does not hold the database's write lock.
  prepareRun({
    displayName: recurring.displayName,
    pipelineSpec: recurring.pipelineSpec ?? (await versionSpec(db, recurring.pipelineVersionId ?? '')),
    ...(recurring.parameters === undefined ? {} : { parameters: recurring.parameters }),
  });
  const id = randomUUID();
  await inWriteTransaction(db, dialect, async (trx) => {
    const now = await databaseNow(trx, dialect);
    await trx
      .insertInto('recurring_runs')
      .values({
        id,
        display_name: recurring.displayName,
        description: recurring.description ?? null,
        experiment_id: recurring.experimentId ?? null,
        pipeline_version_id: recurring.pipelineVersionId ?? null,
        pipeline_spec: recurring.pipelineSpec ?? null,
        runtime_config: runtimeConfigText({
          parameters: recurring.parameters ?? {},
          pipelineRoot: recurring.pipelineRoot,
          enableCaching: recurring.enableCaching,
        }),
        service_account: null,
        ...rowOfTrigger(recurring.trigger),
        max_concurrency: maxConcurrency,
        catchup: recurring.noCatchup === true ? 0 : 1,
        enabled: recurring.enabled === false ? 0 : 1,
        // The same anchor the firing uses: the start time, or the creation when there is none.
        next_fire_at: nextSlot(recurring.trigger, recurring.trigger.startTime ?? now) ?? null,
        last_fired_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  });
  return id;
}

async function versionSpec(db: Kysely<CairnDatabase>, versionId: string): Promise<string> {
  const version = await db
    .selectFrom('pipeline_versions')
    .select('spec')
    .where('id', '=', versionId)
    .executeTakeFirst();
  if (version === undefined) {
    throw new CairnError('PIPELINE_VERSION_NOT_FOUND', `pipeline version ${versionId} does not exist`);
  }
  return version.spec;
}
