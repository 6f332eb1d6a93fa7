import { CairnError, errorMessage } from '../../errors.ts';

const FETCH_TIMEOUT_MS = 30_000;

/**
 * The compiled pipeline at a version's `package_url`, fetched over HTTP(S), no larger than `limitBytes`.
 * KFP also reads .tar.gz and .zip packages; Cairn takes the YAML or JSON file itself.
 */
export async function fetchPipelinePackage(url: string, limitBytes: number): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw unreadable(url, 'it is not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw unreadable(
      url,
      `${parsed.protocol} URLs are not fetched; use http(s), or send the spec inline in pipeline_spec`,
    );
  }
  let response: Response;
  try {
    response = await fetch(parsed, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
  } catch (error) {
    // fetch says only "fetch failed"; the reason (refused, unknown host, timeout) is its cause.
    const cause = error instanceof Error && error.cause !== undefined ? `: ${errorMessage(error.cause)}` : '';
    throw unreadable(url, `${errorMessage(error)}${cause}`);
  }
  if (!response.ok) throw unreadable(url, `the server answered ${response.status} ${response.statusText}`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limitBytes)
    throw unreadable(url, `it is ${declared} bytes, more than the limit of ${limitBytes}`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > limitBytes) throw unreadable(url, `it is more than the limit of ${limitBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function unreadable(url: string, why: string): CairnError {
  return new CairnError('PIPELINE_INVALID', `cannot read the pipeline package at package_url ${url}: ${why}`);
}
