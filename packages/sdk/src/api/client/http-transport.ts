import { ApiRequestError, grpcCodeOfHttpStatus, ServerUnreachableError } from './errors.ts';

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as `multipart/form-data`. */
  form?: FormData;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface TransportOptions {
  /** The server, e.g. `http://127.0.0.1:8888`; a path prefix (behind a proxy) is kept. */
  baseUrl: string;
  /** Replaces the global `fetch`, e.g. to add authentication. */
  fetch?: typeof fetch;
  /** Sent with every request. */
  headers?: Record<string, string>;
}

/** The most of an error body that is not KFP's JSON that goes into a message. */
const BODY_EXCERPT_CHARS = 200;

/**
 * HTTP for the client: URLs, JSON bodies and the two kinds of failure (the server answered with an
 * error, or nothing answered). Every group of operations shares one.
 */
export class HttpTransport {
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#headers = options.headers ?? {};
  }

  url(path: string, query: Record<string, QueryValue> = {}): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) search.append(name, String(value));
    }
    const text = search.toString();
    return `${this.baseUrl}${path}${text === '' ? '' : `?${text}`}`;
  }

  /** The response of a request that succeeded (2xx); its body is left unread. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...this.#headers, ...options.headers };
    let body: string | FormData | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      body = options.form;
    }
    let response: Response;
    try {
      response = await this.#fetch(this.url(path, options.query), {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new ServerUnreachableError(this.baseUrl, { cause: error });
    }
    if (!response.ok) throw await errorOf(response, `${method} ${path}`);
    return response;
  }

  /** The JSON body of a request that succeeded. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    const text = await readText(response, this.baseUrl);
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  /**
   * The body as it arrives. A connection that drops halfway ends the iteration with
   * ServerUnreachableError, so a follower can tell it from the end of the body.
   */
  async *bytes(response: Response): AsyncGenerator<Uint8Array> {
    if (response.body === null) return;
    try {
      for await (const chunk of response.body) yield chunk;
    } catch (error) {
      throw new ServerUnreachableError(this.baseUrl, { cause: error });
    }
  }
}

async function readText(response: Response, baseUrl: string): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw new ServerUnreachableError(baseUrl, { cause: error });
  }
}

async function errorOf(response: Response, request: string): Promise<ApiRequestError> {
  const text = await response.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    if (isStatusBody(body)) {
      return new ApiRequestError({
        status: response.status,
        code: body.code,
        message: body.message,
        ...(Array.isArray(body.details) ? { details: body.details } : {}),
        request,
      });
    }
  } catch {
    // Not JSON: described below from the status and the text.
  }
  const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, BODY_EXCERPT_CHARS);
  return new ApiRequestError({
    status: response.status,
    code: grpcCodeOfHttpStatus(response.status),
    message: `${request} answered HTTP ${response.status} ${response.statusText}${excerpt === '' ? '' : `: ${excerpt}`}`,
    request,
  });
}

function isStatusBody(
  body: unknown,
): body is { code: number; message: string; details?: Record<string, unknown>[] } {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { code?: unknown }).code === 'number' &&
    typeof (body as { message?: unknown }).message === 'string'
  );
}

/** A path segment: ids and names are escaped so `/`, `?` or `:` in them stay inside the segment. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
