import type { CompiledQuery } from 'kysely';
import { CairnError, errorMessage } from '../../errors.ts';
import { CAIRN_VERSION } from '../../version.ts';
import type { AnyDb, StoreDialect } from '../dialects/store-dialect.ts';
import { MIGRATIONS } from '../migrations/index.ts';
import type { Migration } from './migration.ts';
import { MigrationContext } from './migration-context.ts';
import { ensureHistoryTable, HISTORY_TABLE, type HistoryRow, readHistory } from './schema-history.ts';
import { compareSchema, incompatibility, type SchemaStatus } from './schema-status.ts';
import { recordingDb } from './sql-recorder.ts';

export type Direction = 'up' | 'down';

export interface PlannedStep {
  migration: Migration;
  direction: Direction;
  /** The step finishes a migration a crash interrupted. */
  resume: boolean;
}

export interface MigrationResult {
  name: string;
  version: number;
  direction: Direction;
  status: 'done' | 'skipped' | 'failed';
  durationMs: number;
}

/** Like Kysely's Migrator: a result set, never a throw halfway, so callers can report what did happen. */
export interface MigrateOutcome {
  results: MigrationResult[];
  error?: CairnError;
}

export interface StepSql {
  name: string;
  version: number;
  direction: Direction;
  statements: CompiledQuery[];
}

export interface MigratorOptions {
  db: AnyDb;
  dialect: StoreDialect;
  migrations?: readonly Migration[];
  cairnVersion?: string;
  lockTimeoutMs?: number;
  /** Called before and after each step, for progress output. */
  onProgress?: (event: { phase: 'start' | 'done'; step: PlannedStep }) => void;
}

/** Applies and reverts migrations under the dialect's migration lock, recording each in the history table. */
export class Migrator {
  readonly #db: AnyDb;
  readonly #dialect: StoreDialect;
  readonly #migrations: readonly Migration[];
  readonly #cairnVersion: string;
  readonly #lockTimeoutMs: number;
  readonly #onProgress: MigratorOptions['onProgress'];

  constructor(options: MigratorOptions) {
    this.#db = options.db;
    this.#dialect = options.dialect;
    this.#migrations = options.migrations ?? MIGRATIONS;
    this.#cairnVersion = options.cairnVersion ?? CAIRN_VERSION;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
    this.#onProgress = options.onProgress;
  }

  get latestVersion(): number {
    return this.#migrations.at(-1)?.version ?? 0;
  }

  async status(): Promise<SchemaStatus> {
    return compareSchema(await readHistory(this.#db, this.#dialect), this.#migrations, this.#cairnVersion);
  }

  /**
   * Brings the schema to `target` (default: the newest known), first finishing any migration a crash
   * interrupted, in the direction it was going.
   */
  async migrateTo(target: number = this.latestVersion): Promise<MigrateOutcome> {
    const invalidTarget = this.#checkTarget(target);
    if (invalidTarget) return { results: [], error: invalidTarget };
    const results: MigrationResult[] = [];
    try {
      await this.#dialect.withMigrationLock(this.#db, this.#lockTimeoutMs, async (connection) => {
        await ensureHistoryTable(connection, this.#dialect);
        const status = compareSchema(
          await readHistory(connection, this.#dialect),
          this.#migrations,
          this.#cairnVersion,
        );
        const blocking = incompatibility(status);
        if (blocking) throw blocking;
        for (const step of this.#plan(status, target)) {
          try {
            results.push(await this.#runStep(connection, step));
          } catch (error) {
            results.push({ ...describeStep(step), status: 'failed', durationMs: 0 });
            throw this.#stepFailure(step, error);
          }
        }
      });
      return { results };
    } catch (error) {
      return {
        results,
        error:
          error instanceof CairnError
            ? error
            : new CairnError('MIGRATION_FAILED', `migration failed: ${errorMessage(error)}`, {
                cause: error,
              }),
      };
    }
  }

  /** The statements `migrateTo(target)` would run against this database, without running them. */
  async plannedSql(target: number = this.latestVersion): Promise<StepSql[]> {
    const invalidTarget = this.#checkTarget(target);
    if (invalidTarget) throw invalidTarget;
    const status = await this.status();
    const blocking = incompatibility(status);
    if (blocking) throw blocking;
    return recordSteps(this.#dialect, this.#plan(status, target));
  }

  #checkTarget(target: number): CairnError | undefined {
    const known = [0, ...this.#migrations.map((migration) => migration.version)];
    if (Number.isInteger(target) && known.includes(target)) return undefined;
    return new CairnError(
      'CONFIG_INVALID',
      `target schema version ${target} is not one this Cairn knows; expected one of ${known.join(', ')}`,
    );
  }

  #plan(status: SchemaStatus, target: number): PlannedStep[] {
    const byVersion = new Map(this.#migrations.map((migration) => [migration.version, migration]));
    const lookup = (row: HistoryRow): Migration => byVersion.get(row.version) as Migration;
    const steps: PlannedStep[] = status.interrupted.map((row) => ({
      migration: lookup(row),
      direction: row.state === 'reverting' ? 'down' : 'up',
      resume: true,
    }));
    const finishedUp = new Set(steps.filter((s) => s.direction === 'up').map((s) => s.migration.version));
    const present = [
      ...status.applied.map(lookup),
      ...this.#migrations.filter((migration) => finishedUp.has(migration.version)),
    ].sort((a, b) => a.version - b.version);
    const toApply = status.pending.concat(
      // A migration whose revert was interrupted is gone once the revert finishes; re-apply it if needed.
      steps.filter((s) => s.direction === 'down').map((s) => s.migration),
    );
    for (const migration of toApply.sort((a, b) => a.version - b.version)) {
      if (migration.version <= target) steps.push({ migration, direction: 'up', resume: false });
    }
    for (const migration of present.reverse()) {
      if (migration.version > target) steps.push({ migration, direction: 'down', resume: false });
    }
    return steps;
  }

  async #runStep(connection: AnyDb, step: PlannedStep): Promise<MigrationResult> {
    const { migration, direction } = step;
    const started = Date.now();
    this.#onProgress?.({ phase: 'start', step });
    const status = await this.#dialect.runMigrationUnit(connection, async (executor) => {
      // Read again inside the unit: on SQLite this is the first moment the write lock is held.
      const row = await executor
        .selectFrom(HISTORY_TABLE)
        .select('state')
        .where('version', '=', migration.version)
        .executeTakeFirst();
      const context = new MigrationContext(executor, this.#dialect, false);
      if (direction === 'up') {
        if (row?.state === 'applied') return 'skipped';
        if (row) {
          await this.#markState(executor, migration, 'applying');
        } else {
          // The history row goes in first, so a crash on MySQL leaves a visible, resumable trace.
          await executor
            .insertInto(HISTORY_TABLE)
            .values({
              version: migration.version,
              name: migration.name,
              checksum: migration.checksum,
              cairn_version: this.#cairnVersion,
              state: 'applying',
              started_at: started,
              finished_at: null,
            })
            .execute();
        }
        await migration.up(context);
        await executor
          .updateTable(HISTORY_TABLE)
          .set({ state: 'applied', finished_at: Date.now() })
          .where('version', '=', migration.version)
          .execute();
        return 'done';
      }
      if (!row) return 'skipped';
      await this.#markState(executor, migration, 'reverting');
      await migration.down(context);
      await executor.deleteFrom(HISTORY_TABLE).where('version', '=', migration.version).execute();
      return 'done';
    });
    this.#onProgress?.({ phase: 'done', step });
    return { ...describeStep(step), status, durationMs: Date.now() - started };
  }

  #stepFailure(step: PlannedStep, error: unknown): CairnError {
    const outcome = this.#dialect.capabilities.transactionalDdl
      ? 'it was rolled back, so the schema is as it was before this step'
      : `${this.#dialect.name} cannot roll back schema changes, so it is recorded as interrupted; ` +
        "fix the cause and run 'cairn admin migrate' again to finish it";
    return new CairnError(
      'MIGRATION_FAILED',
      `migration "${step.migration.name}" (${step.direction}) failed: ${errorMessage(error)}; ${outcome}`,
      { cause: error },
    );
  }

  async #markState(executor: AnyDb, migration: Migration, state: 'applying' | 'reverting'): Promise<void> {
    await executor
      .updateTable(HISTORY_TABLE)
      .set({ state, cairn_version: this.#cairnVersion, started_at: Date.now(), finished_at: null })
      .where('version', '=', migration.version)
      .execute();
  }
}

async function recordSteps(dialect: StoreDialect, steps: PlannedStep[]): Promise<StepSql[]> {
  const recorded: StepSql[] = [];
  for (const { migration, direction } of steps) {
    const statements: CompiledQuery[] = [];
    const context = new MigrationContext(recordingDb(dialect.name, statements), dialect, true);
    await migration[direction](context);
    recorded.push({ ...describeStep({ migration, direction, resume: false }), statements });
  }
  return recorded;
}

/** Every statement of `migrations` for `dialect`, from an empty database: for `migrate --dry-run --dialect`. */
export function sqlFromScratch(
  dialect: StoreDialect,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<StepSql[]> {
  return recordSteps(
    dialect,
    migrations.map((migration) => ({ migration, direction: 'up', resume: false })),
  );
}

function describeStep({ migration, direction }: PlannedStep) {
  return { name: migration.name, version: migration.version, direction };
}
