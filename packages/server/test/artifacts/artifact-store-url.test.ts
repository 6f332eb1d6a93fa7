import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  type ArtifactLocation,
  openArtifactStore,
  parseArtifactStoreUrl,
} from '../../src/artifacts/artifact-store-url.ts';
import { FsArtifactStore } from '../../src/artifacts/fs-artifact-store.ts';
import { S3ArtifactStore } from '../../src/artifacts/s3-artifact-store.ts';
import { CairnError } from '../../src/errors.ts';

function s3(fields: Partial<Extract<ArtifactLocation, { kind: 's3' }>>): ArtifactLocation {
  return {
    kind: 's3',
    bucket: 'my-bucket',
    prefix: '',
    region: 'us-east-1',
    forcePathStyle: false,
    ...fields,
  };
}

describe('parseArtifactStoreUrl', () => {
  let savedRegion: string | undefined;

  beforeEach(() => {
    savedRegion = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
  });

  afterEach(() => {
    if (savedRegion === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = savedRegion;
  });

  const valid: Array<[string, ArtifactLocation]> = [
    ['file:///var/lib/cairn/artifacts', { kind: 'file', root: '/var/lib/cairn/artifacts' }],
    ['file:///var/lib/cairn/artifacts/', { kind: 'file', root: '/var/lib/cairn/artifacts' }],
    ['file:///data/with%20space', { kind: 'file', root: '/data/with space' }],
    ['file://localhost/data', { kind: 'file', root: '/data' }],
    ['/srv/artifacts', { kind: 'file', root: '/srv/artifacts' }],
    ['/srv/../srv/artifacts/', { kind: 'file', root: '/srv/artifacts' }],
    ['artifacts', { kind: 'file', root: path.resolve('artifacts') }],
    ['./data/artifacts', { kind: 'file', root: path.resolve('data/artifacts') }],
    ['../elsewhere', { kind: 'file', root: path.resolve('../elsewhere') }],
    ['s3://my-bucket', s3({})],
    ['s3://my-bucket/', s3({})],
    ['s3://my-bucket/pipelines/root', s3({ prefix: 'pipelines/root' })],
    ['s3://my-bucket/pipelines/root/', s3({ prefix: 'pipelines/root' })],
    ['s3://my-bucket/with%20space', s3({ prefix: 'with space' })],
    ['S3://my-bucket/p', s3({ prefix: 'p' })],
    ['s3://my.bucket-1/p', s3({ bucket: 'my.bucket-1', prefix: 'p' })],
    ['s3://abc', s3({ bucket: 'abc' })],
    [`s3://${'a'.repeat(63)}`, s3({ bucket: 'a'.repeat(63) })],
    [
      's3://my-bucket/root?endpoint=http://127.0.0.1:9000&region=us-east-1&forcePathStyle=true',
      s3({ prefix: 'root', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true }),
    ],
    [
      's3://my-bucket?endpoint=https%3A%2F%2Fminio.example.com&region=eu-central-1',
      s3({ endpoint: 'https://minio.example.com', region: 'eu-central-1' }),
    ],
    ['s3://my-bucket?forcePathStyle=1', s3({ forcePathStyle: true })],
    ['s3://my-bucket?forcePathStyle=0', s3({ forcePathStyle: false })],
    ['s3://my-bucket?forcePathStyle=false', s3({ forcePathStyle: false })],
  ];
  for (const [value, expected] of valid) {
    test(`parses ${value}`, () => {
      assert.deepEqual(parseArtifactStoreUrl(value), expected);
    });
  }

  test('takes the region from AWS_REGION when the URL has none', () => {
    process.env.AWS_REGION = 'ap-southeast-2';
    assert.deepEqual(parseArtifactStoreUrl('s3://my-bucket'), s3({ region: 'ap-southeast-2' }));
    assert.deepEqual(parseArtifactStoreUrl('s3://my-bucket?region=us-west-2'), s3({ region: 'us-west-2' }));
  });

  test('names AWS_REGION when its value is unusable', () => {
    process.env.AWS_REGION = 'not a region';
    assertConfigInvalid('s3://my-bucket', ['region "not a region" (from AWS_REGION)']);
  });

  const invalid: Array<[string, string[]]> = [
    [
      '',
      ['"" is not a valid artifact store location', 'it is empty', 'accepted forms: file:///absolute/path'],
    ],
    ['   ', ['it is empty']],
    [' /srv/artifacts', ['leading or trailing whitespace']],
    ['http://example.com/artifacts', ['the scheme "http:" is not supported', 's3://bucket[/prefix]']],
    ['gs://bucket/x', ['the scheme "gs:" is not supported']],
    ['file:relative/path', ['must start with "file://"']],
    ['file://remote-host/share', ['"file://remote-host/share"', 'host']],
    ['file:///data?x=1', ['takes no query or fragment']],
    ['s3:my-bucket', ['must start with "s3://"']],
    ['s3://', ['the bucket name "" is empty']],
    ['s3:///prefix-only', ['the bucket name "" is empty']],
    ['s3://ab', ['the bucket name "ab" is 2 characters long; expected 3 to 63']],
    [`s3://${'a'.repeat(64)}`, ['is 64 characters long; expected 3 to 63']],
    ['s3://My-Bucket', ['"My-Bucket"', 'lowercase letters']],
    ['s3://my_bucket', ['"my_bucket"', 'lowercase letters']],
    ['s3://-bucket', ['begin and end with a lowercase letter or digit']],
    ['s3://bucket-', ['begin and end with a lowercase letter or digit']],
    ['s3://my..bucket', ['two adjacent periods']],
    ['s3://192.168.1.10', ['formatted as an IP address']],
    ['s3://xn--bucket', ['reserves']],
    ['s3://bucket-s3alias', ['reserves']],
    ['s3://bucket:9000/p', ['has a port', '?endpoint=']],
    ['s3://AKIA:secret@my-bucket/p', ['contains credentials', 'AWS_ACCESS_KEY_ID', '"s3://***@my-bucket/p"']],
    ['s3://my-bucket/p#frag', ['takes no fragment']],
    ['s3://my-bucket/a//b', ['the prefix is not usable', 'empty segment']],
    ['s3://my-bucket/a/../b', ['the prefix is not usable', '".." segment']],
    ['s3://my-bucket/a/%2e%2e/b', ['".." segment']],
    ['s3://my-bucket/./b', ['"." segment']],
    ['s3://my-bucket/%E0%A4%A', ['malformed %-escape']],
    [
      's3://my-bucket?bucket=other',
      ['query parameter "bucket" is unknown', 'endpoint, region, forcePathStyle'],
    ],
    ['s3://my-bucket?accessKeyId=x', ['query parameter "accessKeyId" is unknown']],
    ['s3://my-bucket?region=a&region=b', ['"region" is given twice']],
    ['s3://my-bucket?region=', ['"region" is empty']],
    ['s3://my-bucket?region=us_east_1', ['region "us_east_1" is not a region name']],
    ['s3://my-bucket?forcePathStyle=yes', ['forcePathStyle "yes" is not one of true, false, 1, 0']],
    ['s3://my-bucket?endpoint=localhost:9000', ['endpoint "localhost:9000" is not an http or https URL']],
    ['s3://my-bucket?endpoint=not%20a%20url', ['endpoint "not a url" is not a URL']],
    ['s3://my-bucket?endpoint=ftp://host', ['is not an http or https URL']],
    ['s3://my-bucket?endpoint=http://user:pw@host:9000', ['the endpoint contains credentials', '//***@host']],
  ];
  for (const [value, fragments] of invalid) {
    test(`rejects ${JSON.stringify(value)}`, () => {
      assertConfigInvalid(value, fragments);
    });
  }

  test('never repeats credentials in a message', () => {
    for (const value of [
      's3://AKIA:secret@my-bucket',
      's3://AKIA:sec@ret@my-bucket',
      's3://my-bucket?endpoint=http://user:secret@host',
    ]) {
      assert.throws(
        () => parseArtifactStoreUrl(value),
        (error: unknown) => error instanceof CairnError && !error.message.includes('secret'),
      );
    }
  });
});

describe('openArtifactStore', () => {
  test('opens a file store at the root', async () => {
    const store = openArtifactStore({ kind: 'file', root: '/tmp/cairn-never-created' });
    assert.ok(store instanceof FsArtifactStore);
    assert.equal(store.url, 'file:///tmp/cairn-never-created');
    await store.close();
  });

  test('opens an S3 store with the location and credentials, keeping credentials out of its url', async () => {
    const store = openArtifactStore(
      s3({ prefix: 'root', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true }),
      { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
    );
    assert.ok(store instanceof S3ArtifactStore);
    assert.equal(
      store.url,
      's3://my-bucket/root?endpoint=http://127.0.0.1:9000&region=us-east-1&forcePathStyle=true',
    );
    await store.close();
  });
});

function assertConfigInvalid(value: string, fragments: string[]): void {
  assert.throws(
    () => parseArtifactStoreUrl(value),
    (error: unknown) => {
      assert.ok(error instanceof CairnError, `expected a CairnError, got ${String(error)}`);
      assert.equal(error.code, 'CONFIG_INVALID');
      for (const fragment of fragments) {
        assert.ok(
          error.message.includes(fragment),
          `expected ${JSON.stringify(fragment)} in: ${error.message}`,
        );
      }
      return true;
    },
  );
}
