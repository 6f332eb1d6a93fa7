/**
 * An API server and a worker on one migrated test database and one filesystem artifact store: runs
 * created through the engine really execute (as local processes), and the API serves what they leave.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { ApiApp } from '../../../src/api/api-app.ts';
import { buildApiServer } from '../../../src/api/api-server.ts';
import type { ArtifactStore } from '../../../src/artifacts/artifact-store.ts';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { LocalExecutor } from '../../../src/engine/executor/local/local-executor.ts';
import { createRun } from '../../../src/engine/runs/create-run.ts';
import { FINAL_RUN_STATES } from '../../../src/engine/runs/run-state.ts';
import { Worker } from '../../../src/engine/worker/worker.ts';
import type { DialectName, StoreDialect } from '../../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION } from '../../../src/store/migrations/index.ts';
import type { CairnDatabase } from '../../../src/store/tables.ts';
import { CAIRN_VERSION } from '../../../src/version.ts';
import { createMigratedDatabase } from '../../support/migrated-database.ts';

export interface EngineApi {
  readonly app: ApiApp;
  readonly db: Kysely<CairnDatabase>;
  readonly dialect: StoreDialect;
  /** The store the worker writes to; the API reads the same folder. */
  readonly store: FsArtifactStore;
  /** Creates a run of the compiled pipeline; the worker starts on it at once. */
  run(pipelineSpec: string, displayName?: string): Promise<string>;
  /** Waits for the run to end, and returns its final state. */
  waitForRun(runId: string, timeoutMs?: number): Promise<string>;
  /** The run's task rows by path. */
  tasks(runId: string): Promise<Map<string, { id: string; state: string; attempt: number }>>;
  /** Stops claiming tasks (after those running end), so that new tasks stay queued. */
  stopWorker(): Promise<void>;
  /** Starts claiming tasks again. */
  startWorker(): void;
  close(): Promise<void>;
}

export interface EngineApiOptions {
  /** Wraps the store the API reads from, e.g. to watch what it does. */
  readonly apiStore?: (store: ArtifactStore) => ArtifactStore;
}

export async function startEngineApi(
  dialect: DialectName,
  options: EngineApiOptions = {},
): Promise<EngineApi> {
  const database = await createMigratedDatabase(dialect);
  const { db } = database;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-engine-api-'));
  const store = new FsArtifactStore(path.join(scratch, 'artifacts'));
  const app = await buildApiServer(
    {
      db,
      dialect: database.dialect,
      artifactStore: options.apiStore?.(store) ?? store,
      version: CAIRN_VERSION,
      schemaVersion: LATEST_SCHEMA_VERSION,
    },
    { bodyLimitBytes: 1024 * 1024 },
  );
  const newWorker = () =>
    new Worker(
      {
        db,
        dialect: database.dialect,
        artifactStore: store,
        executor: new LocalExecutor(),
        workDir: path.join(scratch, 'work'),
        leaseMs: 10_000,
        defaultPipelineRoot: store.url,
      },
      { concurrency: 4, pollMs: 25, onError: (error) => assert.fail(error as Error) },
    );
  let worker: Worker | undefined = newWorker();
  worker.start();
  return {
    app,
    db,
    dialect: database.dialect,
    store,
    run: (pipelineSpec, displayName = 'api test') =>
      createRun(db, database.dialect, { displayName, pipelineSpec }),
    async waitForRun(runId, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await db
          .selectFrom('runs')
          .select(['state', 'error'])
          .where('id', '=', runId)
          .executeTakeFirstOrThrow();
        if ((FINAL_RUN_STATES as readonly string[]).includes(run.state)) return run.state;
        if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.state} after ${timeoutMs} ms`);
        await sleep(25);
      }
    },
    async tasks(runId) {
      const rows = await db
        .selectFrom('tasks')
        .select(['id', 'path', 'state', 'attempt'])
        .where('run_id', '=', runId)
        .execute();
      return new Map(rows.map((row) => [row.path, row]));
    },
    async stopWorker() {
      await worker?.stop();
      worker = undefined;
    },
    startWorker() {
      worker ??= newWorker();
      worker.start();
    },
    async close() {
      await worker?.stop();
      await app.close();
      await database.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
