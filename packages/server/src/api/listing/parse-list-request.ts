import { listInvalid, quote } from './list-errors.ts';
import { LIST_RESOURCES, type ListResource, type ListTable } from './list-resources.ts';
import { decodePageToken, type KeysetPosition, type PageToken } from './page-token.ts';
import { formatFilter, isUuid, type ListPredicate, parseFilter, parseFilterJson } from './parse-filter.ts';
import { formatSort, type ListSort, parseSort } from './parse-sort.ts';

/** A list endpoint's parameters as they arrive (query strings, or numbers once a schema coerced them). */
export interface ListRequest {
  page_size?: number | string | undefined;
  page_token?: string | undefined;
  sort_by?: string | undefined;
  filter?: string | undefined;
}

/** A checked list request, ready for `applyListQuery`. */
export interface ListQuery<T extends ListTable = ListTable> {
  readonly resource: ListResource<T>;
  readonly scope: string;
  readonly pageSize: number;
  readonly sort: ListSort;
  /** ANDed. */
  readonly predicates: readonly ListPredicate[];
  /** Where the previous page ended; undefined for the first page. */
  readonly after: KeysetPosition | undefined;
  /** total_size as the first page counted it, carried by the page token; undefined: count it. */
  readonly totalSize: number | undefined;
}

export interface ListScope {
  /**
   * What the caller narrows the list to beyond the filter (the pipeline whose versions are listed, a
   * namespace, an experiment_id parameter), as one string. A page token is refused under another scope,
   * where its position would silently skip rows.
   */
  scope?: string;
}

/** KFP's (list.go); KFP lowers a larger page size to the maximum, Cairn refuses it. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 200;

/** Checks a list request against the resource; throws LIST_INVALID saying what is wrong and what is valid. */
export function parseListRequest<T extends ListTable>(
  request: ListRequest,
  resource: ListResource<T>,
  { scope = '' }: ListScope = {},
): ListQuery<T> {
  const pageSize = parsePageSize(request.page_size);
  const sort = parseSort(request.sort_by, resource);
  const predicates = parseFilter(request.filter, resource);
  if (request.page_token === undefined || request.page_token === '') {
    return { resource, scope, pageSize, sort, predicates, after: undefined, totalSize: undefined };
  }
  const token = decodePageToken(request.page_token);
  const continued = tokenQuery(token, resource, scope);
  // KFP's rule: a request with a page token and neither sort_by nor filter continues the token's query.
  const stated = (request.sort_by ?? '') !== '' || (request.filter ?? '') !== '';
  if (stated && queryKey(sort, predicates) !== queryKey(continued.sort, continued.predicates)) {
    throw listInvalid(
      `page_token: issued for ${describeQuery(continued.sort, continued.predicates)}, but this request has ` +
        `${describeQuery(sort, predicates)}; send the first page's sort_by and filter with each page_token, ` +
        'or neither',
    );
  }
  return { resource, scope, pageSize, ...continued, after: token.after, totalSize: token.totalSize };
}

function parsePageSize(raw: number | string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PAGE_SIZE;
  const size = typeof raw === 'number' ? raw : /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw listInvalid(
      `page_size ${quote(raw)}: expected a whole number from 1 to ${MAX_PAGE_SIZE}, ` +
        `or 0 for the default (${DEFAULT_PAGE_SIZE})`,
    );
  }
  return size === 0 ? DEFAULT_PAGE_SIZE : size;
}

/** The token's query and position, checked against the resource as a request's would be. */
function tokenQuery(
  token: PageToken,
  resource: ListResource,
  scope: string,
): { sort: ListSort; predicates: ListPredicate[] } {
  if (token.resource !== resource.table) {
    const issuedFor = LIST_RESOURCES.find((candidate) => candidate.table === token.resource)?.name;
    throw listInvalid(
      `page_token: issued for listing ${issuedFor ?? quote(token.resource)}, not ${resource.name}; ` +
        'list again without page_token',
    );
  }
  if (token.scope !== scope) {
    throw listInvalid(
      `page_token: issued for another list of ${resource.name} (another parent, namespace or experiment); ` +
        'list again without page_token',
    );
  }
  const malformed = (reason: string) =>
    listInvalid(
      `page_token: not a page token from this server (${reason}); list again without page_token to start from the first page`,
    );
  let sort: ListSort;
  let predicates: ListPredicate[];
  try {
    sort = parseSort(token.sortBy, resource);
    predicates = parseFilterJson(token.filter ?? {}, resource);
  } catch (error) {
    throw malformed(`its query does not hold: ${(error as Error).message}`);
  }
  const { sortValue, id } = token.after;
  const kind = sort.field.kind;
  const fits =
    kind === 'timestamp'
      ? Number.isSafeInteger(sortValue)
      : typeof sortValue === 'string' && (kind !== 'id' || isUuid(sortValue));
  if (!fits || !isUuid(id)) {
    throw malformed(`its position ${quote([sortValue, id])} does not fit ${sort.field.name}`);
  }
  return { sort, predicates };
}

function queryKey(sort: ListSort, predicates: readonly ListPredicate[]): string {
  return JSON.stringify([formatSort(sort), formatFilter(predicates)]);
}

function describeQuery(sort: ListSort, predicates: readonly ListPredicate[]): string {
  const filter = formatFilter(predicates);
  return `sort_by ${quote(formatSort(sort))} and ${filter ? `filter ${quote(filter)}` : 'no filter'}`;
}
