import type { Kysely } from 'kysely';
import { noteRunCreated } from '../../catalog/run-experiment.ts';
import { CairnError } from '../../errors.ts';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { databaseNow } from '../leases/database-now.ts';
import { inWriteTransaction } from '../leases/write-transaction.ts';
import { insertFailedRun, insertRun, type PreparedRun, prepareRun } from '../runs/create-run.ts';
import { FINAL_RUN_STATES } from '../runs/run-state.ts';
import type { Trx } from '../scheduler/task-rows.ts';
import { dueSlots, type SkippedSlots } from '../schedules/due-slots.ts';
import { nextSlot } from '../schedules/next-slot.ts';
import { type RecurringRunRow, triggerOfRow } from './recurring-run-row.ts';
import { runOfRecurringRun } from './recurring-run-template.ts';

export interface FireOptions {
  /** When catching up, the most slots one recurring run fires at once (see `dueSlots`). */
  readonly catchupCap: number;
  /** Recurring runs looked at per call; the rest wait for the next call. */
  readonly batchSize?: number;
}

export interface FiredSlot {
  readonly recurringRunId: string;
  readonly slot: number;
  readonly runId: string;
  /** Why the run was recorded FAILED instead of started, when it was. */
  readonly error?: string;
}

export type SkippedFor = SkippedSlots & { readonly recurringRunId: string };

export interface FireReport {
  readonly fired: readonly FiredSlot[];
  /** Missed slots given up, per recurring run: never fired, by `no_catchup` or the catch-up cap. */
  readonly skipped: readonly SkippedFor[];
  /** Recurring runs with due slots held back because `max_concurrency` of their runs are active. */
  readonly waiting: readonly string[];
}

/**
 * Fires the runs of every enabled recurring run whose slots have come, by the database clock. Each
 * recurring run is handled in its own transaction: its row locked, its due slots worked out from the
 * last slot it fired (`dueSlots`), as many fired, oldest first, as `max_concurrency` allows beside its
 * active runs, and `last_fired_at` and `next_fire_at` moved past them. A crash leaves all of that or none,
 * and each run carries its slot as `scheduled_at`, unique per recurring run, so no slot fires twice
 * however many schedulers run or however often one is killed. Slots held back by `max_concurrency` stay
 * due and fire, still in order, once runs end.
 */
export async function fireDueRecurringRuns(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  options: FireOptions,
): Promise<FireReport> {
  const report = { fired: [] as FiredSlot[], skipped: [] as SkippedFor[], waiting: [] as string[] };
  const now = await databaseNow(db, dialect);
  const due = await db
    .selectFrom('recurring_runs')
    .select('id')
    .where('enabled', '=', 1)
    .where('next_fire_at', '<=', now)
    .orderBy('next_fire_at')
    .limit(options.batchSize ?? 100)
    .execute();
  for (const { id } of due) {
    await inWriteTransaction(db, dialect, (trx) => fireOne(trx, dialect, id, options, report));
  }
  return report;
}

async function fireOne(
  trx: Trx,
  dialect: StoreDialect,
  id: string,
  options: FireOptions,
  report: { fired: FiredSlot[]; skipped: SkippedFor[]; waiting: string[] },
): Promise<void> {
  let query = trx.selectFrom('recurring_runs').selectAll().where('id', '=', id);
  // Another scheduler holding the row is firing it: leave it to that one.
  if (dialect.capabilities.skipLocked) query = query.forUpdate().skipLocked();
  const row = await query.executeTakeFirst();
  const now = await databaseNow(trx, dialect);
  if (row === undefined || row.enabled !== 1 || row.next_fire_at === null || row.next_fire_at > now) return;

  const trigger = triggerOfRow(row);
  const slots = dueSlots(trigger, {
    lastSlot: row.last_fired_at ?? undefined,
    createdAt: row.created_at,
    now,
    noCatchup: row.catchup === 0,
    catchupCap: options.catchupCap,
  });
  if (slots.skipped) report.skipped.push({ recurringRunId: id, ...slots.skipped });
  const room = row.max_concurrency - (await activeRuns(trx, id));
  const firing = slots.due.slice(0, Math.max(room, 0));
  if (firing.length < slots.due.length) report.waiting.push(id);
  for (const slot of firing) report.fired.push(await fireSlot(trx, dialect, row, slot, now));

  const lastFired = firing.at(-1);
  const held = slots.due[firing.length];
  await trx
    .updateTable('recurring_runs')
    .set({
      ...(lastFired === undefined ? {} : { last_fired_at: lastFired }),
      // A slot held back stays due; otherwise the schedule's next slot, or none once it has ended.
      next_fire_at: held ?? (lastFired === undefined ? slots.next : nextSlot(trigger, lastFired)) ?? null,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

async function activeRuns(trx: Trx, recurringRunId: string): Promise<number> {
  const row = await trx
    .selectFrom('runs')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('recurring_run_id', '=', recurringRunId)
    .where('state', 'not in', FINAL_RUN_STATES)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/**
 * Fires one slot's run. A run that can no longer start (its pipeline version gone, its parameters no
 * longer fitting after an upgrade) is recorded FAILED with the reason: the slot is spent and visible,
 * rather than retried and logged on every tick.
 */
async function fireSlot(
  trx: Trx,
  dialect: StoreDialect,
  row: RecurringRunRow,
  slot: number,
  now: number,
): Promise<FiredSlot> {
  const schedule = { recurringRunId: row.id, slot };
  // Before the run's insert: on MySQL that insert share-locks the experiment's row, and taking the
  // exclusive lock after it could deadlock with a CreateRun in the same experiment.
  if (row.experiment_id !== null) await noteRunCreated(trx, row.experiment_id, now);
  const displayName = `${row.display_name} ${new Date(slot).toISOString().replace('.000Z', 'Z')}`;
  let prepared: PreparedRun;
  try {
    prepared = prepareRun(await runOfRecurringRun(trx, row, displayName));
  } catch (error) {
    // Only the checks, which write nothing, may fail into a FAILED run: a failure once the run's rows
    // are being written must abort the whole transaction.
    if (!(error instanceof CairnError)) throw error;
    const failed = {
      displayName,
      ...(row.pipeline_spec === null ? {} : { pipelineSpec: row.pipeline_spec }),
      ...(row.experiment_id === null ? {} : { experimentId: row.experiment_id }),
    };
    const runId = await insertFailedRun(trx, dialect, failed, error.message, now, schedule);
    return { recurringRunId: row.id, slot, runId, error: error.message };
  }
  const inserted = await insertRun(trx, dialect, prepared, now, schedule);
  return { recurringRunId: row.id, slot, runId: inserted.row.id };
}
