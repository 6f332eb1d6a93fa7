import { CairnError } from '../../errors.ts';
import { parseJsonInteger } from './json-integer.ts';

export const MAX_CONCURRENCY_LIMIT = 10;

/**
 * A recurring run's `max_concurrency`, validated as KFP's API server does: runs of one recurring run
 * that may be active at once, from 1 to 10. KFP requires the field; absent, it defaults to 1 here, the
 * value KFP's SDK sends by default. Throws a CairnError (SCHEDULE_INVALID) otherwise.
 */
export function parseMaxConcurrency(value: unknown): number {
  if (value === undefined || value === null) return 1;
  const parsed = parseJsonInteger(value);
  if (parsed === undefined || parsed < 1 || parsed > MAX_CONCURRENCY_LIMIT) {
    throw new CairnError(
      'SCHEDULE_INVALID',
      `max_concurrency is ${JSON.stringify(value)}; expected a whole number from 1 to ${MAX_CONCURRENCY_LIMIT}`,
    );
  }
  return parsed;
}
