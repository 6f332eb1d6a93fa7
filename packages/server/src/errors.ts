/**
 * Every failure Cairn reports to a user carries a stable code, so scripts can branch on it
 * and the API (a later layer) can map it to an HTTP status without parsing messages.
 */
export type CairnErrorCode =
  | 'CONFIG_INVALID'
  | 'DB_UNREACHABLE'
  | 'SCHEMA_NEWER_THAN_CODE'
  | 'SCHEMA_UNKNOWN_MIGRATION'
  | 'SCHEMA_CHECKSUM_MISMATCH'
  | 'SCHEMA_NOT_CURRENT'
  | 'MIGRATION_FAILED'
  | 'MIGRATION_LOCK_TIMEOUT'
  | 'ARTIFACT_KEY_INVALID'
  | 'ARTIFACT_NOT_FOUND'
  | 'ARTIFACT_RANGE_INVALID'
  | 'ARTIFACT_STORE_FAILED'
  | 'PIPELINE_INVALID'
  | 'PIPELINE_VERSION_NOT_FOUND'
  | 'EXPRESSION_INVALID'
  | 'EXPRESSION_FAILED'
  | 'SCHEDULE_INVALID'
  | 'RECURRING_RUN_NOT_FOUND'
  | 'RUN_INVALID'
  | 'RUN_NOT_FOUND'
  | 'TASK_NOT_FOUND'
  | 'RUN_ACTIVE'
  | 'RUN_NOT_RETRIABLE'
  | 'RUN_INCONSISTENT'
  | 'LIST_INVALID'
  | 'NAME_INVALID'
  | 'NAME_TAKEN'
  | 'FIELD_IMMUTABLE'
  | 'EXPERIMENT_NOT_FOUND'
  | 'EXPERIMENT_NOT_EMPTY'
  | 'EXPERIMENT_ARCHIVED'
  | 'PIPELINE_NOT_FOUND'
  | 'PIPELINE_NOT_EMPTY'
  | 'PIPELINE_VERSION_IN_USE'
  | 'BACKUP_INVALID'
  | 'RESTORE_TARGET_NOT_EMPTY'
  | 'STORAGE_MOVE_REFUSED'
  | 'STORAGE_MOVE_FAILED'
  | 'UPGRADE_INVALID'
  | 'UPGRADE_IN_PROGRESS'
  | 'UPGRADE_REFUSED'
  | 'UPGRADE_FAILED'
  | 'UPGRADE_NOT_FOUND';

export class CairnError extends Error {
  readonly code: CairnErrorCode;

  constructor(code: CairnErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CairnError';
    this.code = code;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
