/**
 * A page token is base64url of a small JSON document: the query it continues (resource, scope, canonical
 * sort and filter) and the keyset position, the sort key and id of the last row already returned.
 *
 * The token carries the query itself rather than a hash of it, because KFP lets a client send only the
 * page token for the following pages (list_request_util.go, validatedListOptions); a request that states
 * a sort or filter must state the token's. A token is text from a client: what it says is checked
 * again, as any request is, before it reaches a query.
 */
import { listInvalid, quote } from './list-errors.ts';
import type { FilterJson } from './parse-filter.ts';

export interface KeysetPosition {
  readonly sortValue: string | number;
  readonly id: string;
}

export interface PageToken {
  /** The table listed. */
  readonly resource: string;
  /** The caller's scoping (a pipeline, a namespace); '' when it has none. */
  readonly scope: string;
  /** Canonical, as `formatSort` writes it. */
  readonly sortBy: string;
  /** Canonical, as `formatFilter` writes it; undefined when unfiltered. */
  readonly filter: FilterJson | undefined;
  readonly after: KeysetPosition;
  /**
   * total_size as the first page counted it. Counting every row the query matches costs more than a
   * page itself on a large history, so later pages repeat the first page's count instead of redoing it.
   * Undefined in tokens from releases before 0.4.0, whose pages count again.
   */
  readonly totalSize: number | undefined;
}

const VERSION = 1;
const KEYS = new Set(['v', 'r', 'c', 's', 'f', 'k', 'n']);

export function encodePageToken(token: PageToken): string {
  const json = {
    v: VERSION,
    r: token.resource,
    ...(token.scope === '' ? {} : { c: token.scope }),
    s: token.sortBy,
    ...(token.filter === undefined ? {} : { f: token.filter }),
    k: [token.after.sortValue, token.after.id],
    ...(token.totalSize === undefined ? {} : { n: token.totalSize }),
  };
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

/** The token's parts, shaped right; whether they make sense for the request is the caller's to check. */
export function decodePageToken(text: string): PageToken {
  const malformed = (reason: string) =>
    listInvalid(
      `page_token ${quote(text)}: not a page token from this server (${reason}); ` +
        'list again without page_token to start from the first page',
    );
  // Node's decoder skips characters outside the alphabet; a token must be exactly what encode wrote.
  const bytes = Buffer.from(text, 'base64url');
  if (!/^[A-Za-z0-9_-]+$/.test(text) || bytes.toString('base64url') !== text) {
    throw malformed('not base64url');
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw malformed('not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw malformed('not an object');
  const { v, r, c = '', s, f, k, n } = json as Record<string, unknown>;
  const unknownKey = Object.keys(json).find((key) => !KEYS.has(key));
  if (unknownKey !== undefined) throw malformed(`unknown part ${quote(unknownKey)}`);
  if (v !== VERSION) throw malformed(`version ${quote(v)}`);
  if (typeof r !== 'string' || typeof c !== 'string' || typeof s !== 'string') {
    throw malformed('resource, scope or sort is not text');
  }
  if (f !== undefined && (typeof f !== 'object' || f === null)) throw malformed('filter is not an object');
  if (
    !Array.isArray(k) ||
    k.length !== 2 ||
    (typeof k[0] !== 'string' && typeof k[0] !== 'number') ||
    typeof k[1] !== 'string'
  ) {
    throw malformed('position is not [sort key, id]');
  }
  if (n !== undefined && !(typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) {
    throw malformed('total is not a count');
  }
  return {
    resource: r,
    scope: c,
    sortBy: s,
    filter: f as FilterJson | undefined,
    after: { sortValue: k[0], id: k[1] },
    totalSize: n,
  };
}
