import { isUuid } from './listing/parse-filter.ts';

/**
 * An id from a URL as the store keeps ids (lowercase UUIDs), or undefined when it cannot name a row: a
 * lookup would find nothing, and PostgreSQL's uuid type would refuse the query outright.
 */
export function storedId(text: string): string | undefined {
  return isUuid(text) ? text.toLowerCase() : undefined;
}
