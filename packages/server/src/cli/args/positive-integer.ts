import { InvalidArgumentError } from 'commander';

/** The parser of options that count something: `--limit`, `--concurrency`, `--interval`... */
export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}"`);
  }
  return Number(value);
}
