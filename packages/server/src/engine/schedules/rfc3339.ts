import { MAX_TIME, MIN_TIME } from './trigger.ts';

const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * A protobuf Timestamp in its JSON form (RFC 3339, such as "2024-05-01T12:00:00Z" or with an offset),
 * as UTC milliseconds, fractions below a millisecond dropped; undefined when the text is not one, names
 * a date that does not exist, or falls outside years 1 to 9999.
 */
export function parseRfc3339(text: string): number | undefined {
  const match = PATTERN.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', sign, offsetHours, offsetMinutes] = match;
  const numbers = [year, month, day, hour, minute, second].map(Number);
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = numbers;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  // A day that overflows its month (31 April) moves the date, so the fields no longer read back.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return undefined;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  let time = date.getTime() + ((h * 60 + mi) * 60 + s) * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3));
  if (sign !== undefined) {
    const oh = Number(offsetHours);
    const om = Number(offsetMinutes);
    if (oh > 23 || om > 59) return undefined;
    time -= (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return time < MIN_TIME || time > MAX_TIME + 999 ? undefined : time;
}
