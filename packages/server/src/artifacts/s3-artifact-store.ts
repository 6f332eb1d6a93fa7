import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CairnError, errorMessage } from '../errors.ts';
import { validateArtifactKey, validateKeyPrefix } from './artifact-key.ts';
import type { ArtifactStore, ByteRange, ObjectBody, ObjectInfo, StoredObject } from './artifact-store.ts';
import { type Digest, digestedChunks, rangeInvalid, rangeProblem, toBytes } from './object-bytes.ts';

/** Static credentials; without them the SDK's default chain (AWS_ACCESS_KEY_ID, profiles, roles) applies. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3ArtifactStoreOptions {
  bucket: string;
  /** Key prefix of the store root inside the bucket; '' for the bucket root. A trailing `/` is ignored. */
  prefix: string;
  /** An S3-compatible server (MinIO, s3rver); AWS when omitted. */
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  credentials?: S3Credentials;
  /** Keys per ListObjectsV2 request, 1 to 1000 (the default); smaller only to exercise pagination. */
  listPageSize?: number;
}

/** Parts of this size are buffered per upload slot; with QUEUE_SIZE slots, a put holds about 3 parts. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;
const MAX_LIST_PAGE_SIZE = 1000;

/**
 * An artifact store in an S3 bucket (or an S3-compatible server), one object at `<prefix>/<key>`.
 *
 * Writes are multipart uploads, which S3 makes visible only once complete, so readers never see a
 * partial object; a failed upload is aborted.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly url: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  /** The prefix without its trailing `/`. */
  readonly #prefix: string;
  readonly #listPageSize: number;

  constructor(options: S3ArtifactStoreOptions) {
    const listPageSize = options.listPageSize ?? MAX_LIST_PAGE_SIZE;
    if (!Number.isInteger(listPageSize) || listPageSize < 1 || listPageSize > MAX_LIST_PAGE_SIZE) {
      throw new CairnError(
        'CONFIG_INVALID',
        `listPageSize ${listPageSize} is invalid; expected an integer from 1 to ${MAX_LIST_PAGE_SIZE}`,
      );
    }
    this.#bucket = options.bucket;
    this.#prefix = options.prefix.replace(/\/+$/, '');
    this.#listPageSize = listPageSize;
    this.#client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      // The SDK's default flexible checksums use aws-chunked trailers, which S3-compatible servers such as
      // s3rver and older MinIO reject; send checksums only where the S3 API requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.url = storeUrl(options.bucket, this.#prefix, options);
  }

  async put(key: string, body: ObjectBody): Promise<StoredObject> {
    validateArtifactKey(key);
    const digest: Digest = { hash: createHash('sha256'), size: 0 };
    // highWaterMark 1: read ahead by one chunk only; the upload buffers whole parts itself.
    const source = Readable.from(digestedChunks(body, digest), { highWaterMark: 1 });
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: this.#objectKey(key), Body: source },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // The upload stops reading on failure; release the caller's body instead of leaving it paused.
      source.destroy();
      const { bodyError } = digest;
      if (bodyError === undefined || bodyError === error) throw this.#failed('storing artifact', key, error);
      // lib-storage reports a failed abort instead of the body's error, which is what the caller needs.
      const detail = `; aborting the upload failed too: ${s3Message(error)}`;
      throw this.#failed('storing artifact', key, bodyError, detail);
    }
    return { key, size: digest.size, sha256: digest.hash.digest('hex') };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    validateArtifactKey(key);
    // S3 ignores a malformed Range header and sends the whole object, so such ranges never reach S3.
    if (range !== undefined && rangeProblem(range, Number.MAX_SAFE_INTEGER) !== undefined) {
      throw rangeInvalid(key, range, await this.#sizeOf(key));
    }
    let output: GetObjectCommandOutput;
    try {
      output = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: this.#objectKey(key),
          ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end ?? ''}` }),
        }),
      );
    } catch (error) {
      if (isNotFound(error)) throw this.#notFound(key);
      if (range !== undefined && s3Status(error) === 416) {
        throw rangeInvalid(key, range, await this.#sizeOf(key), 'the object changed while being read');
      }
      throw this.#failed('reading artifact', key, error);
    }
    const body = output.Body;
    if (!(body instanceof Readable)) {
      throw this.#failed('reading artifact', key, new Error('the response has no body stream'));
    }
    if (range === undefined) return body;
    try {
      return this.#rangeOf(key, range, output, body);
    } catch (error) {
      body.destroy();
      throw error;
    }
  }

  /**
   * Checks the range S3 served against the one asked for. S3 shortens a range that ends past the object,
   * which the fs store rejects, and so must this one; some S3-compatible servers serve a wider range
   * (s3rver reads `bytes=0-0` as `bytes=0-`) or an empty object's "range", which are cut or rejected here.
   */
  #rangeOf(key: string, range: ByteRange, output: GetObjectCommandOutput, body: Readable): Readable {
    const served = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(output.ContentRange ?? '');
    const size = Number(served?.[3] ?? output.ContentLength);
    if (!Number.isSafeInteger(size)) {
      throw this.#failed(
        'reading artifact',
        key,
        new Error('the response has no Content-Range or Content-Length'),
      );
    }
    if (rangeProblem(range, size) !== undefined) throw rangeInvalid(key, range, size);
    const servedStart = Number(served?.[1] ?? 0);
    const servedEnd = Number(served?.[2] ?? size - 1);
    const end = range.end ?? size - 1;
    if (servedStart === range.start && servedEnd === end) return body;
    if (servedStart > range.start || servedEnd < end) {
      const served = new Error(
        `the server sent bytes ${servedStart}-${servedEnd} instead of the range asked for`,
      );
      throw this.#failed('reading artifact', key, served);
    }
    return Readable.from(sliceOf(body, range.start - servedStart, end - range.start + 1));
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    validateArtifactKey(key);
    try {
      const output = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }),
      );
      return { key, size: output.ContentLength ?? 0, lastModified: output.LastModified ?? new Date(0) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.#failed('reading the size of artifact', key, error);
    }
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    validateKeyPrefix(prefix);
    yield* this.#listPages(prefix);
  }

  async delete(key: string): Promise<void> {
    validateArtifactKey(key);
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw this.#failed('deleting artifact', key, error);
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  #objectKey(key: string): string {
    return this.#prefix === '' ? key : `${this.#prefix}/${key}`;
  }

  async *#listPages(prefix: string): AsyncGenerator<ObjectInfo> {
    const rootLength = this.#prefix === '' ? 0 : this.#prefix.length + 1;
    let continuationToken: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: this.#objectKey(prefix),
            MaxKeys: this.#listPageSize,
            ContinuationToken: continuationToken,
          }),
        );
      } catch (error) {
        throw this.#failed('listing artifacts under', prefix, error);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key.slice(rootLength),
          size: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
        };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }

  async #sizeOf(key: string): Promise<number> {
    const info = await this.stat(key);
    if (info === undefined) throw this.#notFound(key);
    return info.size;
  }

  #notFound(key: string): CairnError {
    return new CairnError('ARTIFACT_NOT_FOUND', `artifact ${JSON.stringify(key)} not found in ${this.url}`);
  }

  /** @param key the artifact key (or list prefix) the action was about. */
  #failed(action: string, key: string, cause: unknown, detail = ''): CairnError {
    const object = `bucket ${JSON.stringify(this.#bucket)}, object key ${JSON.stringify(this.#objectKey(key))}`;
    return new CairnError(
      'ARTIFACT_STORE_FAILED',
      `${action} ${JSON.stringify(key)} in ${this.url} (${object}) failed: ${s3Message(cause)}${detail}`,
      { cause },
    );
  }
}

/** `s3://bucket/prefix` with the settings needed to reach it again, and never credentials. */
function storeUrl(bucket: string, prefix: string, options: S3ArtifactStoreOptions): string {
  const query = [
    ...(options.endpoint === undefined ? [] : [`endpoint=${encodeQueryValue(options.endpoint)}`]),
    `region=${encodeQueryValue(options.region)}`,
    ...(options.forcePathStyle ? ['forcePathStyle=true'] : []),
  ];
  const path = prefix === '' ? '' : `/${prefix.split('/').map(encodeURIComponent).join('/')}`;
  return `s3://${bucket}${path}?${query.join('&')}`;
}

/** Keeps `:` and `/` readable: both are legal in a query, and endpoints are full of them. */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ':').replace(/%2F/gi, '/');
}

/** The `length` bytes of `body` after the first `skip`. */
async function* sliceOf(body: Readable, skip: number, length: number): AsyncGenerator<Uint8Array> {
  let toSkip = skip;
  let remaining = length;
  for await (const chunk of body) {
    const bytes = toBytes(chunk);
    const from = Math.min(toSkip, bytes.byteLength);
    toSkip -= from;
    const part = bytes.subarray(from, from + remaining);
    remaining -= part.byteLength;
    if (part.byteLength > 0) yield part;
    if (remaining === 0) return;
  }
}

function s3Status(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

/** A missing object, but not a missing bucket: that is a misconfiguration to report. */
function isNotFound(error: unknown): boolean {
  if (!(error instanceof S3ServiceException) || error.name === 'NoSuchBucket') return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404;
}

function s3Message(error: unknown): string {
  return error instanceof S3ServiceException ? `${error.name}: ${errorMessage(error)}` : errorMessage(error);
}
