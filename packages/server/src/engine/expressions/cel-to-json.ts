import { type CelValue, celType, isCelList, isCelMap, isCelUint } from '@bufbuild/cel';
import type { JsonValue } from '@cairn/spec';

/**
 * Converts a CEL result to the JSON value KFP would store as a protobuf Value: ints and uints become
 * numbers (with float64's precision, as Go's structpb.NewValue does), bytes become base64 text.
 * Throws an Error phrased to follow "the result" when the value has no JSON form.
 */
export function celToJson(value: CelValue): JsonValue {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`is ${value}, which a JSON number cannot hold`);
      return value;
    case 'bigint':
      return Number(value);
    case 'string':
    case 'boolean':
      return value;
  }
  if (value === null) return null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (isCelUint(value)) return Number(value.value);
  if (isCelList(value)) return [...value].map(celToJson);
  if (isCelMap(value)) {
    const entries: Array<[string, JsonValue]> = [];
    for (const [key, item] of value) {
      if (typeof key !== 'string') {
        throw new Error(
          `is a map with a key of type ${celType(key as CelValue).name}, but JSON objects have string keys`,
        );
      }
      entries.push([key, celToJson(item)]);
    }
    return Object.fromEntries(entries);
  }
  throw new Error(`is of CEL type ${celType(value).name}, which has no JSON form`);
}
