import type { PathSegment } from '../issues/spec-issue.ts';
import { describe } from '../load/decode-message.ts';
import type { RetryPolicy } from '../model/pipeline-spec.ts';
import type { RetryPlan } from './execution-plan.ts';
import { PlanError } from './plan-error.ts';
import { optionalMessage, optionalNumber } from './read-spec.ts';

/** `backoff_factor` "if unspecified, will default to 2" (pipeline_spec.proto). */
export const DEFAULT_BACKOFF_FACTOR = 2;

/**
 * `backoff_max_duration` "if unspecified, will set to 1 hour" (pipeline_spec.proto), and KFP documents one
 * hour as its maximum, so a longer value is capped rather than honoured.
 */
export const MAX_BACKOFF_MS = 3_600_000;

/**
 * A task's retry policy as numbers, with KFP's defaults for what the spec leaves out. The delay before
 * retry n (counting from 0) is `min(backoffMs * backoffFactor ** n, maxBackoffMs)`, as in KFP's local
 * runner (sdk/python/kfp/local/orchestrator/task_executor.py), which reads a zero `maxRetryCount` or
 * `backoffFactor` as unset, the way proto3 cannot tell 0 from absent for scalars. Negative values are
 * refused, as the validator refuses them.
 */
export function planRetry(spec: RetryPolicy | undefined, path: readonly PathSegment[]): RetryPlan {
  const policy = optionalMessage(spec, path, 'RetryPolicy');
  const maxRetryCount = optionalNumber(policy?.maxRetryCount, [...path, 'maxRetryCount']) ?? 0;
  if (!Number.isInteger(maxRetryCount) || maxRetryCount < 0) {
    throw new PlanError(
      'FIELD_TYPE',
      [...path, 'maxRetryCount'],
      `expected a whole number of 0 or more, got ${maxRetryCount}`,
    );
  }
  const backoffFactor = planBackoffFactor(policy?.backoffFactor, [...path, 'backoffFactor']);
  const maxBackoffMs =
    durationMs(policy?.backoffMaxDuration, [...path, 'backoffMaxDuration']) ?? MAX_BACKOFF_MS;
  return {
    maxRetryCount,
    backoffMs: durationMs(policy?.backoffDuration, [...path, 'backoffDuration']) ?? 0,
    backoffFactor,
    maxBackoffMs: Math.min(maxBackoffMs, MAX_BACKOFF_MS),
  };
}

/**
 * KFP's local runner takes the factor only when it is above 0 (NaN is not), and 2 otherwise. A negative
 * factor is refused as the validator refuses it; an infinite one becomes the largest finite number, which
 * gives the same delays and, unlike Infinity, can be stored as JSON.
 */
function planBackoffFactor(value: unknown, path: readonly PathSegment[]): number {
  if (value === undefined || value === null) return DEFAULT_BACKOFF_FACTOR;
  if (typeof value !== 'number') {
    throw new PlanError('FIELD_TYPE', path, `expected a number, got ${describe(value)}`);
  }
  if (value < 0) throw new PlanError('FIELD_TYPE', path, `expected 0 or more, got ${value}`);
  return value > 0 ? Math.min(value, Number.MAX_VALUE) : DEFAULT_BACKOFF_FACTOR;
}

const DURATION = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/;

/**
 * A `google.protobuf.Duration` in its JSON form ("3.5s") as whole milliseconds, rounded up so that a short
 * but non-zero delay stays non-zero.
 */
export function durationMs(value: unknown, path: readonly PathSegment[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  if (match === null) {
    throw new PlanError(
      'FIELD_TYPE',
      path,
      `expected a duration such as "30s" or "1.5s", got ${describe(value)}`,
    );
  }
  const [, sign, seconds = '0', fraction = ''] = match;
  const nanos = Number(fraction.padEnd(9, '0'));
  const ms = Number(seconds) * 1000 + Math.ceil(nanos / 1_000_000);
  if (sign === '-' && ms > 0) {
    throw new PlanError('FIELD_TYPE', path, `a delay cannot be negative, got "${value}"`);
  }
  if (!Number.isFinite(ms)) throw new PlanError('FIELD_TYPE', path, `the duration "${value}" is too long`);
  return ms;
}
