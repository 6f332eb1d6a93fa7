import type { IssueCollector, PathSegment } from '../issues/spec-issue.ts';
import { didYouMean, listNames } from '../issues/suggest.ts';
import type { FieldSchema, MessageSchema } from './field-schema.ts';

/**
 * Checks a parsed JSON value against a message schema and returns a fresh copy in which known fields are
 * normalised (enum numbers become names, integer strings become numbers) and unknown fields are kept
 * verbatim, with a warning. A field of the wrong shape is an error and is left out of the copy; it is never
 * coerced into something the author did not write.
 */
export function decodeMessage(
  raw: unknown,
  schema: MessageSchema,
  path: readonly PathSegment[],
  issues: IssueCollector,
): Record<string, unknown> | undefined {
  if (!isPlainObject(raw)) {
    issues.error('FIELD_TYPE', path, `expected an object (${schema.name}), got ${describe(raw)}`);
    return undefined;
  }
  const decoded: Record<string, unknown> = {};
  for (const [key, fieldValue] of Object.entries(raw)) {
    const field = Object.hasOwn(schema.fields, key) ? schema.fields[key] : undefined;
    if (field === undefined) {
      issues.warn(
        'FIELD_UNKNOWN',
        [...path, key],
        `unknown field of ${schema.name}, kept as it is${didYouMean(key, Object.keys(schema.fields))}`,
      );
      setOwn(decoded, key, fieldValue);
      continue;
    }
    // protobuf's JSON mapping reads null as "not set" for every field but google.protobuf.Value.
    if (fieldValue === null && field.kind !== 'value') continue;
    const value = decodeField(fieldValue, field, [...path, key], issues);
    if (value !== undefined) setOwn(decoded, key, value);
  }
  for (const name of schema.required ?? []) {
    if (raw[name] === undefined || raw[name] === null) {
      issues.error('FIELD_REQUIRED', [...path, name], `required field of ${schema.name} is missing`);
    }
  }
  for (const oneof of schema.oneofs ?? []) {
    const present = oneof.fields.filter((name) => raw[name] !== undefined && raw[name] !== null);
    if (present.length > 1) {
      issues.error(
        'ONEOF_CONFLICT',
        [...path, present[1] ?? ''],
        `${listNames(present)} cannot be set together in ${schema.name}; set exactly one`,
      );
    } else if (present.length === 0 && oneof.required) {
      issues.error('FIELD_REQUIRED', path, `${schema.name} needs one of ${listNames(oneof.fields)}`);
    }
  }
  return decoded;
}

function decodeField(
  raw: unknown,
  field: FieldSchema,
  path: readonly PathSegment[],
  issues: IssueCollector,
): unknown {
  switch (field.kind) {
    case 'string':
      if (typeof raw === 'string') return raw;
      return mismatch(raw, 'a string', path, issues);
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      return mismatch(raw, 'true or false', path, issues);
    case 'int32':
      return decodeInteger(raw, path, issues, 2 ** 31);
    case 'int64':
      return decodeInteger(raw, path, issues, Number.MAX_SAFE_INTEGER + 1);
    case 'double':
      if (typeof raw === 'number') return raw;
      if (typeof raw === 'string' && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
      return mismatch(raw, 'a number', path, issues);
    case 'enum':
      return decodeEnum(raw, field.name, field.values, path, issues);
    case 'duration':
      if (typeof raw === 'string' && /^-?\d+(\.\d{1,9})?s$/.test(raw)) return raw;
      return mismatch(raw, 'a duration such as "30s" or "1.5s"', path, issues);
    case 'value':
      return jsonValueOrReport(raw, path, issues);
    case 'struct':
      if (isPlainObject(raw)) return jsonValueOrReport(raw, path, issues);
      return mismatch(raw, 'an object', path, issues);
    case 'message':
      return decodeMessage(raw, field.message(), path, issues);
    case 'map': {
      if (!isPlainObject(raw)) return mismatch(raw, 'an object of named entries', path, issues);
      const decoded: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(raw)) {
        const value = decodeField(entry, field.of, [...path, key], issues);
        if (value !== undefined) setOwn(decoded, key, value);
      }
      return decoded;
    }
    case 'list': {
      if (!Array.isArray(raw)) return mismatch(raw, 'a list', path, issues);
      const decoded: unknown[] = [];
      raw.forEach((entry, index) => {
        const value = decodeField(entry, field.of, [...path, index], issues);
        if (value !== undefined) decoded.push(value);
      });
      return decoded;
    }
  }
}

/**
 * YAML can write numbers JSON cannot hold (`.nan`, `.inf`); a spec carrying them could not be stored or
 * sent over the API, so they are refused where they appear.
 */
function jsonValueOrReport(raw: unknown, path: readonly PathSegment[], issues: IssueCollector): unknown {
  const bad = nonJsonNumber(raw, path, 0);
  if (bad === undefined) return raw;
  issues.error('FIELD_TYPE', bad.path, `${bad.value} is not a JSON number; expected a finite number`);
  return undefined;
}

function nonJsonNumber(
  value: unknown,
  path: readonly PathSegment[],
  depth: number,
): { path: PathSegment[]; value: number } | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path: [...path], value };
  if (typeof value !== 'object' || value === null || depth > 100) return undefined;
  const entries: [PathSegment, unknown][] = Array.isArray(value)
    ? [...value.entries()]
    : Object.entries(value);
  for (const [key, child] of entries) {
    const found = nonJsonNumber(child, [...path, key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

function decodeInteger(
  raw: unknown,
  path: readonly PathSegment[],
  issues: IssueCollector,
  bound: number,
): number | undefined {
  const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < bound) return value;
  return mismatch(raw, bound === 2 ** 31 ? 'a 32-bit integer' : 'an integer', path, issues);
}

function decodeEnum(
  raw: unknown,
  name: string,
  values: readonly string[],
  path: readonly PathSegment[],
  issues: IssueCollector,
): string | undefined {
  const resolved = typeof raw === 'number' && Number.isInteger(raw) ? values[raw] : raw;
  // Index 0 is the enum's UNSPECIFIED value, which protobuf treats as not set.
  if (typeof resolved === 'string' && values.includes(resolved)) {
    return resolved === values[0] ? undefined : resolved;
  }
  const shown = typeof raw === 'string' ? `"${raw}"` : describe(raw);
  const hint = typeof raw === 'string' ? didYouMean(raw, values.slice(1)) : '';
  issues.error(
    'ENUM_VALUE',
    path,
    `${shown} is not a ${name}; expected ${listNames(values.slice(1))}${hint}`,
  );
  return undefined;
}

function mismatch(
  raw: unknown,
  expected: string,
  path: readonly PathSegment[],
  issues: IssueCollector,
): undefined {
  issues.error('FIELD_TYPE', path, `expected ${expected}, got ${describe(raw)}`);
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value looks to a user, short enough for one line. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  return `${typeof value} ${String(value)}`;
}

/** Assigns without invoking setters, so a key such as `__proto__` in a document stays an ordinary key. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
