import type { JsonValue } from '@cairn/spec';

/**
 * The text KFP's backend gives a parameter value (Go's `PbValueToText`), which selectors read as
 * `string_value` whatever the value's kind: strings as they are, numbers in plain decimal notation
 * (never an exponent), booleans as `true`/`false`, null as the empty string, lists and structs as
 * JSON with sorted keys and HTML characters escaped, as Go's encoding/json writes protojson.
 */
export function parameterText(value: JsonValue): string {
  if (value === null) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return formatDecimal(value);
    case 'boolean':
      return String(value);
    default:
      return escapeHtml(JSON.stringify(sortKeys(value)));
  }
}

/** Go's `strconv.FormatFloat(n, 'f', -1, 64)`: the shortest digits that round-trip, without an exponent. */
function formatDecimal(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (Object.is(value, -0)) return '-0';
  // JavaScript picks the same shortest digits; it only switches to an exponent below 1e-6 and from 1e21.
  const text = String(value);
  const exponential = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (exponential === null) return text;
  const [, sign = '', lead = '', fraction = '', exponent = '0'] = exponential;
  const digits = lead + fraction;
  const point = 1 + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  // Go orders map keys by their UTF-8 bytes, which differs from UTF-16 order beyond the BMP.
  const keys = Object.keys(value).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Object.fromEntries(keys.map((key) => [key, sortKeys(value[key] ?? null)]));
}

/** These characters occur only inside JSON strings, so replacing them everywhere is safe. */
function escapeHtml(json: string): string {
  return json.replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
