/**
 * A deployment for the verify tests: a migrated database holding the sample rows, an artifact store (a
 * folder, or a prefix of a bucket on the S3 test server) holding the sample objects under URIs of that
 * store, and a real run of a pipeline with file, directory and metadata-only outputs, driven to the end
 * by an in-process worker. Plus the ways the tests damage it.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { ArtifactStore } from '../../../../src/artifacts/artifact-store.ts';
import { FsArtifactStore } from '../../../../src/artifacts/fs-artifact-store.ts';
import { S3ArtifactStore } from '../../../../src/artifacts/s3-artifact-store.ts';
import { LocalExecutor } from '../../../../src/engine/executor/local/local-executor.ts';
import { createRun } from '../../../../src/engine/runs/create-run.ts';
import { FINAL_RUN_STATES } from '../../../../src/engine/runs/run-state.ts';
import { Worker } from '../../../../src/engine/worker/worker.ts';
import type { StoreDialect } from '../../../../src/store/dialects/store-dialect.ts';
import { LATEST_SCHEMA_VERSION } from '../../../../src/store/migrations/index.ts';
import type { CairnDatabase } from '../../../../src/store/tables.ts';
import { artifactPipelineSpec } from '../../../api/support/artifact-pipeline.ts';
import { SAMPLE_OBJECTS } from '../../../support/sample-objects.ts';
import { IDS, insertSampleRows } from '../../../support/sample-rows.ts';
import { checkService, S3_ENDPOINT } from '../../../support/services.ts';

export type StoreKind = 'fs' | 's3';

export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Whether the S3 test server answers; its suites skip (outside CI) when it does not. */
export const s3Service = await checkService(
  'S3',
  S3_ENDPOINT,
  'start s3rver as .ci/run does, or set CAIRN_TEST_S3_ENDPOINT',
);

/** One bucket per test file, created on first use; each store gets a prefix of its own in it. */
const bucket = `cairn-verify-${randomUUID().slice(0, 8)}`;
let admin: S3Client | undefined;
let bucketCreated: Promise<unknown> | undefined;

function s3Admin(): S3Client {
  admin ??= new S3Client({
    endpoint: S3_ENDPOINT,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return admin;
}

async function deleteS3Objects(prefix: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await s3Admin().send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      await s3Admin().send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

/** Removes the file's bucket; call from a top-level `after`. */
export async function removeTestBucket(): Promise<void> {
  if (bucketCreated !== undefined) {
    await deleteS3Objects('');
    await s3Admin().send(new DeleteBucketCommand({ Bucket: bucket }));
  }
  admin?.destroy();
}

export interface TestStore {
  readonly store: ArtifactStore;
  /** The store's location as `--artifacts` takes it. */
  readonly location: string;
  cleanup(): Promise<void>;
}

export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'fs') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-verify-'));
    const root = path.join(dir, 'artifacts');
    return {
      store: new FsArtifactStore(root),
      location: root,
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  bucketCreated ??= s3Admin().send(new CreateBucketCommand({ Bucket: bucket }));
  await bucketCreated;
  const prefix = `store-${randomUUID().slice(0, 8)}/v2/artifacts`;
  const store = new S3ArtifactStore({
    bucket,
    prefix,
    endpoint: S3_ENDPOINT,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
  });
  return {
    store,
    location: `s3://${bucket}/${prefix}?endpoint=${S3_ENDPOINT}&forcePathStyle=true`,
    cleanup: async () => {
      await store.close();
      await deleteS3Objects(`${prefix}/`);
    },
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The URI the engine records for an object at `key` of `store`. */
export function uriIn(store: ArtifactStore, key: string): string {
  return `${store.url.replace(/\/+$/, '')}/${key}`;
}

/** Artifact rows for the sample objects, besides the sample model's. */
const SAMPLE_ARTIFACT_IDS = ['0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0101', '0b6f2b8e-5d1a-4c36-9a57-1f0d1c0e0102'];

/**
 * The sample rows of every schema version, and the sample objects in `store`, each recorded by an
 * artifact row whose URI is in `store` (the sample model's row is moved there from its S3 URI).
 */
export async function seedSampleDeployment(db: Kysely<CairnDatabase>, store: ArtifactStore): Promise<void> {
  for (let version = 1; version <= LATEST_SCHEMA_VERSION; version++) await insertSampleRows(db, version);
  const [model, ...others] = SAMPLE_OBJECTS;
  assert.ok(model);
  for (const object of SAMPLE_OBJECTS) await store.put(object.key, object.body);
  const modelUri = uriIn(store, model.key);
  await db
    .updateTable('artifacts')
    .set({ uri: modelUri, uri_sha256: sha256(modelUri) })
    .where('id', '=', IDS.artifact)
    .execute();
  for (const [index, object] of others.entries()) {
    const uri = uriIn(store, object.key);
    await db
      .insertInto('artifacts')
      .values({
        id: SAMPLE_ARTIFACT_IDS[index] ?? randomUUID(),
        uri,
        uri_sha256: sha256(uri),
        type: 'system.Artifact',
        name: object.key.split('/').at(-1) ?? null,
        metadata: '{}',
        content_sha256: sha256(object.body),
        size_bytes: Buffer.byteLength(object.body),
        created_at: Date.now(),
        updated_at: Date.now(),
      })
      .execute();
  }
}

/**
 * Runs the artifact pipeline (a file, a file made from it, a directory, an HTML page and metrics that are
 * only metadata) to its end with an in-process worker over `store`, and returns the run's id.
 */
export async function runArtifactPipeline(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  store: ArtifactStore,
): Promise<string> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-verify-work-'));
  const worker = new Worker(
    {
      db,
      dialect,
      artifactStore: store,
      executor: new LocalExecutor(),
      workDir,
      leaseMs: 10_000,
      defaultPipelineRoot: store.url,
    },
    { concurrency: 2, pollMs: 25, onError: (error) => assert.fail(error as Error) },
  );
  worker.start();
  try {
    const runId = await createRun(db, dialect, {
      displayName: 'verify me',
      pipelineSpec: artifactPipelineSpec('verify-me'),
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const run = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
      if ((FINAL_RUN_STATES as readonly string[]).includes(run.state)) {
        assert.equal(run.state, 'SUCCEEDED', run.error ?? '');
        return runId;
      }
      assert.ok(Date.now() < deadline, `run ${runId} still ${run.state} after 60 s`);
      await sleep(50);
    }
  } finally {
    await worker.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Runs `change` on one connection with foreign-key enforcement off, as a restore or a `sqlite3` shell
 * would write: the only way to leave a dangling reference behind on any of the dialects.
 */
export async function withoutForeignKeys(
  db: Kysely<CairnDatabase>,
  dialect: StoreDialect,
  change: (connection: Kysely<CairnDatabase>) => Promise<unknown>,
): Promise<void> {
  const switches: Record<StoreDialect['name'], [RawBuilder<unknown>, RawBuilder<unknown>]> = {
    sqlite: [sql`pragma foreign_keys = off`, sql`pragma foreign_keys = on`],
    mysql: [sql`set foreign_key_checks = 0`, sql`set foreign_key_checks = 1`],
    // Foreign keys are triggers in PostgreSQL; a replica session does not fire them.
    postgres: [sql`set session_replication_role = replica`, sql`set session_replication_role = default`],
  };
  const [off, on] = switches[dialect.name];
  await db.connection().execute(async (connection) => {
    await off.execute(connection);
    try {
      await change(connection);
    } finally {
      await on.execute(connection);
    }
  });
}
