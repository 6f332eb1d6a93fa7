/**
 * `cairn admin upgrade` and `cairn admin downgrade`: a plan of phases (preflight, backup, drain, migrate,
 * verify, resume), each step's state recorded in the database as it runs. A failure in migrate or verify
 * rolls back: down migrations where the dialect's DDL is transactional, a restore of the plan's backup
 * where it is not. A crash leaves an unfinished plan that the next attempt, by the same release,
 * continues: every step is written so that running it again is safe.
 */
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { ArtifactStore } from '../../artifacts/artifact-store.ts';
import { CairnError, errorMessage } from '../../errors.ts';
import type { DatabaseLocation } from '../../store/database-url.ts';
import { sqliteWriteLocked } from '../../store/dialects/sqlite-write-lock.ts';
import type { AnyDb, StoreDialect } from '../../store/dialects/store-dialect.ts';
import { MIGRATIONS } from '../../store/migrations/index.ts';
import { Migrator, type StepSql } from '../../store/migrator/migrator.ts';
import type { CairnDatabase } from '../../store/tables.ts';
import { CAIRN_VERSION } from '../../version.ts';
import { restoreBackup } from '../backup/restore-backup.ts';
import { writeBackup } from '../backup/write-backup.ts';
import {
  countActiveLeases,
  ensureMaintenanceTable,
  setMaintenance,
} from '../maintenance/maintenance-state.ts';
import { findRelease, releaseAtSchema } from '../releases/release-manifest.ts';
import { verifyDeployment } from '../verify/verify-deployment.ts';
import { dropCairnTables } from './drop-tables.ts';
import { migrationStepName, migrationsToRun, planSteps, type StepSpec } from './plan-steps.ts';
import { ensurePlanTables } from './plan-tables.ts';
import {
  checkCompatibility,
  checkDiskSpace,
  checkNewDatabase,
  checkNoOtherUpgrade,
  checkReversible,
  checkStores,
  countTableRows,
  notesToConfirm,
} from './preflight.ts';
import type { UpgradeEvent } from './upgrade-events.ts';
import { type PlanKind, type PlanStep, PlanStore, type UpgradePlan } from './upgrade-plan.ts';

export interface UpgradeRequest {
  readonly kind: PlanKind;
  /** A release in releases.yaml; undefined: the newest schema this code knows (upgrade only). */
  readonly toRelease?: string;
  /** Take a backup first (`--no-backup` turns it off, explicitly). */
  readonly backup: boolean;
  /** Where the backup archive goes. */
  readonly backupDir: string;
  /** How long running tasks may take to finish before they are stopped and marked to resume. */
  readonly drainTimeoutMs: number;
  /** Asked before anything changes, with the notes of every release crossed; false stops the plan. */
  readonly confirm: (notes: readonly string[]) => Promise<boolean>;
  readonly onEvent?: (event: UpgradeEvent) => void;
  /** How often the drain checks the task leases. */
  readonly pollMs?: number;
}

export interface UpgradeDeps {
  readonly db: AnyDb;
  readonly dialect: StoreDialect;
  /** Where `db` is, for a rollback's restore (see `RestoreOptions.location`). */
  readonly location: DatabaseLocation;
  readonly store: ArtifactStore;
}

/** The rollback of a new database's plan where DDL is not transactional: no backup, nothing to keep. */
const DROP_NEW_TABLES = 'drop the new tables';
/** A plan whose heartbeat is older than this is taken to have lost its process (crashed or killed). */
export const PLAN_STALE_MS = 15_000;
const HEARTBEAT_MS = 3_000;
/**
 * How long after the mode changes every process obeys it: a MaintenanceWatch (maintenance-watch.ts) uses a
 * reading for up to 1 s, and a claim or a write begun on the last one still ends.
 */
const MODE_OBEYED_MS = 1_500;

export interface PlanPreview {
  readonly fromSchema: number;
  readonly toSchema: number;
  readonly steps: readonly StepSpec[];
  readonly notes: readonly string[];
  readonly sql: readonly StepSql[];
  /** An unfinished plan the real run would continue instead. */
  readonly unfinished: UpgradePlan | undefined;
}

/** What `runUpgrade` would do, for `--dry-run`: it reads the database and changes nothing. */
export async function previewUpgrade(deps: UpgradeDeps, request: UpgradeRequest): Promise<PlanPreview> {
  const migrator = new Migrator({ db: deps.db, dialect: deps.dialect });
  const status = await migrator.status();
  const latest = await new PlanStore(deps.db, deps.dialect).latest();
  const unfinished = latest?.state === 'running' || latest?.state === 'rolling-back' ? latest : undefined;
  const fromSchema = status.databaseSchemaVersion;
  const toSchema = targetSchema(request, fromSchema, migrator.latestVersion);
  const kind = request.kind;
  return {
    fromSchema,
    toSchema,
    steps: planSteps(kind, migrationsToRun(status, MIGRATIONS, toSchema), noBackup(request, fromSchema)),
    notes: notesToConfirm({ kind, fromSchema, toSchema, options: { backup: request.backup } }),
    sql: await migrator.plannedSql(toSchema),
    unfinished,
  };
}

/** The plan's outcome; throws only when it could not record one (or found nothing it may do). */
export async function runUpgrade(deps: UpgradeDeps, request: UpgradeRequest): Promise<UpgradePlan> {
  const { db, dialect, location } = deps;
  await ensurePlanTables(db, dialect);
  await ensureMaintenanceTable(db, dialect);
  const plans = new PlanStore(db, dialect);
  const migrator = new Migrator({ db, dialect });
  const unfinished = await checkNoOtherUpgrade(
    plans,
    PLAN_STALE_MS,
    location.dialect === 'sqlite' && location.path !== ':memory:'
      ? () => sqliteWriteLocked(location.path)
      : undefined,
  );
  const owner = `${os.hostname()}:${process.pid}`;
  let plan: UpgradePlan;
  if (unfinished) {
    plan = await takeOver(plans, unfinished, request, owner);
  } else {
    const status = await migrator.status();
    const target = targetSchema(request, status.databaseSchemaVersion, migrator.latestVersion);
    const migrations = migrationsToRun(status, MIGRATIONS, target);
    const skipBackup = noBackup(request, status.databaseSchemaVersion);
    plan = await plans.create({
      kind: request.kind,
      fromRelease: releaseAtSchema(status.databaseSchemaVersion)?.version ?? null,
      toRelease: request.toRelease ?? releaseAtSchema(target)?.version ?? null,
      fromSchema: status.databaseSchemaVersion,
      toSchema: target,
      cairnVersion: CAIRN_VERSION,
      options: {
        backup: skipBackup === undefined,
        backupDir: skipBackup === undefined ? request.backupDir : null,
        drainTimeoutMs: request.drainTimeoutMs,
      },
      owner,
      steps: planSteps(request.kind, migrations, skipBackup),
    });
  }
  request.onEvent?.({ kind: 'plan', plan, resumed: unfinished !== undefined });
  const heartbeat = setInterval(() => {
    plans.heartbeat(plan.id).catch(() => {
      // A missed heartbeat only makes the plan look stale sooner; the next step's write reports the cause.
    });
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await new PlanRun(deps, request, plans, migrator, plan).run();
  } finally {
    clearInterval(heartbeat);
  }
}

/** Why the plan takes no backup, or undefined when it takes one. */
function noBackup(request: UpgradeRequest, fromSchema: number): string | undefined {
  if (!request.backup) return '--no-backup';
  // A new database holds nothing to lose, and a backup needs the lifecycle tables of schema 7.
  return fromSchema === 0 ? 'a new database' : undefined;
}

function targetSchema(request: UpgradeRequest, current: number, latest: number): number {
  if (request.kind === 'upgrade') {
    const target = request.toRelease === undefined ? latest : findRelease(request.toRelease).schemaVersion;
    if (target > latest) {
      throw new CairnError(
        'UPGRADE_INVALID',
        `release ${request.toRelease} has schema ${target}, newer than this Cairn (${CAIRN_VERSION}) knows; ` +
          'run the upgrade with that release',
      );
    }
    if (target < current) {
      throw new CairnError(
        'UPGRADE_INVALID',
        `the database is at schema ${current}, newer than release ${request.toRelease}'s ${target}; ` +
          'use `cairn admin downgrade --to` to go back',
      );
    }
    return target;
  }
  if (request.toRelease === undefined) {
    throw new CairnError('UPGRADE_INVALID', 'downgrade needs --to VERSION, the release to go back to');
  }
  const target = findRelease(request.toRelease).schemaVersion;
  if (target >= current) {
    throw new CairnError(
      'UPGRADE_INVALID',
      `the database is at schema ${current} and release ${request.toRelease} has schema ${target}: ` +
        'nothing to downgrade; use `cairn admin upgrade` to go forward',
    );
  }
  return target;
}

/** Continues a plan whose process died, if this release and request are the ones that started it. */
async function takeOver(
  plans: PlanStore,
  plan: UpgradePlan,
  request: UpgradeRequest,
  owner: string,
): Promise<UpgradePlan> {
  if (plan.cairnVersion !== CAIRN_VERSION) {
    throw new CairnError(
      'UPGRADE_REFUSED',
      `an ${plan.kind} started by Cairn ${plan.cairnVersion} (plan ${plan.id}) was interrupted; ` +
        `finish it with that release (its \`cairn admin ${plan.kind}\`), not with ${CAIRN_VERSION}`,
    );
  }
  const wanted = request.toRelease ?? null;
  if (plan.kind !== request.kind || (wanted !== null && wanted !== plan.toRelease)) {
    throw new CairnError(
      'UPGRADE_REFUSED',
      `an ${plan.kind} to ${plan.toRelease ?? `schema ${plan.toSchema}`} (plan ${plan.id}) was interrupted ` +
        `and must finish first; run \`cairn admin ${plan.kind}\`${plan.toRelease ? ` --to ${plan.toRelease}` : ''} again`,
    );
  }
  await plans.update(plan.id, { owner });
  return (await plans.get(plan.id)) as UpgradePlan;
}

class PlanRun {
  readonly #deps: UpgradeDeps;
  readonly #request: UpgradeRequest;
  readonly #plans: PlanStore;
  readonly #migrator: Migrator;
  /** Step records the migrator's progress callback started, awaited before the phase ends. */
  /** The migrate phase's step records, written in the order the migrator reports them. */
  #recorded: Promise<void> = Promise.resolve();
  #plan: UpgradePlan;

  constructor(
    deps: UpgradeDeps,
    request: UpgradeRequest,
    plans: PlanStore,
    migrator: Migrator,
    plan: UpgradePlan,
  ) {
    this.#deps = deps;
    this.#request = request;
    this.#plans = plans;
    this.#migrator = migrator;
    this.#plan = plan;
  }

  async run(): Promise<UpgradePlan> {
    if (this.#plan.state === 'running') {
      try {
        await this.#forward();
        await this.#plans.update(this.#plan.id, { state: 'succeeded', error: null });
      } catch (error) {
        const failed = this.#plan.steps.find((step) => step.state === 'failed');
        const phase = failed?.phase;
        if (phase === 'migrate' || phase === 'verify') {
          await this.#plans.update(this.#plan.id, { state: 'rolling-back', error: errorMessage(error) });
          await this.#refresh();
        } else {
          // Nothing changed the schema: serve again, as before the plan.
          await this.#serve();
          await this.#plans.update(this.#plan.id, { state: 'failed', error: errorMessage(error) });
          return this.#refresh();
        }
      }
    }
    if (this.#plan.state === 'rolling-back') {
      await this.#rollback();
      await this.#plans.update(this.#plan.id, { state: 'rolled-back' });
    }
    return this.#refresh();
  }

  async #refresh(): Promise<UpgradePlan> {
    this.#plan = (await this.#plans.get(this.#plan.id)) as UpgradePlan;
    return this.#plan;
  }

  async #forward(): Promise<void> {
    const migrateSteps = this.#plan.steps.filter((step) => step.phase === 'migrate');
    for (const step of this.#plan.steps) {
      if (step.phase === 'rollback' || step.state === 'done' || step.state === 'skipped') continue;
      if (step.phase === 'migrate') {
        // One migrator call runs them all (it resumes an interrupted one first); the steps follow it.
        await this.#migrate(migrateSteps);
        continue;
      }
      await this.#step(step, () => this.#perform(step));
    }
  }

  /** Runs one step, recording its start and its end; a failure is recorded and ends the forward run. */
  async #step(step: PlanStep, perform: () => Promise<string | null | 'skipped'>): Promise<void> {
    await this.#plans.startStep(this.#plan.id, step.seq);
    this.#emit({ kind: 'step-start', step: { ...step, state: 'running' } });
    let detail: string | null | 'skipped';
    try {
      detail = await perform();
    } catch (error) {
      await this.#plans.finishStep(this.#plan.id, step.seq, 'failed', errorMessage(error));
      await this.#refresh();
      this.#emit({ kind: 'step-end', step: this.#find(step.seq) });
      throw error;
    }
    await this.#plans.finishStep(
      this.#plan.id,
      step.seq,
      detail === 'skipped' ? 'skipped' : 'done',
      detail === 'skipped' ? null : detail,
    );
    await this.#refresh();
    this.#emit({ kind: 'step-end', step: this.#find(step.seq) });
  }

  #find(seq: number): PlanStep {
    return this.#plan.steps.find((step) => step.seq === seq) as PlanStep;
  }

  #emit(event: UpgradeEvent): void {
    this.#request.onEvent?.(event);
  }

  #progress(step: PlanStep, message: string): void {
    this.#emit({ kind: 'progress', step, message });
  }

  async #perform(step: PlanStep): Promise<string | null | 'skipped'> {
    const { db, dialect, store } = this.#deps;
    const plan = this.#plan;
    switch (`${step.phase}/${step.name}`) {
      case 'preflight/stores reachable': {
        const reached = await checkStores(db, store);
        return plan.fromSchema === 0 ? `${reached}; ${await checkNewDatabase(db)}` : reached;
      }
      case 'preflight/no other upgrade':
        return `plan ${plan.id}, run by ${plan.owner}`;
      case 'preflight/compatibility': {
        const target = releaseAtSchema(plan.toSchema);
        if (!target) throw new CairnError('UPGRADE_INVALID', `no release has schema ${plan.toSchema}`);
        return checkCompatibility(db, dialect, target);
      }
      case 'preflight/reversible':
        return checkReversible(MIGRATIONS, plan.toSchema, plan.fromSchema);
      case 'preflight/disk space':
        return checkDiskSpace(db, dialect, store, this.#backupDir());
      case 'preflight/notes confirmed': {
        const notes = notesToConfirm(plan);
        this.#emit({ kind: 'notes', notes });
        if (!(await this.#request.confirm(notes))) {
          throw new CairnError('UPGRADE_REFUSED', `the ${plan.kind} was not confirmed; nothing was changed`);
        }
        return notes.length === 0 ? 'no notes' : `${notes.length} note(s) confirmed`;
      }
      case 'backup/backup':
        return this.#backup(step);
      case 'drain/stop new work':
        await setMaintenance(db, dialect, {
          mode: 'draining',
          planId: plan.id,
          reason: `Cairn is ${plan.kind === 'upgrade' ? 'upgrading' : 'downgrading'} (plan ${plan.id})`,
        });
        // Until every process has read the new mode, a server may still take a write and a worker claim a
        // task: counting leases before then could find none while one is being claimed.
        await sleep(MODE_OBEYED_MS);
        return 'writes answer 503; no new task is claimed';
      case 'drain/running tasks finish':
        return this.#waitForLeases(step, plan.options.drainTimeoutMs);
      case 'drain/remaining tasks stopped':
        return this.#stopRemaining(step);
      case 'drain/row counts':
        return JSON.stringify(await countTableRows(db, dialect));
      case 'verify/schema':
        return this.#verifySchema();
      case 'verify/row counts':
        return this.#verifyCounts();
      case 'verify/integrity':
        return this.#verifyIntegrity();
      case 'resume/serve':
        await this.#serve();
        return 'serving: runs in flight continue, recurring runs fire from their next slot';
      default:
        if (step.phase === 'backup') return 'skipped';
        throw new Error(`the plan has a step this release does not know: ${step.phase}/${step.name}`);
    }
  }

  #backupDir(): string {
    return this.#plan.options.backupDir ?? this.#request.backupDir;
  }

  async #backup(step: PlanStep): Promise<string> {
    const file = path.join(
      this.#backupDir(),
      `cairn-backup-schema-${this.#plan.fromSchema}-plan-${this.#plan.id}.tar`,
    );
    const { db, dialect, location, store } = this.#deps;
    // A backup interrupted by a crash is taken again: its archive is only moved into place when complete.
    const summary = await writeBackup({
      db,
      dialect,
      location,
      store,
      file,
      replace: true,
      actor: `${this.#plan.kind} ${this.#plan.id}`,
      onProgress: (event) => this.#progress(step, JSON.stringify(event)),
    });
    await this.#plans.update(this.#plan.id, { backup: file });
    return `${file} (${summary.bytes} bytes)`;
  }

  async #waitForLeases(step: PlanStep, timeoutMs: number): Promise<string> {
    const { db, dialect } = this.#deps;
    const deadline = Date.now() + timeoutMs;
    const poll = this.#request.pollMs ?? 500;
    for (;;) {
      const active = await countActiveLeases(db, dialect);
      if (active === 0) return 'no task is running';
      if (Date.now() >= deadline) return `${active} task(s) still running after ${timeoutMs} ms`;
      this.#progress(step, `${active} task(s) still running`);
      await new Promise((resolve) => setTimeout(resolve, poll));
    }
  }

  async #stopRemaining(step: PlanStep): Promise<string> {
    const { db, dialect } = this.#deps;
    if ((await countActiveLeases(db, dialect)) === 0) return 'none to stop';
    await setMaintenance(db, dialect, {
      mode: 'stopping',
      planId: this.#plan.id,
      reason: `Cairn is ${this.#plan.kind === 'upgrade' ? 'upgrading' : 'downgrading'} (plan ${this.#plan.id})`,
    });
    const left = await this.#waitForLeases(step, this.#plan.options.drainTimeoutMs);
    if (left !== 'no task is running') {
      throw new CairnError(
        'UPGRADE_FAILED',
        `${left}: their workers neither finish nor stop them. Workers of a release before 0.5.0 do not ` +
          'drain: stop them (`cairn up` / `cairn worker`), then run the upgrade again',
      );
    }
    return 'running tasks stopped; they resume after the plan';
  }

  async #migrate(steps: readonly PlanStep[]): Promise<void> {
    const bySeqName = new Map(steps.map((step) => [step.name, step]));
    const migrator = new Migrator({
      db: this.#deps.db,
      dialect: this.#deps.dialect,
      onProgress: ({ phase, step }) => {
        const planStep = bySeqName.get(migrationStepName(step.migration, step.direction));
        if (!planStep) return;
        // One after the other: on a pool, a step's end written beside its start could land first and be
        // overwritten by it.
        const record = this.#recorded.then(() =>
          phase === 'start'
            ? this.#plans.startStep(this.#plan.id, planStep.seq)
            : this.#plans.finishStep(this.#plan.id, planStep.seq, 'done', null),
        );
        this.#recorded = record;
        this.#emit({
          kind: phase === 'start' ? 'step-start' : 'step-end',
          step: { ...planStep, state: phase === 'start' ? 'running' : 'done' },
        });
      },
    });
    const outcome = await migrator.migrateTo(this.#plan.toSchema);
    await this.#recorded;
    if (outcome.error) {
      const failed = await this.#refresh().then((plan) =>
        plan.steps.find((step) => step.phase === 'migrate' && step.state === 'running'),
      );
      const first = failed ?? steps.find((step) => step.state !== 'done');
      if (first) await this.#plans.finishStep(this.#plan.id, first.seq, 'failed', outcome.error.message);
      await this.#refresh();
      throw outcome.error;
    }
    // Steps a resumed migrator found already applied are done too; the others were recorded meanwhile.
    await this.#refresh();
    for (const step of steps) {
      if (this.#find(step.seq).state !== 'done') {
        await this.#plans.finishStep(this.#plan.id, step.seq, 'done', 'already applied');
      }
    }
    await this.#refresh();
  }

  async #verifySchema(): Promise<string> {
    const status = await this.#migrator.status();
    const problems = [
      ...status.unknown.map((row) => `unknown migration ${row.name}`),
      ...status.checksumMismatches.map((mismatch) => `checksum of ${JSON.stringify(mismatch)}`),
      ...status.interrupted.map((row) => `interrupted migration ${row.name}`),
    ];
    if (status.databaseSchemaVersion !== this.#plan.toSchema) {
      problems.push(`schema is ${status.databaseSchemaVersion}, expected ${this.#plan.toSchema}`);
    }
    const missing = status.pending.filter((migration) => migration.version <= this.#plan.toSchema);
    problems.push(...missing.map((migration) => `${migration.name} not applied`));
    if (problems.length > 0) throw new CairnError('UPGRADE_FAILED', `schema check: ${problems.join('; ')}`);
    return `schema ${status.databaseSchemaVersion}, ${status.applied.length} migrations, checksums match`;
  }

  /**
   * Migrations add and change; none so far removes rows, so every table keeps the count it had once the
   * drain had stopped all writing.
   */
  async #verifyCounts(): Promise<string> {
    const before = JSON.parse(
      this.#plan.steps.find((step) => step.phase === 'drain' && step.name === 'row counts')?.detail ?? '{}',
    ) as Record<string, number>;
    const after = await countTableRows(this.#deps.db, this.#deps.dialect);
    // lifecycle_audit is the record of operations like this one, which maintenance does not stop (an
    // operator's `cairn admin backup` or `verify`): it may grow.
    const changed = Object.entries(before)
      .filter(([table, rows]) => {
        const now = after[table];
        return now !== undefined && (table === 'lifecycle_audit' ? now < rows : now !== rows);
      })
      .map(([table, rows]) => `${table}: ${rows} before, ${after[table]} after`);
    if (changed.length > 0)
      throw new CairnError('UPGRADE_FAILED', `row counts changed: ${changed.join('; ')}`);
    const total = Object.values(after).reduce((sum, rows) => sum + rows, 0);
    return `${Object.keys(after).length} tables, ${total} rows, as before`;
  }

  /**
   * The deployment checks this code can run (it reads the newest schema only). Problems a migration can
   * cause fail the step; an orphan or a missing object was there before and is reported, not blamed.
   */
  async #verifyIntegrity(): Promise<string | 'skipped'> {
    if (this.#plan.toSchema !== this.#migrator.latestVersion) return 'skipped';
    const report = await verifyDeployment({
      db: this.#deps.db as Kysely<CairnDatabase>,
      dialect: this.#deps.dialect,
      artifacts: this.#deps.store,
      hash: false,
      actor: `${this.#plan.kind} ${this.#plan.id}`,
    });
    const migrationCaused = report.problems.filter(
      (problem) => !problem.kind.startsWith('artifact-') && problem.kind !== 'orphan-object',
    );
    if (migrationCaused.length > 0) {
      throw new CairnError(
        'UPGRADE_FAILED',
        `integrity: ${migrationCaused.length} problem(s): ${migrationCaused
          .slice(0, 5)
          .map((problem) => `${problem.kind} ${JSON.stringify(problem.ids)}`)
          .join('; ')}`,
      );
    }
    const others = report.problems.length - migrationCaused.length;
    return others === 0
      ? 'clean'
      : `${others} storage problem(s) found that no migration causes; run \`cairn admin verify\` to see them`;
  }

  async #serve(): Promise<void> {
    await setMaintenance(this.#deps.db, this.#deps.dialect, { mode: 'serving', planId: null, reason: null });
  }

  #rollbackSteps() {
    return [
      { phase: 'rollback' as const, name: this.#undoStepName() },
      { phase: 'rollback' as const, name: 'serve' },
    ];
  }

  /**
   * Down migrations where DDL is transactional. Elsewhere a failed migration may have left its schema
   * half changed: the backup is restored, or, for a database that was new, the tables made are dropped.
   */
  #undoStepName(): string {
    const { fromSchema } = this.#plan;
    if (this.#deps.dialect.capabilities.transactionalDdl) return `down migrations to schema ${fromSchema}`;
    return fromSchema === 0 ? DROP_NEW_TABLES : 'restore the backup';
  }

  async #rollback(): Promise<void> {
    const { db, dialect, location, store } = this.#deps;
    // Added here, not where the rollback is decided: a crash between marking the plan rolling back and
    // adding its steps would leave none, and the next attempt would call it rolled back having undone nothing.
    if (!this.#plan.steps.some((step) => step.phase === 'rollback')) {
      await this.#plans.addSteps(this.#plan.id, this.#rollbackSteps());
      await this.#refresh();
    }
    for (const step of this.#plan.steps.filter((candidate) => candidate.phase === 'rollback')) {
      if (step.state === 'done') continue;
      await this.#step(step, async () => {
        if (step.name === 'serve') {
          await this.#serve();
          return `serving on schema ${this.#plan.fromSchema}`;
        }
        if (step.name === 'restore the backup') {
          const file = this.#plan.backup;
          if (!file) {
            throw new CairnError(
              'UPGRADE_FAILED',
              `${dialect.name} cannot undo schema changes in a transaction and the plan took no backup ` +
                '(--no-backup): restore the database from your own backup',
            );
          }
          await dropCairnTables(db);
          await restoreBackup({ db, dialect, location, store, file, force: true, schemaVersion: 'backup' });
          return `restored ${file}`;
        }
        if (step.name === DROP_NEW_TABLES) {
          await dropCairnTables(db);
          return 'the tables the migrations made are dropped; the database is new again';
        }
        const outcome = await this.#migrator.migrateTo(this.#plan.fromSchema);
        if (outcome.error) throw outcome.error;
        return `schema back at ${this.#plan.fromSchema}`;
      });
    }
  }
}
