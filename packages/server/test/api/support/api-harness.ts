/** An API server on a migrated test database, driven in-process through Fastify's inject. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { ApiApp } from '../../../src/api/api-app.ts';
import { buildApiServer } from '../../../src/api/api-server.ts';
import { FsArtifactStore } from '../../../src/artifacts/fs-artifact-store.ts';
import { LocalExecutor } from '../../../src/engine/executor/local/local-executor.ts';
import { Worker } from '../../../src/engine/worker/worker.ts';
import type { DatabaseLocation } from '../../../src/store/database-url.ts';
import type { DialectName, StoreDialect } from '../../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION } from '../../../src/store/migrations/index.ts';
import type { CairnDatabase } from '../../../src/store/tables.ts';
import { CAIRN_VERSION } from '../../../src/version.ts';
import { createMigratedDatabase } from '../../support/migrated-database.ts';

export interface TestApi {
  readonly app: ApiApp;
  readonly db: Kysely<CairnDatabase>;
  readonly dialect: StoreDialect;
  readonly location: DatabaseLocation;
  /** A request's status and parsed JSON body. */
  call(method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, body?: unknown): Promise<ApiAnswer>;
  close(): Promise<void>;
}

export interface ApiAnswer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back.
  readonly body: any;
}

export interface StartApiOptions {
  /** Also run a worker on the same stores, so runs created through the API execute. */
  readonly worker?: boolean;
}

export async function startApi(
  dialect: DialectName,
  bodyLimitBytes = 1024 * 1024,
  options: StartApiOptions = {},
): Promise<TestApi> {
  const store = await createMigratedDatabase(dialect);
  const { db } = store;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cairn-api-'));
  const artifactsDir = path.join(scratch, 'artifacts');
  const artifactStore = new FsArtifactStore(artifactsDir);
  const worker = options.worker
    ? new Worker(
        {
          db,
          dialect: store.dialect,
          artifactStore,
          executor: new LocalExecutor(),
          workDir: path.join(scratch, 'work'),
          leaseMs: 10_000,
          defaultPipelineRoot: `file://${artifactsDir}`,
        },
        { concurrency: 4, pollMs: 25, onError: (error) => assert.fail(error as Error) },
      )
    : undefined;
  worker?.start();
  const app = await buildApiServer(
    {
      db,
      dialect: store.dialect,
      artifactStore,
      version: CAIRN_VERSION,
      schemaVersion: LATEST_SCHEMA_VERSION,
    },
    { bodyLimitBytes },
  );
  return {
    app,
    db,
    dialect: store.dialect,
    location: store.handle.location,
    async call(method, url, body) {
      const response = await app.inject({
        method,
        url,
        ...(body === undefined
          ? {}
          : typeof body === 'string'
            ? { payload: body, headers: { 'content-type': 'application/json' } }
            : { payload: body as object }),
      });
      const text = response.body;
      return { status: response.statusCode, body: text === '' ? undefined : JSON.parse(text) };
    },
    async close() {
      await worker?.stop();
      await app.close();
      await store.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
