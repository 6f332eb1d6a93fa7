import { InvalidArgumentError } from 'commander';

/**
 * Collects repeated `--param name=value` into parameters. A value that parses as JSON is that JSON
 * (`n=3` a number, `flags=[1,2]` a list, `ok=true` a boolean); anything else is the string as written.
 *
 * @example
 * collectParameter('lr=0.01', {}); // { lr: 0.01 }
 * collectParameter('name=world', {}); // { name: 'world' }
 */
export function collectParameter(pair: string, previous: Record<string, unknown>): Record<string, unknown> {
  const at = pair.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected name=value, got "${pair}"`);
  const name = pair.slice(0, at);
  const text = pair.slice(at + 1);
  return { ...previous, [name]: parseValue(text) };
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
