import type { QueryValue } from './http-transport.ts';

/** The comparisons of KFP's filter.proto. */
export type FilterOperation =
  | 'EQUALS'
  | 'NOT_EQUALS'
  | 'GREATER_THAN'
  | 'GREATER_THAN_EQUALS'
  | 'LESS_THAN'
  | 'LESS_THAN_EQUALS'
  | 'IN'
  | 'IS_SUBSTRING';

/** One predicate of KFP's Filter: a field, an operation and one value of the kind the field takes. */
export interface FilterPredicate {
  key: string;
  operation: FilterOperation;
  string_value?: string;
  int_value?: number;
  long_value?: string | number;
  /** RFC 3339. */
  timestamp_value?: string;
  string_values?: { values: string[] };
  int_values?: { values: number[] };
  long_values?: { values: (string | number)[] };
}

/** KFP's Filter message; every predicate must hold. */
export interface ListFilter {
  predicates: FilterPredicate[];
}

/** What every list operation takes. */
export interface ListOptions {
  /** At most 200; the server's default is 20. */
  page_size?: number;
  /** The `next_page_token` of the page before. */
  page_token?: string;
  /** A field and an optional direction, e.g. `created_at desc`. */
  sort_by?: string;
  filter?: ListFilter;
}

/** The query string of a list: the filter travels as its JSON, as KFP's clients send it. */
export function listQuery(options: ListOptions): Record<string, QueryValue> {
  return {
    page_size: options.page_size,
    page_token: options.page_token,
    sort_by: options.sort_by,
    filter: options.filter === undefined ? undefined : JSON.stringify(options.filter),
  };
}

/**
 * Every item of a list, page after page, following `next_page_token` until it is empty.
 *
 * @example
 * for await (const run of allPages({}, (page) => client.runs.list(page), (page) => page.runs)) { ... }
 */
export async function* allPages<Options extends ListOptions, Page extends { next_page_token: string }, Item>(
  options: Options,
  fetchPage: (options: Options) => Promise<Page>,
  itemsOf: (page: Page) => readonly Item[] | undefined,
): AsyncGenerator<Item> {
  let pageOptions = options;
  for (;;) {
    const page = await fetchPage(pageOptions);
    yield* itemsOf(page) ?? [];
    if (!page.next_page_token) return;
    pageOptions = { ...pageOptions, page_token: page.next_page_token };
  }
}
