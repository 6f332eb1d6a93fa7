/**
 * A `timestamp_value` is protobuf's Timestamp in JSON: RFC 3339 with up to nine fractional digits, any
 * offset, years 0001 to 9999. Cairn's columns hold milliseconds, so an instant is kept as whole
 * milliseconds plus the nanoseconds beyond them: a filter then compares exactly, instead of rounding
 * 12:00:00.0005 to one side of a row created at 12:00:00.000.
 */
export interface Instant {
  /** Milliseconds since the Unix epoch, rounded down. */
  readonly ms: number;
  /** The nanoseconds after `ms`, 0 to 999 999. */
  readonly subMsNanos: number;
}

// Protobuf's range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
const EARLIEST_MS = -62_135_596_800_000;
const LATEST_MS = 253_402_300_799_999;

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

export function parseTimestamp(text: string): Instant | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = Number(match[9] ?? 0);
  const offsetMinutes = Number(match[10] ?? 0);
  if (year < 1 || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
    return undefined;
  }
  const date = new Date(0);
  // setUTCFullYear, because Date.UTC reads years 0 to 99 as 1900 to 1999.
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  date.setUTCHours(hour, minute, second, 0);
  const fraction = (match[7] ?? '').padEnd(9, '0');
  const offsetMs = (match[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const ms = date.getTime() + Number(fraction.slice(0, 3)) - offsetMs;
  if (ms < EARLIEST_MS || ms > LATEST_MS) return undefined;
  return { ms, subMsNanos: Number(fraction.slice(3)) };
}

/** The instant in UTC, as `parseTimestamp` reads it back. */
export function formatTimestamp(instant: Instant): string {
  const iso = new Date(instant.ms).toISOString();
  return instant.subMsNanos === 0
    ? iso
    : `${iso.slice(0, -1)}${String(instant.subMsNanos).padStart(6, '0')}Z`;
}

/** -1, 0 or 1 as the whole milliseconds `ms` fall before, on or after `instant`. */
export function compareToInstant(ms: number, instant: Instant): -1 | 0 | 1 {
  if (ms !== instant.ms) return ms < instant.ms ? -1 : 1;
  return instant.subMsNanos === 0 ? 0 : -1;
}
