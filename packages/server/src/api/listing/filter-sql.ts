/**
 * Predicates as SQL conditions that read the same on SQLite, MySQL/MariaDB and PostgreSQL.
 *
 * Equality and order are the database's: binary on Cairn's databases (utf8mb4_bin on MySQL, which
 * ignores trailing spaces; the database collation on PostgreSQL), so EQUALS is case-sensitive, as names
 * are unique case-sensitively. IS_SUBSTRING ignores case, as KFP's does (its MySQL collation and its
 * Kubernetes store's strings.ToLower), by comparing lower() of both sides: ASCII letters fold on all
 * three databases, other letters as each database's lower() folds them (SQLite's folds none).
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { StoreDialect } from '../../store/dialects/store-dialect.ts';
import { tagKey } from './list-resources.ts';
import { type Comparison, isUuid, type ListPredicate } from './parse-filter.ts';
import { compareToInstant, type Instant } from './parse-timestamp.ts';

const COMPARATORS: Record<Comparison, string> = {
  EQUALS: '=',
  NOT_EQUALS: '<>',
  GREATER_THAN: '>',
  GREATER_THAN_EQUALS: '>=',
  LESS_THAN: '<',
  LESS_THAN_EQUALS: '<=',
};

const OUTCOMES: Record<Comparison, (order: -1 | 0 | 1) => boolean> = {
  EQUALS: (order) => order === 0,
  NOT_EQUALS: (order) => order !== 0,
  GREATER_THAN: (order) => order > 0,
  GREATER_THAN_EQUALS: (order) => order >= 0,
  LESS_THAN: (order) => order < 0,
  LESS_THAN_EQUALS: (order) => order <= 0,
};

const NEVER = sql<SqlBool>`1 = 0`;

/** The condition on the resource's table (named `table` in the query) that keeps the rows matching. */
export function predicateSql(
  table: string,
  predicate: ListPredicate,
  dialect: StoreDialect,
): RawBuilder<SqlBool> {
  const column = sql.ref(`${table}.${predicate.field.column}`);
  // A tag's predicate is EQUALS on a string (parse-filter allows no other); its column holds JSON.
  if (
    predicate.field.kind === 'tag' &&
    predicate.operation === 'EQUALS' &&
    typeof predicate.value === 'string'
  ) {
    return dialect.jsonMemberEquals(column, tagKey(predicate.field), predicate.value);
  }
  const onValue = valueCondition(column, predicate);
  // KFP stores '' or 0 where Cairn stores NULL; a NULL row matches when KFP's value would.
  return predicate.field.nullable && holdsForZero(predicate)
    ? sql<SqlBool>`(${column} is null or ${onValue})`
    : onValue;
}

/** The condition for rows whose column is not NULL. */
function valueCondition(column: RawBuilder<unknown>, predicate: ListPredicate): RawBuilder<SqlBool> {
  const isId = predicate.field.kind === 'id';
  if (predicate.operation === 'IN') {
    // A text that is no UUID matches no id; sent to PostgreSQL's uuid column it would be an error.
    const values = isId ? predicate.values.filter(isUuid) : predicate.values;
    return values.length === 0 ? NEVER : sql<SqlBool>`${column} in (${sql.join(values)})`;
  }
  if (predicate.operation === 'IS_SUBSTRING') {
    // '!' as the escape character: MySQL's default, backslash, is also its string-literal escape.
    const pattern = `%${predicate.value.replace(/[!%_]/g, '!$&')}%`;
    return sql<SqlBool>`lower(${column}) like lower(${pattern}) escape '!'`;
  }
  const { operation, value } = predicate;
  if (typeof value !== 'string') return timestampCondition(column, operation, value);
  if (isId && !isUuid(value)) return operation === 'EQUALS' ? NEVER : sql<SqlBool>`${column} is not null`;
  return sql<SqlBool>`${column} ${sql.raw(COMPARATORS[operation])} ${value}`;
}

/** Columns hold whole milliseconds; an instant between two of them compares as the earlier plus a bit. */
function timestampCondition(
  column: RawBuilder<unknown>,
  operation: Comparison,
  instant: Instant,
): RawBuilder<SqlBool> {
  const { ms, subMsNanos } = instant;
  if (subMsNanos === 0) return sql<SqlBool>`${column} ${sql.raw(COMPARATORS[operation])} ${ms}`;
  switch (operation) {
    case 'EQUALS':
      return NEVER;
    case 'NOT_EQUALS':
      return sql<SqlBool>`${column} is not null`;
    case 'GREATER_THAN':
    case 'GREATER_THAN_EQUALS':
      return sql<SqlBool>`${column} > ${ms}`;
    case 'LESS_THAN':
    case 'LESS_THAN_EQUALS':
      return sql<SqlBool>`${column} <= ${ms}`;
  }
}

/** Whether KFP's zero value for the field ('' for text and ids, 0 for timestamps) matches. */
function holdsForZero(predicate: ListPredicate): boolean {
  if (predicate.operation === 'IN') return predicate.values.includes('');
  if (predicate.operation === 'IS_SUBSTRING') return predicate.value === '';
  const { operation, value } = predicate;
  const order = typeof value === 'string' ? (value === '' ? 0 : -1) : compareToInstant(0, value);
  return OUTCOMES[operation](order);
}
