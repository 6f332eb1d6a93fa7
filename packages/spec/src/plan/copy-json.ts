import type { PathSegment } from '../issues/spec-issue.ts';
import { describe, isPlainObject } from '../load/decode-message.ts';
import type { JsonValue } from '../model/pipeline-spec.ts';
import { PlanError } from './plan-error.ts';

/**
 * A deep copy of a value that must survive a JSON round trip unchanged, so that a stored plan reads back
 * equal to the planned one. YAML can produce numbers JSON cannot hold (`.nan`, `.inf`); those are refused
 * rather than silently turned into null in storage. What JSON has its own reading for is normalised the
 * same way here: -0 becomes 0, an undefined list item null, an undefined property is left out. The copy
 * also keeps the plan from sharing objects with the spec it came from.
 */
export function copyJson(value: unknown, path: readonly PathSegment[]): JsonValue {
  return copy(value, path, new Set());
}

function copy(value: unknown, path: readonly PathSegment[], ancestors: Set<object>): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new PlanError('FIELD_TYPE', path, `${value} cannot be stored as JSON`);
    return value + 0;
  }
  if (Array.isArray(value) || isPlainObject(value)) {
    if (ancestors.has(value)) throw new PlanError('FIELD_TYPE', path, 'the value contains itself');
    ancestors.add(value);
    // Absent values read as JSON writes them: null in a list (holes included), left out of an object.
    const copied: JsonValue = Array.isArray(value)
      ? Array.from(value, (item: unknown, index) =>
          item === undefined ? null : copy(item, [...path, index], ancestors),
        )
      : // fromEntries defines own properties, so a key such as `__proto__` stays an ordinary key.
        Object.fromEntries(
          Object.entries(value)
            .filter(([, item]) => item !== undefined)
            .map(([key, item]) => [key, copy(item, [...path, key], ancestors)]),
        );
    ancestors.delete(value);
    return copied;
  }
  throw new PlanError('FIELD_TYPE', path, `expected a JSON value, got ${describe(value)}`);
}
