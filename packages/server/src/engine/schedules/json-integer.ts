/**
 * A protobuf int64 in its JSON form, a number or a decimal string (KFP's REST API writes strings), as a
 * safe integer; undefined when it is neither.
 */
export function parseJsonInteger(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^[+-]?\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) ? number : undefined;
}
