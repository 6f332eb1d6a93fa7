import { CairnError, type CairnErrorCode } from '../errors.ts';

/** gRPC status codes, which KFP's errors carry in `code`; the HTTP status follows grpc-gateway's mapping. */
export const GRPC = {
  INVALID_ARGUMENT: { code: 3, http: 400 },
  NOT_FOUND: { code: 5, http: 404 },
  ALREADY_EXISTS: { code: 6, http: 409 },
  PERMISSION_DENIED: { code: 7, http: 403 },
  RESOURCE_EXHAUSTED: { code: 8, http: 429 },
  FAILED_PRECONDITION: { code: 9, http: 400 },
  UNIMPLEMENTED: { code: 12, http: 501 },
  INTERNAL: { code: 13, http: 500 },
  UNAVAILABLE: { code: 14, http: 503 },
} as const;

/** A gRPC code and the HTTP status it is sent with. */
export interface GrpcStatus {
  readonly code: number;
  readonly http: number;
}

/** An error meant for the API's client, with the status it is answered with. */
export class ApiError extends Error {
  readonly status: GrpcStatus;

  constructor(status: GrpcStatus, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

const STATUS_OF: Partial<Record<CairnErrorCode, GrpcStatus>> = {
  PIPELINE_INVALID: GRPC.INVALID_ARGUMENT,
  PIPELINE_VERSION_NOT_FOUND: GRPC.NOT_FOUND,
  SCHEDULE_INVALID: GRPC.INVALID_ARGUMENT,
  RECURRING_RUN_NOT_FOUND: GRPC.NOT_FOUND,
  RUN_INVALID: GRPC.INVALID_ARGUMENT,
  RUN_NOT_FOUND: GRPC.NOT_FOUND,
  TASK_NOT_FOUND: GRPC.NOT_FOUND,
  RUN_ACTIVE: GRPC.FAILED_PRECONDITION,
  RUN_NOT_RETRIABLE: GRPC.FAILED_PRECONDITION,
  LIST_INVALID: GRPC.INVALID_ARGUMENT,
  EXPRESSION_INVALID: GRPC.INVALID_ARGUMENT,
  ARTIFACT_NOT_FOUND: GRPC.NOT_FOUND,
  ARTIFACT_RANGE_INVALID: GRPC.INVALID_ARGUMENT,
  DB_UNREACHABLE: GRPC.UNAVAILABLE,
  NAME_INVALID: GRPC.INVALID_ARGUMENT,
  NAME_TAKEN: GRPC.ALREADY_EXISTS,
  FIELD_IMMUTABLE: GRPC.INVALID_ARGUMENT,
  EXPERIMENT_NOT_FOUND: GRPC.NOT_FOUND,
  EXPERIMENT_NOT_EMPTY: GRPC.FAILED_PRECONDITION,
  EXPERIMENT_ARCHIVED: GRPC.FAILED_PRECONDITION,
  PIPELINE_NOT_FOUND: GRPC.NOT_FOUND,
  PIPELINE_NOT_EMPTY: GRPC.FAILED_PRECONDITION,
  PIPELINE_VERSION_IN_USE: GRPC.FAILED_PRECONDITION,
  UPGRADE_NOT_FOUND: GRPC.NOT_FOUND,
};

/** The status an error is answered with: the client's mistakes are 4xx, everything else is ours. */
export function statusOf(error: unknown): GrpcStatus {
  if (error instanceof ApiError) return error.status;
  if (error instanceof CairnError) return STATUS_OF[error.code] ?? GRPC.INTERNAL;
  return GRPC.INTERNAL;
}
