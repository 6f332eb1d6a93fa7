/**
 * Reading and writing an upgrade plan's recorded state. Every change is its own small statement, made
 * as it happens, so whatever a crash interrupts is on record for the next attempt.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { databaseNow } from '../../engine/leases/database-now.ts';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { PLANS_TABLE, STEPS_TABLE } from './plan-tables.ts';

export const PHASES = ['preflight', 'backup', 'drain', 'migrate', 'verify', 'resume', 'rollback'] as const;
export type Phase = (typeof PHASES)[number];
export type PlanKind = 'upgrade' | 'downgrade';
/** `running` and `rolling-back` are unfinished: the next attempt continues them. */
export type PlanState = 'running' | 'succeeded' | 'rolling-back' | 'rolled-back' | 'failed';
export type StepState = 'pending' | 'running' | 'done' | 'skipped' | 'failed';

export interface PlanStep {
  readonly seq: number;
  readonly phase: Phase;
  readonly name: string;
  readonly state: StepState;
  readonly detail: string | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
}

export interface PlanOptions {
  readonly backup: boolean;
  readonly backupDir: string | null;
  readonly drainTimeoutMs: number;
}

export interface UpgradePlan {
  readonly id: string;
  readonly kind: PlanKind;
  readonly state: PlanState;
  readonly fromRelease: string | null;
  readonly toRelease: string | null;
  readonly fromSchema: number;
  readonly toSchema: number;
  readonly cairnVersion: string;
  readonly options: PlanOptions;
  readonly backup: string | null;
  readonly error: string | null;
  readonly owner: string;
  readonly heartbeatAt: number;
  readonly createdAt: number;
  readonly finishedAt: number | null;
  readonly steps: readonly PlanStep[];
}

export type NewPlan = Pick<
  UpgradePlan,
  'kind' | 'fromRelease' | 'toRelease' | 'fromSchema' | 'toSchema' | 'cairnVersion' | 'options' | 'owner'
> & { readonly steps: readonly { phase: Phase; name: string }[] };

/** The plan tables hold no Kysely types of their own (they are outside the schema), hence AnyDb. */
export class PlanStore {
  readonly #db: AnyDb;
  readonly #dialect: StoreDialect;

  constructor(db: AnyDb, dialect: StoreDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  now(): Promise<number> {
    return databaseNow(this.#db as Kysely<CairnDatabase>, this.#dialect);
  }

  async create(plan: NewPlan): Promise<UpgradePlan> {
    const id = randomUUID();
    const now = await this.now();
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto(PLANS_TABLE)
        .values({
          id,
          kind: plan.kind,
          state: 'running',
          from_release: plan.fromRelease,
          to_release: plan.toRelease,
          from_schema: plan.fromSchema,
          to_schema: plan.toSchema,
          cairn_version: plan.cairnVersion,
          options: JSON.stringify(plan.options),
          backup: null,
          error: null,
          owner: plan.owner,
          heartbeat_at: now,
          created_at: now,
          finished_at: null,
        })
        .execute();
      if (plan.steps.length > 0) {
        await trx
          .insertInto(STEPS_TABLE)
          .values(
            plan.steps.map((step, index) => ({
              plan_id: id,
              seq: index + 1,
              phase: step.phase,
              name: step.name,
              state: 'pending',
              detail: null,
              started_at: null,
              finished_at: null,
            })),
          )
          .execute();
      }
    });
    return (await this.get(id)) as UpgradePlan;
  }

  async get(id: string): Promise<UpgradePlan | undefined> {
    const row = await this.#db.selectFrom(PLANS_TABLE).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.#withSteps(row) : undefined;
  }

  /** The plan, or undefined when there is none by that id (or no plan tables yet). */
  async find(id: string): Promise<UpgradePlan | undefined> {
    if (!(await this.#dialect.tableExists(this.#db, PLANS_TABLE))) return undefined;
    return this.get(id);
  }

  /** The newest plan, or undefined when there has never been one (or the tables do not exist yet). */
  async latest(): Promise<UpgradePlan | undefined> {
    if (!(await this.#dialect.tableExists(this.#db, PLANS_TABLE))) return undefined;
    const row = await this.#db
      .selectFrom(PLANS_TABLE)
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? this.#withSteps(row) : undefined;
  }

  async history(limit: number): Promise<UpgradePlan[]> {
    if (!(await this.#dialect.tableExists(this.#db, PLANS_TABLE))) return [];
    const rows = await this.#db
      .selectFrom(PLANS_TABLE)
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return Promise.all(rows.map((row) => this.#withSteps(row)));
  }

  async startStep(planId: string, seq: number): Promise<void> {
    await this.#db
      .updateTable(STEPS_TABLE)
      .set({ state: 'running', started_at: await this.now(), finished_at: null })
      .where('plan_id', '=', planId)
      .where('seq', '=', seq)
      .execute();
  }

  async finishStep(planId: string, seq: number, state: StepState, detail: string | null): Promise<void> {
    await this.#db
      .updateTable(STEPS_TABLE)
      .set({ state, detail, finished_at: await this.now() })
      .where('plan_id', '=', planId)
      .where('seq', '=', seq)
      .execute();
  }

  /** Appends steps to a plan (a rollback decided on the way). */
  async addSteps(planId: string, steps: readonly { phase: Phase; name: string }[]): Promise<void> {
    const plan = await this.get(planId);
    const next = (plan?.steps.at(-1)?.seq ?? 0) + 1;
    await this.#db
      .insertInto(STEPS_TABLE)
      .values(
        steps.map((step, index) => ({
          plan_id: planId,
          seq: next + index,
          phase: step.phase,
          name: step.name,
          state: 'pending',
          detail: null,
          started_at: null,
          finished_at: null,
        })),
      )
      .execute();
  }

  async update(
    planId: string,
    changes: { state?: PlanState; error?: string | null; backup?: string; owner?: string },
  ): Promise<void> {
    const now = await this.now();
    const finished =
      changes.state !== undefined && changes.state !== 'running' && changes.state !== 'rolling-back';
    await this.#db
      .updateTable(PLANS_TABLE)
      .set({
        ...changes,
        heartbeat_at: now,
        ...(finished ? { finished_at: now } : {}),
      })
      .where('id', '=', planId)
      .execute();
  }

  async heartbeat(planId: string): Promise<void> {
    await this.#db
      .updateTable(PLANS_TABLE)
      .set({ heartbeat_at: await this.now() })
      .where('id', '=', planId)
      .execute();
  }

  async #withSteps(row: Record<string, unknown>): Promise<UpgradePlan> {
    const steps = await this.#db
      .selectFrom(STEPS_TABLE)
      .selectAll()
      .where('plan_id', '=', row.id as string)
      .orderBy('seq')
      .execute();
    const time = (value: unknown) => (value === null || value === undefined ? null : Number(value));
    return {
      id: String(row.id),
      kind: row.kind as PlanKind,
      state: row.state as PlanState,
      fromRelease: (row.from_release as string | null) ?? null,
      toRelease: (row.to_release as string | null) ?? null,
      fromSchema: Number(row.from_schema),
      toSchema: Number(row.to_schema),
      cairnVersion: String(row.cairn_version),
      options: JSON.parse(String(row.options)) as PlanOptions,
      backup: (row.backup as string | null) ?? null,
      error: (row.error as string | null) ?? null,
      owner: String(row.owner),
      heartbeatAt: Number(row.heartbeat_at),
      createdAt: Number(row.created_at),
      finishedAt: time(row.finished_at),
      steps: steps.map((step) => ({
        seq: Number(step.seq),
        phase: step.phase as Phase,
        name: String(step.name),
        state: step.state as StepState,
        detail: (step.detail as string | null) ?? null,
        startedAt: time(step.started_at),
        finishedAt: time(step.finished_at),
      })),
    };
  }
}
