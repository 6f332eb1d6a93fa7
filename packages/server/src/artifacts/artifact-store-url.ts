import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError, errorMessage } from '../errors.ts';
import { validateKeyPrefix } from './artifact-key.ts';
import type { ArtifactStore } from './artifact-store.ts';
import { FsArtifactStore } from './fs-artifact-store.ts';
import { S3ArtifactStore, type S3Credentials } from './s3-artifact-store.ts';

/** Where the artifact store lives, as parsed from its URL. */
export type ArtifactLocation =
  | { kind: 'file'; root: string }
  | {
      kind: 's3';
      bucket: string;
      prefix: string;
      endpoint?: string;
      region: string;
      forcePathStyle: boolean;
    };

const DEFAULT_REGION = 'us-east-1';
const S3_PARAMETERS = ['endpoint', 'region', 'forcePathStyle'] as const;
const ACCEPTED_FORMS =
  'accepted forms: file:///absolute/path, an absolute or relative directory path, or ' +
  's3://bucket[/prefix][?endpoint=http(s)://host:port][&region=name][&forcePathStyle=true|false]';

/**
 * Parses the artifact store setting: `file:///abs/path`, a plain absolute or relative path (resolved
 * against the working directory), or `s3://bucket/optional/prefix?endpoint=...&region=...&forcePathStyle=true`.
 * The region defaults to AWS_REGION, then us-east-1; forcePathStyle defaults to false.
 *
 * Throws CairnError CONFIG_INVALID saying what is wrong with the value; the caller adds which setting it is.
 */
export function parseArtifactStoreUrl(value: string): ArtifactLocation {
  if (value.trim() === '') throw invalid(value, 'it is empty');
  if (value.trim() !== value) throw invalid(value, 'it has leading or trailing whitespace');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined || path.isAbsolute(value)) return { kind: 'file', root: path.resolve(value) };
  if (scheme === 'file') return parseFileUrl(value);
  if (scheme === 's3') return parseS3Url(value);
  throw invalid(value, `the scheme "${scheme}:" is not supported`);
}

/** Opens the store at `location`; S3 `credentials` override the SDK's default credential chain. */
export function openArtifactStore(location: ArtifactLocation, credentials?: S3Credentials): ArtifactStore {
  if (location.kind === 'file') return new FsArtifactStore(location.root);
  const { kind: _kind, ...options } = location;
  return new S3ArtifactStore(credentials === undefined ? options : { ...options, credentials });
}

function parseFileUrl(value: string): ArtifactLocation {
  if (!/^file:\/\//i.test(value)) throw invalid(value, 'a file URL must start with "file://"');
  const url = parseUrl(value);
  if (url.search !== '' || url.hash !== '') throw invalid(value, 'a file URL takes no query or fragment');
  try {
    return { kind: 'file', root: path.resolve(fileURLToPath(url)) };
  } catch (error) {
    throw invalid(value, errorMessage(error));
  }
}

function parseS3Url(value: string): ArtifactLocation {
  if (!/^s3:\/\//i.test(value)) throw invalid(value, 'an S3 URL must start with "s3://"');
  const url = parseUrl(value);
  if (url.username !== '' || url.password !== '') {
    throw invalid(
      value,
      'it contains credentials; expected them in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  if (url.port !== '') {
    throw invalid(value, 'it has a port; expected the server as ?endpoint=http(s)://host:port');
  }
  if (url.hash !== '') throw invalid(value, 'an S3 URL takes no fragment');
  const bucket = url.hostname;
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem !== undefined) {
    throw invalid(value, `the bucket name ${JSON.stringify(bucket)} ${bucketProblem}`);
  }
  // From the value itself: URL parsing would resolve "a/../b" to "b" instead of reporting it.
  const rawPath = /^s3:\/\/[^/?#]*\/?([^?#]*)/i.exec(value)?.[1] ?? '';
  const prefix = parsePrefix(value, rawPath);
  const parameters = parseS3Parameters(value, url.searchParams);
  const region =
    parameters.region === undefined
      ? regionFromEnvironment(value)
      : checkRegion(value, parameters.region, '');
  const forcePathStyle =
    parameters.forcePathStyle === undefined ? false : parseBoolean(value, parameters.forcePathStyle);
  return {
    kind: 's3',
    bucket,
    prefix,
    ...(parameters.endpoint === undefined ? {} : { endpoint: parseEndpoint(value, parameters.endpoint) }),
    region,
    forcePathStyle,
  };
}

function parseUrl(value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw invalid(value, 'it is not a valid URL');
  }
}

/** S3's bucket naming rules for general purpose buckets. */
function bucketNameProblem(bucket: string): string | undefined {
  if (bucket === '') return 'is empty; expected s3://bucket';
  if (bucket.length < 3 || bucket.length > 63) return `is ${bucket.length} characters long; expected 3 to 63`;
  if (!/^[a-z0-9.-]+$/.test(bucket)) {
    return 'contains characters other than lowercase letters, digits, "." and "-"';
  }
  if (!/^[a-z0-9].*[a-z0-9]$/.test(bucket)) return 'does not begin and end with a lowercase letter or digit';
  if (bucket.includes('..')) return 'contains two adjacent periods';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return 'is formatted as an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(bucket)) return 'starts with a prefix that S3 reserves';
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(bucket)) {
    return 'ends with a suffix that S3 reserves';
  }
  return undefined;
}

function parsePrefix(value: string, rawPath: string): string {
  let prefix: string;
  try {
    prefix = decodeURIComponent(rawPath);
  } catch {
    throw invalid(value, 'the prefix contains a malformed %-escape');
  }
  try {
    return validateKeyPrefix(prefix).replace(/\/$/, '');
  } catch (error) {
    throw invalid(value, `the prefix is not usable: ${errorMessage(error)}`);
  }
}

function parseS3Parameters(
  value: string,
  search: URLSearchParams,
): Partial<Record<(typeof S3_PARAMETERS)[number], string>> {
  const parameters: Partial<Record<(typeof S3_PARAMETERS)[number], string>> = {};
  for (const [name, parameter] of search) {
    const known = S3_PARAMETERS.find((candidate) => candidate === name);
    if (known === undefined) {
      throw invalid(
        value,
        `the query parameter "${name}" is unknown; expected only ${S3_PARAMETERS.join(', ')}`,
      );
    }
    if (parameters[known] !== undefined) throw invalid(value, `the query parameter "${name}" is given twice`);
    if (parameter === '') throw invalid(value, `the query parameter "${name}" is empty`);
    parameters[known] = parameter;
  }
  return parameters;
}

function parseEndpoint(value: string, endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalid(
      value,
      `endpoint ${JSON.stringify(redact(endpoint))} is not a URL; expected http(s)://host:port`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(value, `endpoint ${JSON.stringify(redact(endpoint))} is not an http or https URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid(
      value,
      'the endpoint contains credentials; expected them in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw invalid(
      value,
      `endpoint ${JSON.stringify(redact(endpoint))} has a query or fragment; expected http(s)://host:port`,
    );
  }
  return endpoint;
}

function regionFromEnvironment(value: string): string {
  const region = process.env.AWS_REGION;
  if (region === undefined || region === '') return DEFAULT_REGION;
  return checkRegion(value, region, ' (from AWS_REGION)');
}

function checkRegion(value: string, region: string, source: string): string {
  if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(region)) return region;
  throw invalid(value, `region ${JSON.stringify(region)}${source} is not a region name such as us-east-1`);
}

function parseBoolean(value: string, flag: string): boolean {
  if (flag === 'true' || flag === '1') return true;
  if (flag === 'false' || flag === '0') return false;
  throw invalid(value, `forcePathStyle ${JSON.stringify(flag)} is not one of true, false, 1, 0`);
}

/** Hides `user:password@` wherever a mistaken value carries it. */
function redact(value: string): string {
  return value.replace(/\/\/[^/?#]*@/g, '//***@');
}

function invalid(value: string, problem: string): CairnError {
  return new CairnError(
    'CONFIG_INVALID',
    `${JSON.stringify(redact(value))} is not a valid artifact store location: ${problem}; ${ACCEPTED_FORMS}`,
  );
}
