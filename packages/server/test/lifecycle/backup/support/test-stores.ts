/** Artifact stores for backup tests: a temporary directory, or a fresh bucket on the test S3 server. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ArtifactStore } from '../../../../src/artifacts/artifact-store.ts';
import { FsArtifactStore } from '../../../../src/artifacts/fs-artifact-store.ts';
import { S3ArtifactStore } from '../../../../src/artifacts/s3-artifact-store.ts';
import { checkService, S3_ENDPOINT } from '../../../support/services.ts';

export type StoreKind = 'fs' | 's3';

export interface TestStore {
  readonly store: ArtifactStore;
  /** The value for `--artifacts`. */
  readonly url: string;
  remove(): Promise<void>;
}

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export const s3Service = await checkService(
  'S3',
  S3_ENDPOINT,
  'start s3rver as .ci/run does, or set CAIRN_TEST_S3_ENDPOINT',
);

function s3Admin(): S3Client {
  return new S3Client({
    endpoint: S3_ENDPOINT,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function scratchDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function createTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'fs') {
    const scratch = scratchDir('cairn-backup-store-');
    const root = path.join(scratch.dir, 'artifacts');
    return {
      store: new FsArtifactStore(root),
      url: root,
      remove: async () => scratch.remove(),
    };
  }
  const bucket = `cairn-backup-${randomUUID().slice(0, 8)}`;
  const admin = s3Admin();
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  const options = {
    bucket,
    prefix: 'root',
    endpoint: S3_ENDPOINT,
    region: 'us-east-1',
    forcePathStyle: true,
  };
  const store = new S3ArtifactStore({ ...options, credentials });
  return {
    store,
    url: `s3://${bucket}/root?endpoint=${S3_ENDPOINT}&region=us-east-1&forcePathStyle=true`,
    async remove() {
      await store.close();
      let token: string | undefined;
      do {
        const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        for (const object of page.Contents ?? []) {
          await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
      admin.destroy();
    },
  };
}
