import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { parseArtifactStoreUrl } from '../../src/artifacts/artifact-store-url.ts';
import { S3ArtifactStore, type S3ArtifactStoreOptions } from '../../src/artifacts/s3-artifact-store.ts';
import { CairnError } from '../../src/errors.ts';
import { checkService, S3_ENDPOINT } from '../support/services.ts';
import { describeArtifactStoreContract } from './artifact-store-contract.ts';

const START_S3RVER =
  'node --openssl-legacy-provider node_modules/s3rver/bin/s3rver.js --address 127.0.0.1 --port 4569 --directory /tmp/s3rver-data --silent';
const service = await checkService('S3', S3_ENDPOINT, `${START_S3RVER} (or set CAIRN_TEST_S3_ENDPOINT)`);

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const bucket = `cairn-test-${randomUUID().slice(0, 8)}`;
const admin = new S3Client({
  endpoint: S3_ENDPOINT,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials,
  // s3rver does not understand the SDK's default aws-chunked checksum trailers.
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
let bucketCreated: Promise<void> | undefined;
let bucketExists = false;

/** The bucket is created by the first test that needs it, so a skipped suite makes no connection. */
function ensureBucket(): Promise<void> {
  bucketCreated ??= createBucket();
  return bucketCreated;
}

async function createBucket(): Promise<void> {
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  bucketExists = true;
  const probes = ['probe/1', 'probe/2'];
  for (const key of probes) await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
  try {
    await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'probe/', MaxKeys: 1 }));
  } catch (error) {
    // s3rver encrypts continuation tokens with DES, which OpenSSL 3 offers only in its legacy provider.
    throw new Error(`the S3 server cannot paginate listings; if it is s3rver, start it as: ${START_S3RVER}`, {
      cause: error,
    });
  } finally {
    for (const key of probes) await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }
}

async function deleteObjects(prefix: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await admin.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

function storeOptions(prefix: string): S3ArtifactStoreOptions {
  return { bucket, prefix, endpoint: S3_ENDPOINT, region: 'us-east-1', forcePathStyle: true, credentials };
}

after(async () => {
  if (bucketExists) {
    await deleteObjects('');
    await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
  }
  admin.destroy();
});

let storeCount = 0;

describeArtifactStoreContract(
  'S3ArtifactStore',
  async () => {
    await ensureBucket();
    // Each test gets its own prefix in the file's bucket; a page size of 3 makes every list paginate.
    const prefix = `contract-${++storeCount}/root`;
    const store = new S3ArtifactStore({ ...storeOptions(prefix), listPageSize: 3 });
    return {
      store,
      async cleanup() {
        await store.close();
        await deleteObjects(`${prefix}/`);
      },
    };
  },
  {
    ...(service.skip === undefined ? {} : { skip: service.skip }),
    // The test server falls short of S3 here; S3 and MinIO pass both.
    limitations: {
      keyOrderAcrossSeparator:
        's3rver lists keys in its directory-walk order, and pages lose keys when it differs',
      concurrentPuts: 's3rver writes objects in place, so concurrent PUTs to one key interleave their bytes',
    },
  },
);

describe('S3ArtifactStore (S3 specifics)', { skip: service.skip ?? false }, () => {
  test('stores each object at <prefix>/<key> and lists keys without the prefix', async () => {
    await ensureBucket();
    const store = new S3ArtifactStore(storeOptions('specifics/layout/'));
    try {
      await store.put('run/task/output', 'content');
      const head = await admin.send(
        new HeadObjectCommand({ Bucket: bucket, Key: 'specifics/layout/run/task/output' }),
      );
      assert.equal(head.ContentLength, 7);
      const keys: string[] = [];
      for await (const info of store.list()) keys.push(info.key);
      assert.deepEqual(keys, ['run/task/output']);
    } finally {
      await store.close();
      await deleteObjects('specifics/layout/');
    }
  });

  test('with an empty prefix, keys are object keys at the bucket root', async () => {
    await ensureBucket();
    const store = new S3ArtifactStore(storeOptions(''));
    try {
      await store.put('root-level-object', 'x');
      const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: 'root-level-object' }));
      assert.equal(head.ContentLength, 1);
      assert.equal((await store.stat('root-level-object'))?.size, 1);
    } finally {
      await store.delete('root-level-object');
      await store.close();
    }
  });

  test('a missing bucket fails with ARTIFACT_STORE_FAILED naming the bucket and the key', async () => {
    const store = new S3ArtifactStore({ ...storeOptions('p'), bucket: 'cairn-no-such-bucket' });
    try {
      await assert.rejects(store.put('k/v', 'x'), (error: unknown) => {
        assert.ok(error instanceof CairnError);
        assert.equal(error.code, 'ARTIFACT_STORE_FAILED');
        assert.match(
          error.message,
          /"k\/v".*bucket "cairn-no-such-bucket", object key "p\/k\/v".*NoSuchBucket/,
        );
        assert.ok(error.cause instanceof Error);
        return true;
      });
    } finally {
      await store.close();
    }
  });
});

describe('S3ArtifactStore (without a server)', () => {
  test('its url carries endpoint, region and path style, never credentials, and parses back', async () => {
    const store = new S3ArtifactStore({
      bucket: 'my-bucket',
      prefix: 'team/artifacts/',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'very-secret', sessionToken: 'token' },
    });
    await store.close();
    assert.equal(
      store.url,
      's3://my-bucket/team/artifacts?endpoint=http://127.0.0.1:9000&region=eu-west-1&forcePathStyle=true',
    );
    assert.doesNotMatch(store.url, /AKIAEXAMPLE|very-secret|token/);
    assert.deepEqual(parseArtifactStoreUrl(store.url), {
      kind: 's3',
      bucket: 'my-bucket',
      prefix: 'team/artifacts',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
    });
  });

  test('an AWS store url has only the region', async () => {
    const store = new S3ArtifactStore({
      bucket: 'b-1',
      prefix: '',
      region: 'us-east-1',
      forcePathStyle: false,
    });
    await store.close();
    assert.equal(store.url, 's3://b-1?region=us-east-1');
  });

  test('rejects a list page size outside 1..1000', () => {
    for (const listPageSize of [0, 1001, 2.5]) {
      assert.throws(
        () =>
          new S3ArtifactStore({
            bucket: 'b-1',
            prefix: '',
            region: 'us-east-1',
            forcePathStyle: false,
            listPageSize,
          }),
        (error: unknown) =>
          error instanceof CairnError && error.message.includes(`listPageSize ${listPageSize}`),
      );
    }
  });
});
