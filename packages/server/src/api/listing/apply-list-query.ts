import { type RawBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import { predicateSql } from './filter-sql.ts';
import type { ListField, ListTable } from './list-resources.ts';
import { encodePageToken, type KeysetPosition } from './page-token.ts';
import { formatFilter } from './parse-filter.ts';
import type { ListQuery } from './parse-list-request.ts';
import { formatSort } from './parse-sort.ts';

export interface ListPage<O> {
  readonly rows: O[];
  /** '' on the last page, as KFP sends it. */
  readonly nextPageToken: string;
  /**
   * Every row the filter and the caller's scoping match, on all pages, as the first page counted them:
   * later pages carry that count in their token rather than count again.
   */
  readonly totalSize: number;
}

// The page's rows carry their sort key and id under these names, so the next token is built from the
// values the database compared, whatever columns the caller selected; they are removed before returning.
const SORT_KEY = 'cairn_list_sort_key';
const ROW_ID = 'cairn_list_row_id';

/**
 * Runs one page of a list: `query` selects from the resource's table with the caller's scoping (the
 * pipeline of the versions, a namespace) and no ORDER BY, LIMIT or GROUP BY of its own; joins are fine
 * when they match at most one row each. The page is ordered by (sort key, id), both in the requested
 * direction, and continues after the token's position (keyset pagination: no OFFSET, so rows inserted
 * or deleted meanwhile neither repeat nor vanish from the pages still to come).
 *
 * A first page counts every matching row for total_size unless it is also the last. Where the dialect
 * runs queries side by side, the count starts with the page query rather than after it: over 100,000
 * runs it is most of the page's time, and a count left unused (the page was the last) costs no more
 * than the page query, which then read every matching row too.
 */
export async function applyListQuery<DB, TB extends keyof DB, T extends TB & ListTable, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  list: ListQuery<T>,
  dialect: StoreDialect,
): Promise<ListPage<O>> {
  const { table } = list.resource;
  const filtered = list.predicates.reduce(
    (builder, predicate) => builder.where(predicateSql(table, predicate, dialect)),
    query,
  );
  const sortKey = sortKeySql(table, list.sort.field);
  const id = sql.ref(`${table}.${list.resource.idColumn}`);
  const direction = list.sort.descending ? 'desc' : 'asc';

  let page = filtered
    .select([sortKey.as(SORT_KEY), id.as(ROW_ID)])
    .orderBy(sortKey, direction)
    .orderBy(id, direction)
    .limit(list.pageSize + 1);
  if (list.after) page = page.where(afterSql(sortKey, id, list.after, list.sort.descending));
  const counting =
    list.totalSize === undefined && list.after === undefined && dialect.capabilities.parallelQueries
      ? countRows(filtered)
      : undefined;
  // Unused when the page is the last; a failure then matters no more than the count itself.
  counting?.catch(() => undefined);
  const fetched = (await page.execute()) as (O & Record<typeof SORT_KEY | typeof ROW_ID, unknown>)[];

  const rows = fetched.slice(0, list.pageSize).map((row) => {
    const { [SORT_KEY]: _sortKey, [ROW_ID]: _id, ...rest } = row;
    return rest as O;
  });
  const more = fetched.length > list.pageSize;
  // A first page that is also the last holds every matching row: no count needed.
  const totalSize =
    list.totalSize ??
    (list.after === undefined && !more ? rows.length : await (counting ?? countRows(filtered)));
  const last = fetched[list.pageSize - 1];
  const nextPageToken =
    more && last
      ? encodePageToken({
          resource: table,
          scope: list.scope,
          sortBy: formatSort(list.sort),
          filter: formatFilter(list.predicates),
          after: { sortValue: last[SORT_KEY] as string | number, id: String(last[ROW_ID]) },
          totalSize,
        })
      : '';
  return { rows, nextPageToken, totalSize };
}

async function countRows<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): Promise<number> {
  // Generic over the schema, Kysely cannot name the row type of this query; it is the one column.
  const counted = (await query
    .clearSelect()
    .select(sql<number | string>`count(*)`.as('total_size'))
    .executeTakeFirstOrThrow()) as { total_size: number | string };
  return Number(counted.total_size);
}

/** Nullable sort columns are timestamps, sorted as KFP's 0 where NULL (first ascending, last descending). */
function sortKeySql(table: string, field: ListField): RawBuilder<unknown> {
  const column = sql.ref(`${table}.${field.column}`);
  return field.nullable ? sql`coalesce(${column}, 0)` : column;
}

/**
 * (key, id) after the position in the sort's direction: `key > v or (key = v and id > id0)`, written as
 * `key >= v and (key > v or id > id0)` so that every database can start an index range scan at v.
 */
function afterSql(
  sortKey: RawBuilder<unknown>,
  id: RawBuilder<unknown>,
  { sortValue, id: lastId }: KeysetPosition,
  descending: boolean,
): RawBuilder<SqlBool> {
  const beyond = sql.raw(descending ? '<' : '>');
  const reached = sql.raw(descending ? '<=' : '>=');
  return sql<SqlBool>`${sortKey} ${reached} ${sortValue} and (${sortKey} ${beyond} ${sortValue} or ${id} ${beyond} ${lastId})`;
}
