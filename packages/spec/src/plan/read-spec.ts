import type { PathSegment } from '../issues/spec-issue.ts';
import { describe, isPlainObject } from '../load/decode-message.ts';
import { PlanError } from './plan-error.ts';

/*
 * Readers for the spec's fields that check the shape they rely on. A validated spec always passes; a spec
 * that was not validated (or was built in code) gets a PlanError pointing at the field, never a TypeError.
 * As in protobuf's JSON mapping, null reads as "not set".
 */

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function optionalMessage<T extends object>(
  value: T | null | undefined,
  path: readonly PathSegment[],
  name: string,
): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw new PlanError('FIELD_TYPE', path, `expected an object (${name}), got ${describe(value)}`);
  }
  return value;
}

export function requiredMessage<T extends object>(
  value: T | null | undefined,
  path: readonly PathSegment[],
  name: string,
): T {
  const message = optionalMessage(value, path, name);
  if (message === undefined) throw new PlanError('FIELD_REQUIRED', path, `${name} is missing`);
  return message;
}

/** A string field; the empty string is protobuf's default and reads as not set. */
export function optionalString(value: unknown, path: readonly PathSegment[]): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new PlanError('FIELD_TYPE', path, `expected a string, got ${describe(value)}`);
  }
  return value;
}

/** A string field that must be present; an empty string is kept, for the lookup it feeds to reject. */
export function requiredString(value: unknown, path: readonly PathSegment[], what: string): string {
  if (value === undefined || value === null) {
    throw new PlanError('FIELD_REQUIRED', path, `${what} is missing`);
  }
  if (typeof value !== 'string') {
    throw new PlanError('FIELD_TYPE', path, `expected a string, got ${describe(value)}`);
  }
  return value;
}

export function optionalBoolean(value: unknown, path: readonly PathSegment[]): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    throw new PlanError('FIELD_TYPE', path, `expected true or false, got ${describe(value)}`);
  }
  return value;
}

/** A finite number; -0 becomes 0, which JSON cannot tell apart anyway. */
export function optionalNumber(value: unknown, path: readonly PathSegment[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new PlanError('FIELD_TYPE', path, `expected a number, got ${describe(value)}`);
  }
  return value + 0;
}

/** The entries of a map field in key order, each value checked to be a message. */
export function messageEntries<T extends object>(
  map: Readonly<Record<string, T>> | null | undefined,
  path: readonly PathSegment[],
  name: string,
): [string, T][] {
  const record = optionalMessage(map, path, `map of ${name}`);
  if (record === undefined) return [];
  return Object.keys(record)
    .sort(compareNames)
    .map((key) => [key, requiredMessage(record[key], [...path, key], name)]);
}

export function messageList<T extends object>(
  list: readonly T[] | null | undefined,
  path: readonly PathSegment[],
  name: string,
): T[] {
  return listOf(list, path).map((item, index) => requiredMessage(item, [...path, index], name));
}

export function stringList(
  list: readonly string[] | null | undefined,
  path: readonly PathSegment[],
): string[] {
  return listOf(list, path).map((item, index) => requiredString(item, [...path, index], 'list entry'));
}

function listOf<T>(list: readonly T[] | null | undefined, path: readonly PathSegment[]): readonly T[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new PlanError('FIELD_TYPE', path, `expected a list, got ${describe(list)}`);
  // Array.from visits the holes of a sparse array (as undefined), which map would skip.
  return Array.from(list);
}

/** A key of a map, looked up without reaching into Object.prototype (a component named `toString`). */
export function ownEntry<T>(map: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}
