/** Nanoseconds per unit, as Go's time.ParseDuration knows them. */
const UNITS = new Map<string, bigint>([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5, micro sign
  ['μs', 1_000n], // U+03BC, Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const MAX_DURATION = 2n ** 63n - 1n;

/**
 * Go's `time.ParseDuration` (robfig/cron's `@every` descriptor uses it): a signed sequence of decimal
 * numbers, each with an optional fraction and a unit, such as "1h30m" or "-1.5h". Returns nanoseconds,
 * or throws an Error phrased to follow the duration's text.
 */
export function parseGoDuration(text: string): bigint {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw new Error('is not a duration');
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?([^\d.]*)/;
  while (rest !== '') {
    const match = part.exec(rest);
    const [whole = '', integer = '', fraction = '', unit = ''] = match ?? [];
    if (integer === '' && fraction === '') throw new Error('is not a duration: expected a number');
    if (unit === '') throw new Error('has a number without a unit (ns, us, ms, s, m or h)');
    const scale = UNITS.get(unit);
    if (scale === undefined)
      throw new Error(`has the unknown unit "${unit}" (expected ns, us, ms, s, m or h)`);
    // Go scales the fraction with floating point; exact arithmetic differs by under a nanosecond.
    const fractionNanos = fraction === '' ? 0n : (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
    total += BigInt(integer === '' ? '0' : integer) * scale + fractionNanos;
    if (total > MAX_DURATION) throw new Error('is longer than Go can hold (about 292 years)');
    rest = rest.slice(whole.length);
  }
  return negative ? -total : total;
}
