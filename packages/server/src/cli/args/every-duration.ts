import { InvalidArgumentError } from 'commander';

const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };

/**
 * `--every`: a duration as a number of seconds, written with units largest first.
 *
 * @example
 * everySeconds('1h'); // 3600
 * everySeconds('1h30m'); // 5400
 */
export function everySeconds(text: string): number {
  if (!/^(\d+[dhms])+$/.test(text)) {
    throw new InvalidArgumentError(`expected a duration such as 30s, 15m, 1h, 1h30m or 1d, got "${text}"`);
  }
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([dhms])/g)) {
    seconds += Number(amount) * (UNIT_SECONDS[unit ?? 's'] ?? 1);
  }
  if (seconds <= 0)
    throw new InvalidArgumentError(`"${text}" is no time at all; expected a positive duration`);
  return seconds;
}
