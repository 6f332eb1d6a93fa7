/** A stored time (UTC milliseconds) as KFP writes it: RFC 3339, seconds unless there are fractions. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
