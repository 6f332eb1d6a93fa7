/**
 * A deployment for the crash tests: a migrated test database, a filesystem artifact store and a home
 * directory, shared by the `cairn worker` processes under test and by the test itself, which submits
 * runs (createRun, as the API server will), watches them, and explains what went wrong when a test fails.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { FINAL_TASK_STATES } from '../../../src/engine/leases/task-states.ts';
import { createRun } from '../../../src/engine/runs/create-run.ts';
import { FINAL_RUN_STATES } from '../../../src/engine/runs/run-state.ts';
import { TASK_KIND } from '../../../src/engine/scheduler/task-kinds.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import type { DialectName } from '../../../src/store/dialects/store-dialect.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import type { DatabaseHandle } from '../../../src/store/open-database.ts';
import type { CairnDatabase } from '../../../src/store/tables.ts';
import { createTestDatabase, type TestDatabase } from '../../support/test-databases.ts';
import { SIDE_EFFECT_PIPELINE } from './fixtures/side-effect-pipeline.ts';
import type { FinalTask } from './side-effects.ts';
import { WorkerProcess } from './worker-process.ts';

export class CrashDeployment {
  readonly db: Kysely<CairnDatabase>;
  /** The side-effect log every task of every run appends to. */
  readonly sideEffectLog: string;
  readonly runIds: string[] = [];
  readonly #database: TestDatabase;
  readonly #handle: DatabaseHandle;
  readonly #scratch: string;

  private constructor(database: TestDatabase, handle: DatabaseHandle, scratch: string) {
    this.#database = database;
    this.#handle = handle;
    this.#scratch = scratch;
    this.db = handle.db as Kysely<CairnDatabase>;
    this.sideEffectLog = path.join(scratch, 'side-effects.log');
  }

  static async create(dialect: DialectName): Promise<CrashDeployment> {
    const database = await createTestDatabase(dialect);
    const handle = await connectDatabase(database.location);
    const outcome = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo();
    if (outcome.error) throw outcome.error;
    const scratch = await mkdtemp(path.join(os.tmpdir(), `cairn-crash-${dialect}-`));
    const deployment = new CrashDeployment(database, handle, scratch);
    await writeFile(deployment.sideEffectLog, '');
    return deployment;
  }

  /**
   * Starts `cairn worker --name <name>` on this deployment (or `cairn up`, the server with its embedded
   * worker), with short leases so reclaims come quickly.
   */
  startWorker(name: string, args: readonly string[], command: 'worker' | 'up' = 'worker'): WorkerProcess {
    return new WorkerProcess({
      command,
      db: this.#database.url,
      artifacts: `file://${path.join(this.#scratch, 'artifacts')}`,
      home: path.join(this.#scratch, 'home'),
      name,
      args,
    });
  }

  async submitRuns(count: number): Promise<void> {
    for (let index = 0; index < count; index++) {
      this.runIds.push(
        await createRun(this.db, this.#handle.dialect, {
          displayName: `crash ${index}`,
          pipelineSpec: SIDE_EFFECT_PIPELINE,
          parameters: { log: this.sideEffectLog },
        }),
      );
    }
  }

  async runStates(): Promise<Map<string, string>> {
    const rows = await this.db
      .selectFrom('runs')
      .select(['id', 'state'])
      .where('id', 'in', this.runIds)
      .execute();
    return new Map(rows.map((row) => [row.id, row.state]));
  }

  async allRunsEnded(): Promise<boolean> {
    const states = await this.runStates();
    return [...states.values()].every((state) => (FINAL_RUN_STATES as readonly string[]).includes(state));
  }

  /** Waits for every run to end; throws with `diagnose`'s report when time runs out. */
  async waitForRunsToEnd(timeoutMs: number, workers: readonly WorkerProcess[]): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.allRunsEnded())) {
      if (Date.now() > deadline) {
        throw new Error(`the runs did not all end within ${timeoutMs} ms\n${await this.diagnose(workers)}`);
      }
      await sleep(100);
    }
  }

  async executorTasks(): Promise<FinalTask[]> {
    return this.db
      .selectFrom('tasks')
      .select(['id', 'run_id', 'path', 'state', 'attempt', 'outputs'])
      .where('run_id', 'in', this.runIds)
      .where('kind', '=', TASK_KIND.CONTAINER)
      .execute();
  }

  async sideEffects(): Promise<string> {
    return readFile(this.sideEffectLog, 'utf8');
  }

  /** What a failed test prints: the runs' states, the tasks not final, and each worker's last lines. */
  async diagnose(workers: readonly WorkerProcess[]): Promise<string> {
    const counts = new Map<string, number>();
    for (const state of (await this.runStates()).values()) counts.set(state, (counts.get(state) ?? 0) + 1);
    const runs = await this.db
      .selectFrom('runs')
      .select(['id', 'state', 'error'])
      .where('id', 'in', this.runIds)
      .where('state', '!=', 'SUCCEEDED')
      .execute();
    const open = await this.db
      .selectFrom('tasks')
      .select([
        'run_id',
        'path',
        'state',
        'attempt',
        'max_attempts',
        'lease_owner',
        'lease_expires_at',
        'error',
      ])
      .where('run_id', 'in', this.runIds)
      .where((eb) => eb.or([eb('state', 'not in', [...FINAL_TASK_STATES]), eb('state', '=', 'FAILED')]))
      .execute();
    return [
      `runs by state: ${JSON.stringify(Object.fromEntries(counts))}`,
      ...runs.map((run) => `run ${run.id} ${run.state}${run.error ? `: ${run.error}` : ''}`),
      `tasks not final, or failed (${open.length}):`,
      ...open.map((task) => `  ${JSON.stringify(task)}`),
      ...workers.map((worker) => worker.tail()),
    ].join('\n');
  }

  async close(): Promise<void> {
    await this.#handle.close();
    await this.#database.drop();
    await rm(this.#scratch, { recursive: true, force: true });
  }
}
