import { formatPath, type PathSegment, type SpecIssueCode } from '../issues/spec-issue.ts';

/** The validator's codes; EXECUTOR_UNSUPPORTED (an executor Cairn can load but not run) comes only from here. */
export type PlanErrorCode = SpecIssueCode;

/**
 * Why a spec cannot be planned. The planner runs on validated specs, so this means the spec skipped
 * validation or the validator missed something; either way the caller gets a pointer into the document
 * instead of a TypeError from deep inside the planner. The code and path match {@link SpecIssue}'s, so a
 * caller can report a PlanError as one more issue.
 */
export class PlanError extends Error {
  readonly code: PlanErrorCode;
  readonly path: readonly PathSegment[];
  /** The message without the path in front. */
  readonly reason: string;

  constructor(code: PlanErrorCode, path: readonly PathSegment[], reason: string) {
    super(`${formatPath(path)}: ${reason}`);
    this.name = 'PlanError';
    this.code = code;
    this.path = [...path];
    this.reason = reason;
  }
}
