/**
 * Reads `filter`, KFP's v2beta1 Filter message in protobuf's JSON form (backend/api/v2beta1/filter.proto),
 * accepting what KFP's server accepts (protojson.Unmarshal after transformJSONForBackwardCompatibility in
 * backend/src/apiserver/server/list_request_util.go): fields by their proto names or JSON names, the
 * operation by name or number, and NULL for an absent field. Unknown fields are refused, as protojson
 * refuses them. Each predicate is then checked against the resource's fields, where KFP would leave a
 * wrong type for the database to answer with an error or an empty list.
 */
import { listInvalid, quote } from './list-errors.ts';
import {
  type FieldKind,
  fieldNames,
  findField,
  type ListField,
  type ListResource,
  TAG_PREFIX,
  tagField,
  tagKey,
} from './list-resources.ts';
import { formatTimestamp, type Instant, parseTimestamp } from './parse-timestamp.ts';

/** The operations and their numbers in filter.proto (4 is unused there). */
const OPERATION_NUMBERS = {
  EQUALS: 1,
  NOT_EQUALS: 2,
  GREATER_THAN: 3,
  GREATER_THAN_EQUALS: 5,
  LESS_THAN: 6,
  LESS_THAN_EQUALS: 7,
  IN: 8,
  IS_SUBSTRING: 9,
} as const;

export type Operation = keyof typeof OPERATION_NUMBERS;

const OPERATIONS = Object.keys(OPERATION_NUMBERS) as Operation[];

/** The oneof `value` of a Predicate, by proto name, with the JSON name protojson also accepts. */
const VALUE_FIELDS = {
  int_value: 'intValue',
  long_value: 'longValue',
  string_value: 'stringValue',
  timestamp_value: 'timestampValue',
  int_values: 'intValues',
  long_values: 'longValues',
  string_values: 'stringValues',
} as const;

type ValueField = keyof typeof VALUE_FIELDS;

const VALUE_FIELD_BY_JSON_NAME = new Map<string, ValueField>(
  Object.entries(VALUE_FIELDS).flatMap(([name, jsonName]) => [
    [name, name as ValueField],
    [jsonName, name as ValueField],
  ]),
);

export type Comparison = Exclude<Operation, 'IN' | 'IS_SUBSTRING'>;

/** A timestamp field compares with an Instant, every other field with a string. */
export type ListPredicate =
  | { readonly field: ListField; readonly operation: Comparison; readonly value: string | Instant }
  | { readonly field: ListField; readonly operation: 'IN'; readonly values: readonly string[] }
  | { readonly field: ListField; readonly operation: 'IS_SUBSTRING'; readonly value: string };

/** The JSON form of a filter, canonical: as `formatFilter` writes it and a page token records it. */
export interface FilterJson {
  predicates: Record<string, unknown>[];
}

const COMPARISONS: readonly Comparison[] = [
  'EQUALS',
  'NOT_EQUALS',
  'GREATER_THAN',
  'GREATER_THAN_EQUALS',
  'LESS_THAN',
  'LESS_THAN_EQUALS',
];

/**
 * What each kind of field takes. Ids and enums compare for equality only: their order means nothing.
 * Timestamps have no IN, because a filter has no list of timestamps.
 */
const KIND_RULES: Record<
  FieldKind,
  { describe: string; scalar: ValueField; list: ValueField | undefined; operations: readonly Operation[] }
> = {
  string: {
    describe: 'text',
    scalar: 'string_value',
    list: 'string_values',
    operations: [...COMPARISONS, 'IN', 'IS_SUBSTRING'],
  },
  id: {
    describe: 'an id',
    scalar: 'string_value',
    list: 'string_values',
    operations: ['EQUALS', 'NOT_EQUALS', 'IN'],
  },
  enum: {
    describe: 'an enum',
    scalar: 'string_value',
    list: 'string_values',
    operations: ['EQUALS', 'NOT_EQUALS', 'IN'],
  },
  timestamp: { describe: 'a timestamp', scalar: 'timestamp_value', list: undefined, operations: COMPARISONS },
  // KFP matches tags by EQUALS only (extractTagFiltersFromFilterSpec in its pipeline_server.go).
  tag: { describe: 'a tag', scalar: 'string_value', list: undefined, operations: ['EQUALS'] },
};

/** A tag key's limits, as KFP sets them on tags (and the Tags model of the API checks them). */
const TAG_KEY_MAX = 63;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/**
 * The `filter` parameter as received: JSON, or JSON URL-encoded once more, as KFP's UI sends it (the
 * swagger calls the parameter "a url-encoded, JSON-serialized Filter" and KFP's server unescapes it).
 * JSON text starts with "{", which URL-encoded JSON never does; only the latter is unescaped, so a "%"
 * or "+" in plain JSON stays what it is.
 */
export function parseFilter(text: string | undefined, resource: ListResource): ListPredicate[] {
  if (text === undefined || text === '') return [];
  let jsonText = text;
  if (!text.trimStart().startsWith('{')) {
    try {
      jsonText = decodeURIComponent(text.replaceAll('+', ' '));
    } catch {
      throw listInvalid(`filter ${quote(text)}: neither JSON nor URL-encoded JSON`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(jsonText);
  } catch (error) {
    throw listInvalid(`filter ${quote(text)}: not valid JSON (${(error as Error).message})`);
  }
  return parseFilterJson(json, resource);
}

/** A filter already read from JSON (a request's, or the one a page token carries). */
export function parseFilterJson(json: unknown, resource: ListResource): ListPredicate[] {
  const path = 'filter';
  if (!isObject(json)) {
    throw listInvalid(`${path}: expected a JSON object like {"predicates": [...]}; got ${quote(json)}`);
  }
  for (const name of Object.keys(json)) {
    if (name !== 'predicates') {
      throw listInvalid(`${path}: unknown field ${quote(name)}; a filter has only "predicates"`);
    }
  }
  const predicates = json.predicates;
  if (predicates === undefined || predicates === null) return [];
  if (!Array.isArray(predicates)) {
    throw listInvalid(`${path}.predicates: expected an array of predicates; got ${quote(predicates)}`);
  }
  return predicates.map((predicate, index) =>
    parsePredicate(predicate, resource, `${path}.predicates[${index}]`),
  );
}

function parsePredicate(raw: unknown, resource: ListResource, path: string): ListPredicate {
  if (!isObject(raw)) {
    throw listInvalid(`${path}: expected an object with operation, key and a value; got ${quote(raw)}`);
  }
  const values: [ValueField, string, unknown][] = [];
  for (const [name, value] of Object.entries(raw)) {
    const valueField = VALUE_FIELD_BY_JSON_NAME.get(name);
    if (valueField !== undefined) {
      if (value !== null) values.push([valueField, name, value]);
    } else if (name !== 'operation' && name !== 'key') {
      const hint = name === 'op' ? ' ("op" is v1beta1\'s name; v2beta1 calls it "operation")' : '';
      throw listInvalid(
        `${path}: unknown field ${quote(name)}${hint}; a predicate has operation, key and one of ` +
          Object.keys(VALUE_FIELDS).join(', '),
      );
    }
  }
  const operation = parseOperation(raw.operation, path);
  const field = parseKey(raw.key, resource, path);
  const where = `${path} (${field.name} ${operation})`;
  checkOperation(resource, field, operation, where);
  const [first, second] = values;
  if (first === undefined) throw listInvalid(`${where}: no value; set ${valueFieldFor(field, operation)}`);
  if (second !== undefined) {
    throw listInvalid(
      `${where}: more than one value (${values.map(([, name]) => name).join(', ')}); set exactly one`,
    );
  }
  const [valueField, , value] = first;
  return parseValue(field, operation, valueField, value, where);
}

function parseOperation(raw: unknown, path: string): Operation {
  if (raw === undefined || raw === null || raw === 0 || raw === 'OPERATION_UNSPECIFIED') {
    throw listInvalid(
      `${path}: operation is missing or OPERATION_UNSPECIFIED; expected one of ${OPERATIONS.join(', ')}`,
    );
  }
  if (typeof raw === 'string' && OPERATIONS.includes(raw as Operation)) return raw as Operation;
  if (typeof raw === 'number') {
    const named = OPERATIONS.find((operation) => OPERATION_NUMBERS[operation] === raw);
    if (named) return named;
  }
  const numbered = OPERATIONS.map((operation) => `${operation} (${OPERATION_NUMBERS[operation]})`);
  throw listInvalid(
    `${path}.operation: ${quote(raw)} is not an operation; expected one of ${numbered.join(', ')}`,
  );
}

function parseKey(raw: unknown, resource: ListResource, path: string): ListField {
  const keys = fieldNames(resource.fields) + (resource.tagged ? `, ${TAG_PREFIX}KEY (a tag)` : '');
  if (raw === undefined || raw === null || raw === '') {
    throw listInvalid(`${path}: key is missing; filter ${resource.name} on one of: ${keys}`);
  }
  const tag = resource.tagged && typeof raw === 'string' ? tagField(raw) : undefined;
  if (tag) return checkTagKey(tag, path);
  const field = typeof raw === 'string' ? findField(resource, raw) : undefined;
  if (!field) {
    throw listInvalid(
      `${path}.key: ${resource.name} have no field ${quote(raw)}; filter ${resource.name} on one of: ${keys}`,
    );
  }
  return field;
}

function checkTagKey(field: ListField, path: string): ListField {
  const key = tagKey(field);
  const problem =
    key === ''
      ? 'names no tag'
      : key.includes('.')
        ? "names a tag key with a '.', which no tag has"
        : key.length > TAG_KEY_MAX
          ? `names a tag key of ${key.length} characters; tag keys have at most ${TAG_KEY_MAX}`
          : undefined;
  if (problem) throw listInvalid(`${path}.key: ${quote(field.name)} ${problem}; expected ${TAG_PREFIX}KEY`);
  return field;
}

function checkOperation(resource: ListResource, field: ListField, operation: Operation, where: string): void {
  const rules = KIND_RULES[field.kind];
  if (!rules.operations.includes(operation)) {
    if (operation === 'IS_SUBSTRING') {
      const text = fieldNames(resource.fields.filter((candidate) => candidate.kind === 'string'));
      throw listInvalid(
        `${where}: IS_SUBSTRING applies to text fields only (${text}); ${field.name} is ${rules.describe}`,
      );
    }
    throw listInvalid(
      `${where}: ${field.name} is ${rules.describe}, which takes ${rules.operations.join(', ')}, not ${operation}`,
    );
  }
}

/** The value field a predicate with this (checked) operation on this field takes. */
function valueFieldFor(field: ListField, operation: Operation): ValueField | undefined {
  const rules = KIND_RULES[field.kind];
  return operation === 'IN' ? rules.list : rules.scalar;
}

function parseValue(
  field: ListField,
  operation: Operation,
  valueField: ValueField,
  value: unknown,
  where: string,
): ListPredicate {
  const rules = KIND_RULES[field.kind];
  const expected = valueFieldFor(field, operation);
  if (valueField !== expected) {
    const isList = valueField.endsWith('_values');
    const reason =
      operation === 'IN' && !isList
        ? `IN takes a list of values (${expected} {"values": [...]})`
        : operation !== 'IN' && isList
          ? `${operation} compares with one value (${expected}); lists are for IN`
          : `${field.name} is ${rules.describe}; it takes ${expected}${field.kind === 'timestamp' ? ' (RFC 3339)' : ''}`;
    throw listInvalid(`${where}: ${reason}; got ${valueField}`);
  }
  if (operation === 'IN') return { field, operation, values: parseStringValues(field, value, where) };
  if (operation === 'IS_SUBSTRING' || field.kind !== 'timestamp') {
    return { field, operation, value: checkString(field, value, `${where}: string_value`) };
  }
  const instant = typeof value === 'string' ? parseTimestamp(value) : undefined;
  if (!instant) {
    throw listInvalid(
      `${where}: timestamp_value ${quote(value)} is not an RFC 3339 timestamp like "2024-05-01T12:00:00Z"`,
    );
  }
  return { field, operation, value: instant };
}

function parseStringValues(field: ListField, value: unknown, where: string): string[] {
  if (!isObject(value)) {
    throw listInvalid(`${where}: string_values is ${quote(value)}; expected {"values": ["...", ...]}`);
  }
  for (const name of Object.keys(value)) {
    if (name !== 'values') {
      throw listInvalid(`${where}: string_values has an unknown field ${quote(name)}; it has only "values"`);
    }
  }
  const list = value.values ?? [];
  if (!Array.isArray(list)) {
    throw listInvalid(`${where}: string_values.values is ${quote(list)}; expected an array of strings`);
  }
  if (list.length === 0) throw listInvalid(`${where}: IN needs at least one value in string_values.values`);
  return list.map((item, index) => checkString(field, item, `${where}: string_values.values[${index}]`));
}

/** A string for the field: an enum's name must be one of its values; an id in UUID form is lowercased. */
function checkString(field: ListField, value: unknown, where: string): string {
  if (typeof value !== 'string') throw listInvalid(`${where} is ${quote(value)}; expected a string`);
  if (field.kind === 'enum' && !field.values.includes(value)) {
    throw listInvalid(`${where} is ${quote(value)}; ${field.name} is one of ${field.values.join(', ')}`);
  }
  // Ids are stored lowercase; PostgreSQL's uuid type ignores case, the other databases compare text.
  return field.kind === 'id' && isUuid(value) ? value.toLowerCase() : value;
}

/** The canonical JSON of the predicates, or undefined when there are none (no filter). */
export function formatFilter(predicates: readonly ListPredicate[]): FilterJson | undefined {
  if (predicates.length === 0) return undefined;
  return {
    predicates: predicates.map((predicate) => ({
      key: predicate.field.name,
      operation: predicate.operation,
      ...(predicate.operation === 'IN'
        ? { string_values: { values: predicate.values } }
        : typeof predicate.value === 'string'
          ? { string_value: predicate.value }
          : { timestamp_value: formatTimestamp(predicate.value) }),
    })),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
