import type { ListArtifactsQuery } from '@cairn/sdk/api';
import type { ArtifactOrderColumn, ArtifactPageRequest, ArtifactRecord } from '../catalog/artifacts.ts';
import { listInvalid, quote } from './listing/list-errors.ts';
import { decodePageToken, encodePageToken } from './listing/page-token.ts';
import { isUuid } from './listing/parse-filter.ts';

/** KFP's bounds (artifacts.proto): 0 or less means 20, more than 100 means 100. */
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const RESOURCE = 'artifacts';

/**
 * KFP's ML Metadata ids grow with creation, so its default order (ID) is creation order; Cairn's ids are
 * UUIDs, in no order, so creation time stands in for an unspecified field.
 */
const COLUMN_OF: Record<NonNullable<ListArtifactsQuery['order_by_field']>, ArtifactOrderColumn> = {
  FIELD_UNSPECIFIED: 'created_at',
  CREATE_TIME: 'created_at',
  LAST_UPDATE_TIME: 'updated_at',
  ID: 'id',
};

/**
 * A ListArtifacts request, checked. A page token carries the order and the filters it was issued for:
 * a request that states another order, namespace or run would skip rows silently, so it is refused.
 */
export function parseArtifactListRequest(query: ListArtifactsQuery): ArtifactPageRequest {
  const namespace = query.namespace ?? '';
  const size = query.max_result_size ?? 0;
  const pageSize = size <= 0 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE);
  // IdRef: a UUID, or empty for none.
  const runId = query.run_id ? query.run_id.toLowerCase() : undefined;
  const scope = scopeOf(namespace, runId);
  const stated = orderOf(query);
  const base = { namespace, ...(runId === undefined ? {} : { runId }), pageSize };
  if (query.next_page_token === undefined || query.next_page_token === '') return { ...base, ...stated };

  const token = decodePageToken(query.next_page_token);
  if (token.resource !== RESOURCE || token.scope !== scope) {
    throw listInvalid(
      `next_page_token: issued for another list (another namespace or run_id, or not artifacts); ` +
        'list again without next_page_token',
    );
  }
  const order = parseOrder(token.sortBy);
  const orderStated = query.order_by_field !== undefined || query.order_by !== undefined;
  if (orderStated && formatOrder(stated) !== token.sortBy) {
    throw listInvalid(
      `next_page_token: issued for the order ${quote(token.sortBy)} (order_by_field and order_by), but this request asks for ` +
        `${quote(formatOrder(stated))}; send the first page's order_by_field and order_by with each ` +
        'next_page_token, or neither',
    );
  }
  const { sortValue, id } = token.after;
  const time = typeof sortValue === 'number' && Number.isSafeInteger(sortValue) ? sortValue : undefined;
  const fits = order.orderBy === 'id' ? sortValue === id : time !== undefined;
  if (!isUuid(id) || !fits) {
    throw listInvalid(
      `next_page_token: not a page token from this server (its position ${quote([sortValue, id])} does not ` +
        'fit its order); list again without next_page_token',
    );
  }
  return { ...base, ...order, after: time === undefined ? { id } : { id, time } };
}

/** The token for the page after `last`, or '' when there is none. */
export function nextArtifactPageToken(
  request: ArtifactPageRequest,
  last: ArtifactRecord | undefined,
  more: boolean,
): string {
  if (!more || last === undefined) return '';
  const value =
    request.orderBy === 'id' ? last.id : request.orderBy === 'created_at' ? last.createdAt : last.updatedAt;
  return encodePageToken({
    resource: RESOURCE,
    scope: scopeOf(request.namespace, request.runId),
    sortBy: formatOrder(request),
    filter: undefined,
    after: { sortValue: value, id: last.id },
    // KFP's ListArtifactResponse has no total_size.
    totalSize: undefined,
  });
}

type Order = Pick<ArtifactPageRequest, 'orderBy' | 'descending'>;

function orderOf(query: ListArtifactsQuery): Order {
  const direction = (query.order_by ?? '').toLowerCase();
  if (direction !== '' && direction !== 'asc' && direction !== 'desc') {
    throw listInvalid(`order_by ${quote(query.order_by)}: expected "asc" or "desc"`);
  }
  return {
    orderBy: COLUMN_OF[query.order_by_field ?? 'FIELD_UNSPECIFIED'],
    descending: direction === 'desc',
  };
}

/** KFP's names for the order, as a client would send them: `CREATE_TIME asc`. */
const FIELD_OF: Record<ArtifactOrderColumn, string> = {
  created_at: 'CREATE_TIME',
  updated_at: 'LAST_UPDATE_TIME',
  id: 'ID',
};

function formatOrder({ orderBy, descending }: Order): string {
  return `${FIELD_OF[orderBy]} ${descending ? 'desc' : 'asc'}`;
}

function parseOrder(text: string): Order {
  const [field, direction] = text.split(' ');
  const orderBy = Object.entries(FIELD_OF).find(([, name]) => name === field)?.[0] as
    | ArtifactOrderColumn
    | undefined;
  if (orderBy === undefined || (direction !== 'asc' && direction !== 'desc')) {
    throw listInvalid(
      `next_page_token: not a page token from this server (order ${quote(text)}); list again without next_page_token`,
    );
  }
  return { orderBy, descending: direction === 'desc' };
}

function scopeOf(namespace: string, runId: string | undefined): string {
  return runId === undefined && namespace === '' ? '' : JSON.stringify([namespace, runId ?? '']);
}
