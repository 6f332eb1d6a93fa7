import type { CelInput } from '@bufbuild/cel';
import type { JsonValue } from '@cairn/spec';

/**
 * A JSON value as CEL sees a protobuf Value: numbers are doubles, objects are maps with string keys.
 *
 * Objects become `Map`s rather than being handed over as plain objects: the evaluator would read an
 * object with a `$typeName` key as a protobuf message, and one with a `constructor` key not at all.
 */
export function jsonToCel(value: JsonValue): CelInput {
  if (Array.isArray(value)) return value.map(jsonToCel);
  if (value !== null && typeof value === 'object') {
    const map = new Map<string, CelInput>();
    for (const [key, item] of Object.entries(value)) map.set(key, jsonToCel(item));
    return map;
  }
  return value;
}
