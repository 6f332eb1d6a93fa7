/** A running engine for tests: a migrated database, a filesystem artifact store and a worker. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { LocalExecutor } from '../../../src/engine/executor/local/local-executor.ts';
import { FINAL_RUN_STATES } from '../../../src/engine/runs/run-state.ts';
import { Worker } from '../../../src/engine/worker/worker.ts';
import { connectDatabase } from '../../../src/store/connect-database.ts';
import type { DialectName, StoreDialect } from '../../../src/store/dialects/store-dialect.ts';
import { Migrator } from '../../../src/store/migrator/migrator.ts';
import type { CairnDatabase } from '../../../src/store/tables.ts';
import { createTestDatabase } from '../../support/test-databases.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));

// Function components run `node`: the project's Node 24, as on a machine where Cairn is installed.
process.env.PATH = `${path.join(REPO_ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`;

export interface TestEngine {
  readonly db: Kysely<CairnDatabase>;
  readonly dialect: StoreDialect;
  readonly artifactsDir: string;
  close(): Promise<void>;
}

export async function startEngine(dialect: DialectName): Promise<TestEngine> {
  const database = await createTestDatabase(dialect);
  const handle = await connectDatabase(database.location);
  const outcome = await new Migrator({ db: handle.db, dialect: handle.dialect }).migrateTo();
  if (outcome.error) throw outcome.error;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-engine-'));
  const artifactsDir = path.join(scratch, 'artifacts');
  const db = handle.db as Kysely<CairnDatabase>;
  const worker = new Worker(
    {
      db,
      dialect: handle.dialect,
      artifactStore: new FsArtifactStore(artifactsDir),
      executor: new LocalExecutor(),
      workDir: path.join(scratch, 'work'),
      leaseMs: 10_000,
      defaultPipelineRoot: `file://${artifactsDir}`,
    },
    { concurrency: 4, pollMs: 25, onError: (error) => assert.fail(error as Error) },
  );
  worker.start();
  return {
    db,
    dialect: handle.dialect,
    artifactsDir,
    async close() {
      await worker.stop();
      await handle.close();
      await database.drop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export async function waitForRun(engine: TestEngine, runId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await engine.db
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    if ((FINAL_RUN_STATES as readonly string[]).includes(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.state} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** A run's task rows by path. */
export async function tasksOf(engine: TestEngine, runId: string) {
  const rows = await engine.db.selectFrom('tasks').selectAll().where('run_id', '=', runId).execute();
  return new Map(rows.map((row) => [row.path, row]));
}

/** A run's states, in the order its history recorded them. */
export async function runHistory(engine: TestEngine, runId: string): Promise<string[]> {
  const rows = await engine.db
    .selectFrom('run_state_history')
    .select('state')
    .where('run_id', '=', runId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.state);
}
