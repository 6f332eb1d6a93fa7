import { InvalidArgumentError } from 'commander';

/**
 * Collects repeated `--tag key=value` into tags. The value is the text as written; the server checks
 * keys and values as it checks any tags (keys without '.', both at most 63 characters, 20 tags).
 *
 * @example
 * collectTag('team=ml', {}); // { team: 'ml' }
 */
export function collectTag(pair: string, previous: Record<string, string>): Record<string, string> {
  const at = pair.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected key=value, got "${pair}"`);
  return { ...previous, [pair.slice(0, at)]: pair.slice(at + 1) };
}
