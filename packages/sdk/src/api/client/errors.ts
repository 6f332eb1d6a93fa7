/** gRPC's code for each HTTP status grpc-gateway answers with, for error bodies that carry no code. */
const GRPC_CODE_OF_HTTP: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  409: 6,
  413: 8,
  429: 8,
  499: 1,
  501: 12,
  503: 14,
  504: 4,
};

/** The gRPC code a bare HTTP status stands for: UNKNOWN (2) when grpc-gateway has no mapping. */
export function grpcCodeOfHttpStatus(status: number): number {
  return GRPC_CODE_OF_HTTP[status] ?? (status >= 500 ? 13 : 2);
}

/**
 * The server answered, with an error: KFP's `{code, message, details}` body, or a body that is not one
 * (a proxy's page), whose code is then taken from the HTTP status.
 */
export class ApiRequestError extends Error {
  /** The HTTP status, e.g. 404. */
  readonly status: number;
  /** The gRPC status code, e.g. 5 NOT_FOUND. */
  readonly code: number;
  readonly details: readonly Record<string, unknown>[];
  /** The request, as `METHOD path`, for messages. */
  readonly request: string;

  constructor(
    init: {
      status: number;
      code: number;
      message: string;
      details?: Record<string, unknown>[];
      request: string;
    },
    options?: { cause?: unknown },
  ) {
    super(init.message, options);
    this.name = 'ApiRequestError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.request = init.request;
  }
}

/** No answer at all: nothing listens at the URL, the host is unknown, or the connection dropped. */
export class ServerUnreachableError extends Error {
  /** The server's base URL the client was given. */
  readonly url: string;

  constructor(url: string, options?: { cause?: unknown }) {
    super(`cannot reach the Cairn server at ${url}${reasonOf(options?.cause)}`, options);
    this.name = 'ServerUnreachableError';
    this.url = url;
  }
}

/**
 * undici hides the system error (ECONNREFUSED...) in the cause of its "fetch failed" TypeError; without
 * a code, the innermost message says what went wrong (e.g. "bad port").
 */
function reasonOf(cause: unknown): string {
  let current: unknown = cause;
  let innermost: string | undefined;
  while (current instanceof Error) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return ` (${code})`;
    innermost = current.message;
    current = current.cause;
  }
  return innermost === undefined || innermost === 'fetch failed' ? '' : ` (${innermost})`;
}
