/** A slot or schedule time as messages show it: RFC 3339 in UTC, without zero milliseconds. */
export function isoTime(time: number): string {
  return new Date(time).toISOString().replace('.000Z', 'Z');
}
