import { listInvalid, quote } from './list-errors.ts';
import { fieldNames, findField, type ListField, type ListResource } from './list-resources.ts';

export interface ListSort {
  readonly field: ListField;
  readonly descending: boolean;
}

/**
 * Reads `sort_by` as KFP does (list.go, NewOptions): "field", "field asc" or "field desc", any case,
 * words separated by any whitespace; empty means the resource's default, ascending.
 */
export function parseSort(sortBy: string | undefined, resource: ListResource): ListSort {
  const words = (sortBy ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const [name, direction] = words;
  if (name === undefined) return { field: resource.defaultSort, descending: false };
  if (words.length > 2 || (direction !== undefined && direction !== 'asc' && direction !== 'desc')) {
    throw listInvalid(
      `sort_by ${quote(sortBy)}: expected "field", "field asc" or "field desc", e.g. "created_at desc"`,
    );
  }
  const sortable = resource.fields.filter((field) => field.sortable);
  const field = findField(resource, name);
  if (!field?.sortable) {
    const problem = field
      ? `${name} can be filtered on but not sorted by`
      : `${resource.name} have no field ${quote(name)}`;
    throw listInvalid(
      `sort_by ${quote(sortBy)}: ${problem}; sort ${resource.name} by one of: ${fieldNames(sortable)}`,
    );
  }
  return { field, descending: direction === 'desc' };
}

/** The canonical `sort_by` text, which a page token records. */
export function formatSort(sort: ListSort): string {
  return `${sort.field.name} ${sort.descending ? 'desc' : 'asc'}`;
}
